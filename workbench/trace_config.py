"""How to replay a trace, defined once: :class:`TraceConfig`, a validated, hashable value.

Every setting of a replayed trace (the file, its format and reader options, how it is binned into
nodes and steps) is one field here, with its range or choices and its documentation in the field's
metadata. The trace fields of :class:`~workbench.model.params.ModelParams` are generated from these
fields (:func:`model_field`), ``TraceConfig.from_params`` reads them back, and the trace readers
bin and cache a trace by the config itself (:func:`workbench.traces.load_traffic`): one definition,
one set of ranges, one cache key.

>>> config = TraceConfig("data/samples/cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv",
...                      step_seconds=60, max_nodes=30)
>>> config == config.replace(step_seconds=60.0), hash(config) == hash(config.replace())
(True, True)

This module imports only the standard library and the package's lowest layers (``options``,
``validation``), so the model's parameters can use it without importing the trace readers
(pyarrow) and the readers can use it without importing the model.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.options import TRACE_FORMATS, TRACE_NODE_RULES
from workbench.validation import Range, check_choice, check_number

#: flows a node keeps per step (the model's array width); the model's ``flows_per_node`` has this range
FLOWS_PER_NODE_RANGE = Range(1, 10_000, integer=True)
#: reader options with a field of their own
OWN_FIELDS = {"columns": "columns"}
#: options of ``options`` that are about binning the trace, not reading it (the rest go to the reader):
#: name -> (allowed range or choices, default, documentation)
BINNING_OPTIONS: dict[str, tuple[Range | tuple[str, ...], Any, str]] = {
    "anchor_quantile": (
        Range(0.0, 1.0, high_open=True),
        0.0,
        "step 0 starts at this quantile of the timestamps (0: the first); earlier rows are dropped as out of "
        "time order (a few stray early rows otherwise leave the warm-up empty)",
    ),
    "min_warmup_flows": (
        Range(1, None, integer=True),
        5,
        "a node's warm-up is thin below this many of its own flows in the warm-up steps",
    ),
    "warmup_check": (
        ("refuse", "warn"),
        "refuse",
        "refuse: a warm-up where most nodes are thin or have a zero-variance feature stops the run; warn: go on",
    ),
}
#: ``TraceConfig`` field -> the name of the same field in ``ModelParams``
PARAM_NAMES = {
    "path": "trace_path",
    "format": "trace_format",
    "columns": "trace_columns",
    "options": "trace_options",
    "step_seconds": "step_seconds",
    "max_nodes": "max_nodes",
    "node_rule": "node_rule",
    "rows_per_step": "rows_per_step",
    "flows_per_node": "flows_per_node",
}


def _num(default: Any, range_: Range, doc: str, *, optional: bool = False) -> Any:
    return field(default=default, metadata={"range": range_, "optional": optional, "doc": doc})


def _choice(default: str, choices: tuple[str, ...], doc: str) -> Any:
    return field(default=default, metadata={"choices": choices, "doc": doc})


def _pairs(doc: str) -> Any:
    return field(default=(), metadata={"pairs": True, "doc": doc})


@dataclass(frozen=True)
class TraceConfig:
    """A flow-record file and how to replay it (units and ranges in each field's metadata).

    ``path``: the file. ``format``: one of :data:`~workbench.options.TRACE_FORMATS`. ``columns``:
    ``format="table"`` only, ``{schema name: file column}``. ``options``: the format's other reader
    options (``{"labels_path": ...}`` for Zeek, ``{"timestamp_unit": "s"}`` for a table ...).
    ``step_seconds`` (> 0): seconds of trace per step. ``max_nodes`` (1..100000): the busiest
    destinations that become nodes. ``node_rule``: what a node is. ``rows_per_step`` (>= 0): traces
    without timestamps, consecutive rows per step (0: bin by timestamp). ``flows_per_node``
    (1..10000, or None: each step as wide as its busiest node): the flows a node keeps per step.

    ``columns`` and ``options`` are given as a dict, ``(name, value)`` pairs or a JSON object
    string and held as sorted pairs, so that a config is hashable and round-trips through JSON.
    """

    path: str = field(metadata={"doc": "flow-record file replayed when traffic='trace' (checked before anything runs)"})
    format: str = _choice("cic-ids2017", TRACE_FORMATS, "layout of trace_path (see docs/traces.md)")
    columns: tuple[tuple[str, Any], ...] = _pairs(
        "trace_format='table': schema name -> file column (bytes, packets, duration_s required; timestamp, "
        "src_addr, dst_addr, dst_port, protocol, label optional)"
    )
    options: tuple[tuple[str, Any], ...] = _pairs(
        "further reader options of trace_format (e.g. labels_path for zeek-conn, timestamp_unit for table)"
    )
    step_seconds: float = _num(60.0, Range(0.0, 1e9, low_open=True), "seconds of trace per model step")
    max_nodes: int = _num(
        50, Range(1, 100_000, integer=True), "the busiest destinations that become nodes; n_nodes is their number"
    )
    node_rule: str = _choice(
        "host",
        TRACE_NODE_RULES,
        "what a node is: host, subnet24 (destination /24), port (destination port) or all (one node)",
    )
    rows_per_step: int = _num(
        0, Range(0, None, integer=True), "traces without timestamps: consecutive rows per step (0 = bin by timestamp)"
    )
    flows_per_node: int | None = _num(
        None, FLOWS_PER_NODE_RANGE, "flows a node keeps per step (None: as many as the busiest node)", optional=True
    )

    def __post_init__(self) -> None:
        if not isinstance(self.path, str | bytes) and not hasattr(self.path, "__fspath__"):
            raise ValueError(f"trace_path={self.path!r} is not allowed; give the path of a flow-record file")
        object.__setattr__(self, "path", str(self.path))
        if not self.path:
            raise ValueError("trace_path='' is not allowed; give the path of a flow-record file")
        for f in dataclasses.fields(self):
            name, value = PARAM_NAMES[f.name], getattr(self, f.name)
            if "choices" in f.metadata:
                check_choice(name, value, f.metadata["choices"])
            elif "pairs" in f.metadata:
                object.__setattr__(self, f.name, normalise_pairs(name, value))
            elif "range" in f.metadata and not (value is None and f.metadata["optional"]):
                object.__setattr__(self, f.name, check_number(name, value, f.metadata["range"]))
        if self.columns and self.format != "table":
            raise ValueError(
                f"trace_columns={self.columns!r} is only used with trace_format='table' (trace_format={self.format!r})"
            )
        for option, own in OWN_FIELDS.items():
            if any(k == option for k, _ in self.options):
                raise ValueError(f"trace_options: give {option!r} as the field {PARAM_NAMES[own]}")
        for name, value in self.options:
            if name in BINNING_OPTIONS:
                allowed = BINNING_OPTIONS[name][0]
                if isinstance(allowed, Range):
                    check_number(name, value, allowed)
                else:
                    check_choice(name, value, allowed)
        try:
            hash(self)
        except TypeError:
            raise ValueError(
                f"trace_options={self.options!r} is not allowed; option values must be text, numbers, "
                "booleans or lists of them"
            ) from None

    @classmethod
    def check_field(cls, name: str, value: Any) -> Any:
        """``value`` checked against the range or choices of field ``name`` (for code that bins a
        trace without a file, e.g. :class:`~workbench.traces.TraceTraffic` on a frame)."""
        f = cls.__dataclass_fields__[name]
        if "choices" in f.metadata:
            return check_choice(PARAM_NAMES[name], value, f.metadata["choices"])
        if value is None and f.metadata.get("optional"):
            return None
        return check_number(PARAM_NAMES[name], value, f.metadata["range"])

    @classmethod
    def from_params(cls, params: Any) -> TraceConfig:
        """The config of any object with the ``ModelParams`` trace fields (``trace_path``, ...);
        ``rows_per_step`` 0 and ``flows_per_node`` as given."""
        return cls(**{name: getattr(params, param) for name, param in PARAM_NAMES.items()})

    def replace(self, **changes: Any) -> TraceConfig:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)

    def reader_options(self) -> dict[str, Any]:
        """The keyword options of the format's reader: ``options`` (but the binning options of
        :data:`BINNING_OPTIONS`) plus ``columns`` (lists for tuples)."""
        options = {k: pairs_as_lists(v) for k, v in self.options if k not in BINNING_OPTIONS}
        if self.columns:
            options["columns"] = dict(self.columns)
        return options

    def binning_options(self) -> dict[str, Any]:
        """Every option of :data:`BINNING_OPTIONS`, as given or its default."""
        given = dict(self.options)
        return {name: given.get(name, default) for name, (_, default, _) in BINNING_OPTIONS.items()}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict, keyed by the ``ModelParams`` names."""
        return {PARAM_NAMES[f.name]: pairs_as_lists(getattr(self, f.name)) for f in dataclasses.fields(self)}


def model_field(name: str, default: Any = dataclasses.MISSING) -> Any:
    """A ``ModelParams`` dataclass field for the :class:`TraceConfig` field ``name``: the same
    range or choices and documentation (``default`` overrides the config's)."""
    f = TraceConfig.__dataclass_fields__[name]
    value = f.default if default is dataclasses.MISSING else default
    metadata = {k: v for k, v in f.metadata.items() if k != "optional"}
    return field(default=value, metadata=metadata)


def _frozen(value: Any) -> Any:
    """Lists (from JSON) as tuples and mappings as sorted pairs, recursively, so the pairs stay hashable."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


def normalise_pairs(name: str, value: Any) -> tuple[tuple[str, Any], ...]:
    """``value`` (``None``, ``""``, a dict, ``(name, value)`` pairs or a JSON object string) as a
    tuple of pairs sorted by name; else ``ValueError`` naming the field."""
    expected = "expected (name, value) pairs, a dict or a JSON object string"
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name}={value!r} is not allowed; {expected} ({exc})") from None
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, list | tuple):
        items = list(value)
        if not all(isinstance(item, list | tuple) and len(item) == 2 for item in items):
            raise ValueError(f"{name}={value!r} is not allowed; {expected}")
    else:
        raise ValueError(f"{name}={value!r} is not allowed; {expected}")
    keys = [k for k, _ in items]
    if not all(isinstance(k, str) for k in keys) or len(set(keys)) != len(keys):
        raise ValueError(f"{name}={value!r} is not allowed; names must be distinct strings")
    return tuple(sorted((k, _frozen(v)) for k, v in items))


def pairs_as_lists(value: Any) -> Any:
    """Tuples as lists, recursively: what a pairs field becomes in JSON."""
    if isinstance(value, list | tuple):
        return [pairs_as_lists(v) for v in value]
    return value
