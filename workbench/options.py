"""Allowed values of the options that two layers check: the one list of each.

``ModelParams`` validates its fields against these tuples before anything runs, and the owners
validate their own arguments against the same tuples: :func:`workbench.model.detectors.make_detector_bank`
(``DETECTORS``) and :func:`workbench.ledger.open_ledger` (``LEDGER_BACKENDS``). They live here, in
a module that imports nothing, so that neither the light parameter module has to import the
detectors (numpy) or the ledger (cryptography), nor the ledger the model.
"""

DETECTORS = ("iforest", "zscore")
LEDGER_BACKENDS = ("memory", "sqlite")
