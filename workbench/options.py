"""Allowed values of the options that two layers check: the one list of each.

``ModelParams`` validates its fields against these tuples before anything runs, and the owners
validate their own arguments against the same tuples: :func:`workbench.model.detectors.make_detector_bank`
(``DETECTORS``), :func:`workbench.ledger.open_ledger` (``LEDGER_BACKENDS``), the gossip rounds of
:mod:`workbench.model.gossip` (``GOSSIP_MODES``) and the central aggregator (``AGGREGATOR_MODES``). They live here, in
a module that imports nothing, so that neither the light parameter module has to import the
detectors (numpy) or the ledger (cryptography), nor the ledger the model.
"""

DETECTORS = ("iforest", "zscore")
LEDGER_BACKENDS = ("memory", "sqlite")
GOSSIP_MODES = ("push", "push_pull", "rumor")
RUMOR_STOPS = ("coin", "counter")  # how a rumour-mongering node loses interest (Demers et al. 1987)
FEEDBACK_TIMES = ("arrival", "round_start")  # which state a rumour's feedback reports (workbench.model.gossip.rumor)
AGGREGATOR_MODES = ("honest", "compromised", "down")
RELAY_MODES = ("forward", "drop")
ADMISSION_MODES = ("none", "membership")  # who may vote: any identity, or the N enrolled nodes (channels.base)
# Replaying flow records: the model's traffic source, the trace formats (the one list: each has a
# reader in workbench.traces.readers.FORMATS, checked on import) and the node rules.
TRAFFIC_SOURCES = ("synthetic", "trace")
TRACE_FORMATS = ("cic-ids2017", "cic-ids2018", "unsw-nb15", "zeek-conn", "argus-binetflow", "table")
TRACE_NODE_RULES = ("host", "subnet24", "port", "all")
