"""One validated, immutable description of "replay this trace": what a model parameter set holds.

>>> source = TraceSource("data/samples/cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv", "cic-ids2017",
...                      step_seconds=60, max_nodes=30)
>>> source.check()          # cheap: format, path, options, header (no rows read)
>>> traffic = source.load() # reads and bins the file once per process (cached)

Construction validates every number and choice (``ValueError`` naming the field, the value and the
allowed range, as everywhere in the workbench); :meth:`TraceSource.check` adds the file checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.traces.readers import FORMAT_NAMES, check_trace
from workbench.traces.replay import NODE_RULES, STEP_SECONDS_RANGE, TraceTraffic, cached_trace_traffic
from workbench.validation import check_choice, check_int, check_number


@dataclass(frozen=True)
class TraceSource:
    """A trace file and how to bin it.

    Fields: ``path``; ``format`` (one of :data:`FORMAT_NAMES`); ``step_seconds`` (> 0, seconds per
    step); ``max_nodes`` (1..100000); ``node_rule`` (``"host"``, ``"subnet24"``, ``"port"``,
    ``"all"``); ``flows_per_node`` (1..1000000, or None: each step as wide as its busiest node);
    ``rows_per_step`` (>= 1, only for traces without timestamps); ``options`` (the format's reader
    options, e.g. ``{"labels_path": ...}`` for Zeek or ``{"columns": {...}}`` for ``"table"``).
    """

    path: str
    format: str
    step_seconds: float = 60.0
    max_nodes: int = 50
    node_rule: str = "host"
    flows_per_node: int | None = None
    rows_per_step: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", str(self.path))
        check_choice("trace_format", self.format, FORMAT_NAMES)
        object.__setattr__(
            self, "step_seconds", float(check_number("step_seconds", self.step_seconds, STEP_SECONDS_RANGE))
        )
        check_int("max_nodes", self.max_nodes, 1, 100_000)
        check_choice("node_rule", self.node_rule, NODE_RULES)
        if self.flows_per_node is not None:
            check_int("flows_per_node", self.flows_per_node, 1, 1_000_000)
        if self.rows_per_step is not None:
            check_int("rows_per_step", self.rows_per_step, 1)
        if not isinstance(self.options, dict):
            raise ValueError(f"options={self.options!r} is not allowed; expected a dict of reader options")

    def check(self) -> None:
        """The file checks that need no row: path exists and is not empty, options, header columns."""
        check_trace(self.path, self.format, **self.options)

    def load(self) -> TraceTraffic:
        """The binned trace, read once per process (:func:`cached_trace_traffic`)."""
        return cached_trace_traffic(
            self.path,
            self.format,
            step_seconds=self.step_seconds,
            max_nodes=self.max_nodes,
            node_rule=self.node_rule,
            flows_per_node=self.flows_per_node,
            rows_per_step=self.rows_per_step,
            **self.options,
        )
