"""Real flow records (CIC-IDS2017/2018, UNSW-NB15, Zeek conn.log, any mapped table) for the model.

* :func:`read_trace` / :func:`iter_trace`: read a file into the one flow schema
  (:data:`FLOW_SCHEMA`), streaming with bounded memory.
* :class:`TraceTraffic`: a trace as per-step, per-node traffic in the model's :class:`Flows` shape.
* :func:`detector_report`: how the local detectors do on the trace, per attack category.

Model layer: imports numpy, pandas, pyarrow, scikit-learn and ``workbench.model`` /
``workbench.validation`` only. See ``docs/traces.md``.
"""

from workbench.traces.csvio import TraceError, TraceFileNotFound
from workbench.traces.readers import FORMAT_NAMES, iter_trace, read_trace, read_trace_table
from workbench.traces.schema import FLOW_SCHEMA, SCHEMA_COLUMNS, ipv4_to_uint32

__all__ = [
    "FLOW_SCHEMA", "FORMAT_NAMES", "SCHEMA_COLUMNS", "TraceError", "TraceFileNotFound", "ipv4_to_uint32",
    "iter_trace", "read_trace", "read_trace_table",
]

from workbench.traces.replay import NODE_RULES, PAD_LABEL, TraceStep, TraceTraffic  # noqa: E402

__all__ += ["NODE_RULES", "PAD_LABEL", "TraceStep", "TraceTraffic"]
from workbench.traces.report import detector_report, score_trace  # noqa: E402

__all__ += ["detector_report", "score_trace"]
