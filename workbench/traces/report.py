"""What a trace replay reads, keeps and drops, and what to be wary of: :func:`trace_report`.

>>> report = trace_report(params)          # ModelParams(traffic="trace", ...) or a TraceConfig
>>> report                                 # a table in a notebook
>>> report.rows_read == report.rows_kept + sum(report.rows_dropped.values())
True

The report counts every data row of the file once: ``rows_kept`` became flows at the kept nodes,
and ``rows_dropped`` maps each reason to its rows (by the readers: ``blank row``, ``repeated header
row``, ``malformed row`` and ``unparsable value`` with ``on_bad_row="drop"``, ``unknown protocol``
with ``unknown_protocol="drop"``; by the binning: ``missing timestamp``, ``out of time order``
(before the anchor, ``anchor_quantile``), ``outside kept nodes``). It lists the attack categories
found in the rows read with the rows of each kept (the campaigns) and dropped, the time span, the
steps, the flows per node per warm-up step, the file's columns the flow schema does not use, and
warnings: a thin or zero-variance warm-up (which the model refuses unless ``warmup_check="warn"``),
an attack category active during warm-up, the CIC-IDS2017 clock rule applied, timestamps outside
the dataset's capture days, protocol names that are not IANA protocols, a trace without labels or
without attacks.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.trace_config import TraceConfig
from workbench.traces.load import load_traffic
from workbench.traces.replay import TraceTraffic, WarmupCheck
from workbench.validation import check_int

#: the share of benign flows on one flow key above which the report warns
KEY_SHARE_WARNING = 0.25


@dataclass(frozen=True, repr=False)
class TraceReport:
    """See the module docstring; :meth:`table` is the one-table view, :meth:`to_dict` the JSON one."""

    file: str
    format: str
    layout: str
    compression: str | None
    rows_read: int
    rows_kept: int
    rows_dropped: dict[str, int]
    categories: pd.DataFrame
    labelled: bool
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    step_seconds: float
    n_steps: int
    node_rule: str
    n_nodes: int
    n_campaigns: int
    warmup: WarmupCheck
    unused_columns: tuple[str, ...]
    unknown_protocols: dict[str, int]
    warnings: tuple[str, ...]

    @property
    def counts_add_up(self) -> bool:
        return self.rows_read == self.rows_kept + sum(self.rows_dropped.values())

    @property
    def warmup_flows_per_node_step(self) -> dict[str, float]:
        """Own flows per node per warm-up step: minimum, median, mean over nodes, and nodes with none."""
        f = self.warmup.per_node["flows_per_step"].to_numpy()
        if f.size == 0:
            return {"min": 0.0, "median": 0.0, "mean": 0.0, "nodes_with_none": 0}
        return {
            "min": float(f.min()),
            "median": float(np.median(f)),
            "mean": float(f.mean()),
            "nodes_with_none": int((f == 0).sum()),
        }

    def table(self) -> pd.DataFrame:
        """One row per item (``item``, ``value``): what was read, kept, dropped and found, then the warnings."""
        span = "no timestamps (steps are blocks of rows)"
        if self.start is not None and self.end is not None:
            span = f"{self.start} to {self.end} ({(self.end - self.start).total_seconds():,.0f} s)"
        fps = self.warmup_flows_per_node_step
        cats = "; ".join(
            f"{r.category}: {r.rows_found:,} found, {r.rows_kept:,} kept, {r.rows_dropped:,} dropped"
            for r in self.categories.itertuples()
        )
        rows: list[tuple[str, Any]] = [
            (
                "file",
                f"{self.file} ({self.format}, {self.layout}" + (f", {self.compression})" if self.compression else ")"),
            ),
            ("rows read", f"{self.rows_read:,}"),
            ("rows kept", f"{self.rows_kept:,}"),
        ]
        rows += [(f"rows dropped: {reason}", f"{n:,}") for reason, n in self.rows_dropped.items()]
        rows += [
            ("labels", "yes" if self.labelled else "none: every flow is 'unlabelled'"),
            ("attack categories", cats or "none"),
            ("time span", span),
            ("steps", f"{self.n_steps} of {self.step_seconds:g} s"),
            ("nodes", f"{self.n_nodes} ({self.node_rule})"),
            ("campaigns", str(self.n_campaigns)),
            (
                f"own flows per node per warm-up step ({self.warmup.warmup_steps} steps)",
                f"min {fps['min']:.2f}, median {fps['median']:.2f}, mean {fps['mean']:.2f}; "
                f"{fps['nodes_with_none']} nodes with none",
            ),
            (
                "columns not used",
                f"{len(self.unused_columns)}: {', '.join(self.unused_columns)}" if self.unused_columns else "none",
            ),
        ]
        rows += [(f"warning {i + 1}", w) for i, w in enumerate(self.warnings)]
        return pd.DataFrame(rows, columns=["item", "value"])

    def __repr__(self) -> str:
        return self.table().to_string(index=False, max_colwidth=160)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(i))}</th><td style='text-align:left'>"
            f"{html.escape(str(v))}</td></tr>"
            for i, v in self.table().itertuples(index=False)
        )
        return f"<table>{body}</table>"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the counts, categories, span, steps, warm-up summary and warnings."""
        return {
            "file": self.file,
            "format": self.format,
            "layout": self.layout,
            "compression": self.compression,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_dropped": dict(self.rows_dropped),
            "labelled": self.labelled,
            "categories": self.categories.to_dict(orient="records"),
            "start": None if self.start is None else str(self.start),
            "end": None if self.end is None else str(self.end),
            "step_seconds": self.step_seconds,
            "n_steps": self.n_steps,
            "n_nodes": self.n_nodes,
            "n_campaigns": self.n_campaigns,
            "warmup_steps": self.warmup.warmup_steps,
            "warmup_flows_per_node_step": self.warmup_flows_per_node_step,
            "warmup_degenerate": self.warmup.degenerate,
            "unused_columns": list(self.unused_columns),
            "unknown_protocols": dict(self.unknown_protocols),
            "warnings": list(self.warnings),
        }


def trace_report(params: Any, warmup_steps: int | None = None) -> TraceReport:
    """The report of the trace ``params`` describe.

    ``params``: a ``ModelParams`` with ``traffic="trace"`` (its ``warmup_steps`` is used), a
    :class:`~workbench.trace_config.TraceConfig` or a :class:`TraceTraffic` (then give
    ``warmup_steps``). The trace is read and binned once per process (:func:`load_traffic`).
    """
    if isinstance(params, TraceTraffic):
        traffic, config = params, None
    else:
        config = params if isinstance(params, TraceConfig) else TraceConfig.from_params(params)
        traffic = load_traffic(config)
    if warmup_steps is None:
        warmup_steps = getattr(params, "warmup_steps", None)
    if warmup_steps is None:
        raise ValueError("trace_report needs warmup_steps (the model's warm-up) with a TraceConfig or TraceTraffic")
    warmup_steps = check_int("warmup_steps", warmup_steps, 1)
    return build_report(traffic, warmup_steps, config)


def build_report(traffic: TraceTraffic, warmup_steps: int, config: TraceConfig | None = None) -> TraceReport:
    stats = traffic.read_stats
    warmup = traffic.warmup_check(warmup_steps)
    return TraceReport(
        file=stats.name if stats is not None else (config.path if config is not None else "(a frame)"),
        format=stats.format if stats is not None else "",
        layout=stats.layout if stats is not None else "",
        compression=stats.compression if stats is not None else None,
        rows_read=traffic.rows_read,
        rows_kept=traffic.rows_kept,
        rows_dropped={k: int(v) for k, v in traffic.rows_dropped.items()},
        categories=traffic.categories,
        labelled=traffic.labelled,
        start=None if traffic.start_ns is None else pd.Timestamp(traffic.start_ns, tz="UTC"),
        end=None if traffic.end_ns is None else pd.Timestamp(traffic.end_ns, tz="UTC"),
        step_seconds=traffic.step_seconds,
        n_steps=traffic.n_steps,
        node_rule=traffic.node_rule,
        n_nodes=traffic.n_nodes,
        n_campaigns=traffic.n_campaigns,
        warmup=warmup,
        unused_columns=stats.unused_columns if stats is not None else (),
        unknown_protocols=dict(stats.unknown_protocols) if stats is not None else {},
        warnings=tuple(_warnings(traffic, warmup)),
    )


def _warnings(traffic: TraceTraffic, warmup: WarmupCheck) -> list[str]:
    out: list[str] = []
    if not traffic.labelled:
        out.append(
            "unlabelled: the trace carries no labels, so every flow counts as benign; attack flows blocked and "
            "protection are undefined (NaN), while false blocks, signatures and messages are measured"
        )
    elif traffic.n_campaigns == 0:
        out.append(
            "no attacks: no labelled attack flow reaches a kept node, so protection outcomes are undefined (NaN); "
            "false blocks, signatures and messages are measured"
        )
    for r in traffic.categories.itertuples():
        if r.rows_kept == 0:
            out.append(
                f"category {r.category!r}: all {r.rows_found:,} of its rows were dropped (none reaches a kept node "
                f"in time); it is not a campaign"
            )
        elif r.rows_dropped:
            out.append(f"category {r.category!r}: {r.rows_dropped:,} of its {r.rows_found:,} rows were dropped")
    keys = traffic.benign_keys()
    if len(keys) and keys["prefix"].iloc[0] == "0.0.0.0/16" and keys["share"].iloc[0] > 0.5:
        out.append(
            "no source addresses: every flow of a protocol shares one flow key, so a signature cannot tell an "
            "attacker from benign sources (blocking a key blocks all its traffic); signature and blocking outcomes "
            "say little on this trace"
        )
    elif len(keys) and keys["share"].iloc[0] >= KEY_SHARE_WARNING:
        top = keys.iloc[0]
        out.append(
            f"flow keys: {top['share']:.0%} of the benign flows at the kept nodes share one flow key (source "
            f"{top['prefix']}, protocol {top['protocol']}; {len(keys)} keys in all); signatures match flows by key, "
            "so one false rule on it blocks that share of benign traffic at the nodes that apply it"
        )
    if traffic.read_stats is not None:
        out += traffic.read_stats.notes
    out += list(warmup.warnings)
    if warmup.degenerate:
        out.append(
            ("the model refuses this warm-up (warmup_check='refuse'). " if warmup.policy == "refuse" else "")
            + warmup.advice
        )
    return out
