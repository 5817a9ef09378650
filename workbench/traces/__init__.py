"""Real flow records (CIC-IDS2017/2018, UNSW-NB15, Zeek conn.log, any mapped table) for the model.

* :func:`read_trace` / :func:`iter_trace`: read a file into the one flow schema
  (:data:`FLOW_SCHEMA`), streaming with bounded memory; :func:`check_trace` checks a source cheaply.
* :class:`TraceTraffic`: a trace as per-step, per-node traffic in the model's :class:`Flows` shape
  (:func:`cached_trace_traffic`: the same, read once per process).
* :class:`TraceSource`: a validated, immutable "replay this file binned so" (for model parameters).
* :func:`detector_report`: how the local detectors do on the trace, per attack category.

Model layer: imports numpy, pandas, pyarrow, scikit-learn and ``workbench.model`` /
``workbench.validation`` only. See ``docs/traces.md``.
"""

from workbench.traces.csvio import TraceError, TraceFileNotFound
from workbench.traces.readers import FORMAT_NAMES, check_trace, iter_trace, read_trace, read_trace_table
from workbench.traces.replay import NODE_RULES, PAD_LABEL, TraceStep, TraceTraffic, cached_trace_traffic
from workbench.traces.report import detector_report, score_trace
from workbench.traces.schema import FLOW_SCHEMA, SCHEMA_COLUMNS, ipv4_to_uint32
from workbench.traces.source import TraceSource

__all__ = [
    "FLOW_SCHEMA",
    "FORMAT_NAMES",
    "NODE_RULES",
    "PAD_LABEL",
    "SCHEMA_COLUMNS",
    "TraceError",
    "TraceFileNotFound",
    "TraceSource",
    "TraceStep",
    "TraceTraffic",
    "cached_trace_traffic",
    "check_trace",
    "detector_report",
    "ipv4_to_uint32",
    "iter_trace",
    "read_trace",
    "read_trace_table",
    "score_trace",
]
