"""The simulation layer: parameters, traffic, detectors, signatures, sharing, consensus, the Mesa model.

Lowest layer: imports nothing from ``workbench.experiments``, ``analysis`` or ``viz``.
"""

# Bumped whenever a change alters what a run with given parameters and seed produces; the results
# store keys runs on it so that stale runs are recomputed.
MODEL_VERSION = "6"
