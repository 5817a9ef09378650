"""Standalone entry point: ``solara run workbench/viz/app.py --host 127.0.0.1 --no-check-version``.

``page`` is the module-level SolaraViz page Solara serves. ``WORKBENCH_VIZ_<FIELD>`` environment
variables (``WORKBENCH_VIZ_N_NODES=200``, ``WORKBENCH_VIZ_RNG=7``, ...) set its initial controls.
"""

from workbench.viz.page import make_page

page = make_page()
