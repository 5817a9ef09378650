"""Real flow records (CIC-IDS2017/2018, UNSW-NB15, Zeek conn.log, any mapped table) for the model.

* :func:`read_trace` / :func:`iter_trace`: read a file into the one flow schema
  (:data:`FLOW_SCHEMA`), streaming with bounded memory; :func:`check_trace` checks a source cheaply.
* :class:`TraceTraffic`: a trace as per-step, per-node traffic in the :class:`~workbench.flows.Flows`
  shape the model consumes.
* :class:`~workbench.trace_config.TraceConfig`: "replay this file binned so", one validated, hashable
  value (the model's trace parameters are its fields); :func:`check_config` checks it cheaply,
  :func:`load_traffic` reads and bins it once per process.
* :func:`trace_report`: what was read, kept and dropped (by reason), the attack categories found,
  kept and dropped, the time span, the warm-up, and warnings.

The detector report (how the model's detectors do on a trace) is
:func:`workbench.analysis.trace_detectors.detector_report`.

Model layer: imports numpy, pandas, pyarrow and the package's neutral modules (``workbench.flows``,
``workbench.trace_config``, ``workbench.options``, ``workbench.validation``), never ``workbench.model``
(which imports this package when a trace is replayed). See ``docs/traces.md``.
"""

from workbench.trace_config import TraceConfig
from workbench.traces.csvio import ReadStats, TraceError, TraceFileNotFound
from workbench.traces.load import check_config, load_traffic
from workbench.traces.readers import (
    FORMAT_NAMES,
    TraceWarning,
    check_trace,
    iter_trace,
    read_flows,
    read_trace,
    read_trace_table,
)
from workbench.traces.replay import NODE_RULES, PAD_LABEL, TraceStep, TraceTraffic, WarmupCheck
from workbench.traces.report import TraceReport, trace_report
from workbench.traces.schema import FLOW_SCHEMA, SCHEMA_COLUMNS, ipv4_to_uint32

__all__ = [
    "FLOW_SCHEMA",
    "FORMAT_NAMES",
    "NODE_RULES",
    "PAD_LABEL",
    "SCHEMA_COLUMNS",
    "ReadStats",
    "TraceConfig",
    "TraceError",
    "TraceFileNotFound",
    "TraceReport",
    "TraceStep",
    "TraceTraffic",
    "TraceWarning",
    "WarmupCheck",
    "check_config",
    "check_trace",
    "ipv4_to_uint32",
    "iter_trace",
    "load_traffic",
    "read_flows",
    "read_trace",
    "read_trace_table",
    "trace_report",
]
