"""The trace fields of :class:`~workbench.model.params.ModelParams`: checking them and loading the trace.

``traffic="trace"`` replays a flow-record file (:mod:`workbench.traces`). The fields are those of
:class:`workbench.trace_config.TraceConfig` (ranges, choices and documentation defined there
once); :func:`trace_config` reads them back as that one hashable value, which is also the key the
readers cache the binned trace under. They are checked when the parameters are built, before
anything runs or is written: the path exists and is not empty, the format is known, the reader
options are known and the header has the columns the format needs (no row is read). A bad row (an
unparsable timestamp) is found when the trace is loaded, which :func:`load_trace` does at the
start of :func:`~workbench.model.run.run_model` and of the model's setup, again before anything
runs or is written.

The model depends on the trace readers, never the reverse; ``workbench.traces`` (pyarrow) is
imported only when a trace is used, so the parameter module stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.trace_config import TraceConfig

if TYPE_CHECKING:
    from workbench.traces import TraceTraffic


# ``params`` below is a :class:`workbench.model.params.ModelParams` (typed ``Any``: that module imports this one)
ModelParams = Any


def trace_config(params: ModelParams) -> TraceConfig:
    """The :class:`~workbench.trace_config.TraceConfig` of the parameters (``flows_per_node`` caps
    the flows a node keeps per step, so every step has the model's fixed width)."""
    if not params.trace_path:
        raise ValueError(
            f"trace_path={params.trace_path!r} is not allowed with traffic='trace'; give the path of a flow-record file"
        )
    return TraceConfig.from_params(params)


def _naming_the_trace(params: ModelParams, exc: ValueError) -> ValueError:
    message = str(exc)
    if not message.startswith("trace_"):
        message = f"trace_path={str(params.trace_path)!r} (trace_format={params.trace_format!r}): {message}"
    return type(exc)(message)


def check_trace_fields(params: ModelParams) -> None:
    """The relations of the trace fields and the file checks (see the module docstring)."""
    if params.traffic != "trace":
        return
    config = trace_config(params)
    from workbench.traces import check_config

    try:
        check_config(config)
    except ValueError as exc:
        raise _naming_the_trace(params, exc) from None


def load_trace(params: ModelParams) -> TraceTraffic:
    """Read and bin the whole trace (once per process and file): any error in a row is raised here,
    naming ``trace_path``, before a model runs; so is a degenerate warm-up (most nodes' detectors
    fitted on a handful of flows, or on flows with a feature that does not vary: see
    :class:`workbench.traces.WarmupCheck`), unless ``trace_options={"warmup_check": "warn"}``."""
    config = trace_config(params)
    from workbench.traces import load_traffic

    try:
        trace = load_traffic(config)
        trace.warmup_check(params.warmup_steps).require()
        return trace
    except ValueError as exc:
        raise _naming_the_trace(params, exc) from None


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
