"""The trace fields of :class:`~workbench.model.params.ModelParams`: normalising and checking them.

``traffic="trace"`` replays a flow-record file (:mod:`workbench.traces`). Its fields are checked
when the parameters are built, before anything runs or is written: the path exists and is not
empty, the format is known, the reader options are known and the header has the columns the
format needs (no row is read; the check is cached per file, size and modification time). A bad
row (an unparsable timestamp) is found when the trace is loaded, which :func:`load_trace` does at
the start of :func:`~workbench.model.run.run_model` and of the model's setup, again before
anything runs or is written.

``workbench.traces`` (pyarrow, scikit-learn) is imported only when a trace is used, so the
parameter module stays light.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.traces import TraceSource, TraceTraffic


# ``params`` below is a :class:`workbench.model.params.ModelParams` (typed ``Any``: that module imports this one)
ModelParams = Any

# reader options that have their own field (or that the model sets itself)
_OWN_FIELDS = {"columns": "trace_columns"}


def _frozen(value: Any) -> Any:
    """Lists (from JSON) as tuples, recursively, so the pairs stay hashable."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
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


def reader_options(params: ModelParams) -> dict[str, Any]:
    """The reader options of the trace: ``trace_options`` plus ``columns`` from ``trace_columns``."""
    options = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.trace_options}
    if params.trace_columns:
        options["columns"] = dict(params.trace_columns)
    return options


def check_trace_fields(params: ModelParams) -> None:
    """The relations of the trace fields and the file checks (see the module docstring)."""
    if params.traffic != "trace":
        return
    if not params.trace_path:
        raise ValueError(
            f"trace_path={params.trace_path!r} is not allowed with traffic='trace'; give the path of a flow-record file"
        )
    if params.trace_columns and params.trace_format != "table":
        raise ValueError(
            f"trace_columns={params.trace_columns!r} is only used with trace_format='table' "
            f"(trace_format={params.trace_format!r})"
        )
    for option, own in _OWN_FIELDS.items():
        if any(k == option for k, _ in params.trace_options):
            raise ValueError(f"trace_options: give {option!r} as the field {own}")
    options = reader_options(params)
    path = Path(str(params.trace_path))
    stat = path.stat() if path.is_file() else None
    key = (
        str(path.resolve()),
        stat.st_size if stat else -1,
        stat.st_mtime_ns if stat else -1,
        params.trace_format,
        json.dumps(options, sort_keys=True, default=str),
    )
    try:
        _check_file(key)
    except ValueError as exc:
        message = str(exc)
        if not message.startswith("trace_"):
            message = f"trace_path={str(params.trace_path)!r} (trace_format={params.trace_format!r}): {message}"
        raise type(exc)(message) from None


@lru_cache(maxsize=64)
def _check_file(key: tuple) -> None:
    path, _, _, fmt, options = key
    from workbench.traces import check_trace

    check_trace(path, fmt, **json.loads(options))


def trace_source(params: ModelParams) -> TraceSource:
    """The :class:`~workbench.traces.TraceSource` the parameters describe (``flows_per_node`` caps
    the flows a node keeps per step, so every step has the model's fixed width)."""
    from workbench.traces import TraceSource

    return TraceSource(
        str(params.trace_path),
        params.trace_format,
        step_seconds=params.step_seconds,
        max_nodes=params.max_nodes,
        node_rule=params.node_rule,
        flows_per_node=params.flows_per_node,
        rows_per_step=params.rows_per_step or None,
        options=reader_options(params),
    )


def load_trace(params: ModelParams) -> TraceTraffic:
    """Read and bin the whole trace (once per process and file): any error in a row is raised here,
    naming ``trace_path``, before a model runs."""
    try:
        return trace_source(params).load()
    except ValueError as exc:
        message = str(exc)
        if not message.startswith("trace_"):
            message = f"trace_path={str(params.trace_path)!r} (trace_format={params.trace_format!r}): {message}"
        raise type(exc)(message) from None


def with_trace(params: ModelParams, trace: TraceTraffic) -> ModelParams:
    """The parameters a model on ``trace`` runs with: ``n_nodes`` and ``n_campaigns`` from the trace."""
    if trace.n_nodes < 2:
        raise ValueError(
            f"the trace gives {trace.n_nodes} node (node_rule={params.node_rule!r}, "
            f"max_nodes={params.max_nodes}); the model needs at least 2: use another node_rule"
        )
    try:
        return params.replace(n_nodes=trace.n_nodes, n_campaigns=trace.n_campaigns)
    except ValueError as exc:
        raise ValueError(
            f"with the trace's {trace.n_nodes} nodes and {trace.n_campaigns} attack categories: {exc}"
        ) from None
