"""A trace as the model's per-step traffic: nodes, steps, campaigns and fixed-shape flow arrays.

:class:`TraceTraffic` turns a flow table (the schema of :mod:`workbench.traces.schema`) into what
the model consumes from :class:`~workbench.model.traffic.TrafficGenerator`:

* **nodes**: the ``max_nodes`` busiest destinations (most flows over the whole trace; ties by
  name) under a node rule: ``"host"`` (destination address), ``"subnet24"`` (destination IPv4 /24;
  an IPv6 destination is grouped by the /24 of its pseudo address, i.e. per address), ``"port"``
  (destination port: for files without addresses), ``"all"`` (one node). Flows to other
  destinations are dropped (counted in :meth:`TraceTraffic.summary`).
* **steps**: ``step = floor((timestamp - first timestamp) / step_seconds)``; a trace without
  timestamps needs ``rows_per_step`` (steps are then blocks of consecutive rows).
* **campaigns**: each labelled attack category seen at a node is a campaign, indexed in order of
  the first step it is seen (ties by name); flows carry label ``c + 1`` for campaign ``c``, 0 for
  benign, as in the synthetic model.
* **flows per step**: real nodes see a variable number of flows per step, the model's arrays are
  ``(n_nodes, flows_per_node)``. :meth:`TraceTraffic.step` pads a node with fewer flows and
  subsamples a node with more (uniformly without replacement, from the model's Generator), and
  returns a boolean ``valid`` mask. Padding flows have ``label == PAD_LABEL`` (-1), address 0,
  protocol 0 and features 0: code that counts ``label == 0`` as benign or ``label > 0`` as attack
  never counts them, but flags, blocks and detector updates must be masked with ``valid``.
  Cost of the choice: arrays sized by the busiest node (``flows_per_node=None`` takes each step's
  maximum, exact but as wide as the busiest node), or subsampling (``flows_per_node`` fixed: a
  node over the cap is seen through a uniform sample; ``TraceStep.n_flows`` keeps the true counts
  so rates can be reweighted). :meth:`TraceTraffic.flows_per_node_quantile` helps choose the cap.

Features are those of the synthetic model (:meth:`Flows.features`), as ``log(1 + x)`` because
trace counters can be 0: log bytes, log packets, log duration in milliseconds (and log bytes per
packet = log bytes - log packets). Source addresses map to the model's ``uint32`` by
:func:`~workbench.traces.schema.ipv4_to_uint32`, so the flow key is the source /16 prefix and the
protocol (:func:`workbench.flows.flow_key`); without source addresses every flow of a
protocol shares one key.

Warm-up (:meth:`TraceTraffic.warmup_features`) uses the first steps of the trace, whatever they
contain: attacks in those steps are learnt as normal.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.flows import Flows, flow_key
from workbench.options import TRACE_NODE_RULES
from workbench.trace_config import TraceConfig
from workbench.traces.csvio import ReadStats, TraceError
from workbench.traces.readers import read_flows
from workbench.traces.schema import SCHEMA_COLUMNS, UNLABELLED, ipv4_to_uint32, uint32_to_ipv4
from workbench.validation import Range, check_choice, check_int, check_number

NODE_RULES = TRACE_NODE_RULES
PAD_LABEL = -1
WARMUP_CHECKS = ("refuse", "warn")
#: reasons the binning drops a row (keys of :attr:`TraceTraffic.rows_dropped`, beside the readers')
MISSING_TIMESTAMP, OUT_OF_ORDER, OUTSIDE_NODES = "missing timestamp", "out of time order", "outside kept nodes"


@dataclass(frozen=True)
class TraceStep:
    """One step of a trace for all nodes.

    ``flows`` arrays and ``valid`` have shape ``(n_nodes, flows_per_node)``; ``n_flows`` ``(n_nodes,)``
    is the number of flows each node really saw in the step (before padding or subsampling).
    """

    flows: Flows
    valid: np.ndarray
    n_flows: np.ndarray

    @property
    def weight(self) -> np.ndarray:
        """Real flows each kept flow stands for, per node ``(n_nodes,)`` (1 unless subsampled)."""
        kept = self.valid.sum(axis=1)
        return np.where(kept > 0, self.n_flows / np.maximum(kept, 1), 0.0)


class TraceTraffic:
    """A flow trace binned into steps at its busiest destinations (see the module docstring).

    ``trace`` is a frame or Arrow table of the flow schema (what :func:`~workbench.traces.read_trace`
    returns); the binning arguments are the fields of :class:`~workbench.trace_config.TraceConfig`,
    checked against its ranges: ``step_seconds`` (> 0), ``max_nodes`` (fewer nodes if the trace has
    fewer), ``node_rule``, ``flows_per_node`` (the width of :meth:`step`'s arrays; ``None`` sizes each
    step by its busiest node) and ``rows_per_step`` (traces without timestamps; ``None`` or 0: bin by
    timestamp). :meth:`from_config` reads and bins a file.
    """

    def __init__(
        self,
        trace: pd.DataFrame | pa.Table,
        *,
        step_seconds: float,
        max_nodes: int,
        node_rule: str = "host",
        flows_per_node: int | None = None,
        rows_per_step: int | None = None,
        anchor_quantile: float = 0.0,
        min_warmup_flows: int = 5,
        warmup_check: str = "refuse",
        read_stats: ReadStats | None = None,
    ) -> None:
        check = TraceConfig.check_field
        self.step_seconds = float(check("step_seconds", step_seconds))
        self.max_nodes = int(check("max_nodes", max_nodes))
        self.node_rule = check("node_rule", node_rule)
        self.flows_per_node = check("flows_per_node", flows_per_node)
        self.rows_per_step = check("rows_per_step", rows_per_step or 0) or None
        self.anchor_quantile = float(check_number("anchor_quantile", anchor_quantile, Range(0.0, 1.0, high_open=True)))
        self.min_warmup_flows = check_int("min_warmup_flows", min_warmup_flows, 1)
        self.warmup_policy = check_choice("warmup_check", warmup_check, WARMUP_CHECKS)
        self.read_stats = read_stats
        table = _as_table(trace)
        if table.num_rows == 0:
            raise TraceError("the trace has no flow records")
        self.n_rows_total = table.num_rows
        self.rows_read = read_stats.rows_read if read_stats is not None else table.num_rows
        self.rows_dropped: Counter = Counter(read_stats.dropped if read_stats is not None else {})
        self.labelled = bool(pc.any(pc.not_equal(table.column("label"), UNLABELLED)).as_py())
        found = _categories(table)
        step, in_time = self._steps(table)
        if not in_time.all():
            table, step = table.filter(pa.array(in_time)), step[in_time]
        if table.num_rows == 0:
            raise TraceError("no flow record is left after dropping those out of time order; lower anchor_quantile")
        node, self.node_names = self._nodes(table)
        keep = node >= 0
        self.n_rows_dropped = int((~keep).sum())
        self.rows_dropped[OUTSIDE_NODES] += self.n_rows_dropped
        kept = table.filter(pa.array(keep))
        node, step = node[keep], step[keep]
        self._build(kept, node, step)
        self.rows_kept = kept.num_rows
        self.categories = self._category_table(found)
        self._warmup_checks: dict[int, WarmupCheck] = {}

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_config(cls, config: TraceConfig) -> TraceTraffic:
        """Read ``config.path`` (see :func:`~workbench.traces.read_trace`) and bin it as ``config`` says
        (:func:`~workbench.traces.load_traffic`: the same, memoised per process)."""
        table, stats = read_flows(config.path, config.format, **config.reader_options())
        return cls.from_table(table, config, stats)

    @classmethod
    def from_table(cls, table: pa.Table, config: TraceConfig, stats: ReadStats | None = None) -> TraceTraffic:
        """Bin an already read flow table as ``config`` says (``stats``: what its reader saw)."""
        return cls(
            table,
            step_seconds=config.step_seconds,
            max_nodes=config.max_nodes,
            node_rule=config.node_rule,
            flows_per_node=config.flows_per_node,
            rows_per_step=config.rows_per_step,
            read_stats=stats,
            **config.binning_options(),
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike, format: str, **settings: Any) -> TraceTraffic:
        """:meth:`from_config` of ``TraceConfig(path, format, ...)``: ``settings`` are the config's
        binning fields (``step_seconds``, ``max_nodes``, ...) and, besides, the format's reader options."""
        fields = set(TraceConfig.__dataclass_fields__) - {"path", "format", "options"}
        binning = {k: v for k, v in settings.items() if k in fields}
        options = {k: v for k, v in settings.items() if k not in fields}
        return cls.from_config(TraceConfig(str(path), format, options=tuple(options.items()), **binning))

    def _steps(self, table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
        """The step of every row and which rows are in time (a timestamp at or after the anchor)."""
        ts = table.column("timestamp")
        n = table.num_rows
        self.start_ns: int | None = None
        self.end_ns: int | None = None
        self._quantile_ns: dict[float, int] = {}
        if ts.null_count == n:
            if self.rows_per_step is None:
                raise TraceError(
                    "the trace has no timestamps (e.g. CIC machine-learning CSVs, UNSW train/test, NetFlow "
                    "feature exports); give rows_per_step to form steps from consecutive rows"
                )
            return np.arange(n, dtype=np.int64) // self.rows_per_step, np.ones(n, bool)
        has = ts.is_valid().to_numpy(zero_copy_only=False)
        ns = pc.cast(ts.cast(pa.timestamp("ns", tz="UTC")), pa.int64()).fill_null(0).to_numpy()
        if not has.all():
            self.rows_dropped[MISSING_TIMESTAMP] += int((~has).sum())
        present = np.sort(ns[has])
        self.first_ns = int(present[0])
        self._quantile_ns = {q: int(present[int(np.floor(q * (present.size - 1)))]) for q in (0.001, 0.01, 0.05, 0.5)}
        self.start_ns = int(present[int(np.floor(self.anchor_quantile * (present.size - 1)))])
        self.end_ns = int(present[-1])
        in_time = has & (ns >= self.start_ns)
        self.rows_dropped[OUT_OF_ORDER] += int((has & ~in_time).sum())
        return ((ns - self.start_ns) // round(self.step_seconds * 1e9)).astype(np.int64), in_time

    def _nodes(self, table: pa.Table) -> tuple[np.ndarray, tuple[str, ...]]:
        """Node index of every row (-1: not among the busiest) and the node names, busiest first."""
        n = table.num_rows
        rule = self.node_rule
        if rule == "all":
            return np.zeros(n, np.int64), ("all",)
        if rule == "port":
            port = table.column("dst_port").to_numpy()
            if (port < 0).all():
                raise TraceError(
                    "node_rule='port' needs destination ports; this trace has none "
                    "(e.g. UNSW train/test CSVs): use node_rule='all'"
                )
            codes, uniques = pd.factorize(np.where(port < 0, -1, port))
            names = np.array([f"port {p}" for p in uniques])
            codes = np.where(uniques[codes] < 0, -1, codes)
        else:
            dst = table.column("dst_addr")
            if dst.null_count == n:
                raise TraceError(
                    f"node_rule={rule!r} needs destination addresses; this trace has none "
                    "(e.g. CIC machine-learning CSVs, UNSW train/test): use node_rule='port' or 'all'"
                )
            if rule == "host":
                encoded = (
                    pc.dictionary_encode(dst).combine_chunks()
                    if isinstance(dst, pa.ChunkedArray)
                    else pc.dictionary_encode(dst)
                )
                codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
                names = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
            else:  # subnet24
                net = (ipv4_to_uint32(dst) >> np.uint32(8)).astype(np.int64)
                net = np.where(dst.is_null().to_numpy(zero_copy_only=False), -1, net)
                codes, uniques = pd.factorize(net)
                names = np.array([a + "/24" for a in uint32_to_ipv4(np.maximum(uniques, 0).astype(np.uint64) << 8)])
                codes = np.where(uniques[codes] < 0, -1, codes)
        counts = np.bincount(codes[codes >= 0], minlength=len(names))
        order = np.lexsort((names.astype(str), -counts))  # busiest first, ties by name
        order = order[counts[order] > 0][: self.max_nodes]
        remap = np.full(len(names) + 1, -1, np.int64)
        remap[order] = np.arange(order.size)
        return remap[codes], tuple(str(x) for x in names[order])

    def _build(self, kept: pa.Table, node: np.ndarray, step: np.ndarray) -> None:
        n = kept.num_rows
        codes, uniques = pd.factorize(_category_column(kept))  # -1 for benign
        first = np.full(len(uniques), np.iinfo(np.int64).max)
        np.minimum.at(first, codes[codes >= 0], step[codes >= 0])
        camp_order = np.lexsort((np.asarray(uniques, dtype=str), first))
        rank = np.zeros(len(uniques) + 1, np.int64)  # the extra entry keeps a trace without attacks indexable
        rank[camp_order] = np.arange(len(uniques))
        label = np.where(codes >= 0, rank[np.maximum(codes, 0)] + 1, 0).astype(np.int16)
        self.campaign_labels: tuple[str, ...] = tuple(str(uniques[i]) for i in camp_order)
        self.campaign_first_step = first[camp_order]

        self.n_nodes = len(self.node_names)
        self.n_steps = int(step.max()) + 1 if n else 0
        order = np.lexsort((np.arange(n), node, step))  # by step, node, then file order
        self._node = node[order]
        self._step_start = np.searchsorted(step[order], np.arange(self.n_steps + 1))
        self._label = label[order]
        self._src_ip = ipv4_to_uint32(kept.column("src_addr"))[order]
        self._proto = kept.column("protocol").to_numpy()[order].astype(np.int16)
        self._port = kept.column("dst_port").to_numpy()[order].astype(np.int32)
        with np.errstate(invalid="ignore"):
            self._log_bytes = np.log1p(kept.column("bytes").to_numpy()[order].astype(np.float64))
            self._log_packets = np.log1p(kept.column("packets").to_numpy()[order].astype(np.float64))
            self._log_duration = np.log1p(kept.column("duration_s").to_numpy()[order] * 1000.0)
        # flows per (step, class): class 0 benign, c + 1 campaign c
        n_cls = len(self.campaign_labels) + 1
        self.label_matrix = np.bincount(step[order] * n_cls + self._label, minlength=self.n_steps * n_cls).reshape(
            self.n_steps, n_cls
        )
        self._counts = np.bincount(
            step[order] * self.n_nodes + self._node, minlength=self.n_steps * self.n_nodes
        ).reshape(self.n_steps, self.n_nodes)

    # ---------------------------------------------------------------- what the model reads
    @property
    def n_campaigns(self) -> int:
        return len(self.campaign_labels)

    @property
    def campaigns(self) -> pd.DataFrame:
        """One row per campaign: ``campaign`` index, ``name`` (its label), ``first_step``, ``n_flows``,
        ``n_nodes_hit``."""
        hit = np.zeros((self.n_campaigns, self.n_nodes), bool)
        attack = self._label > 0
        hit[self._label[attack] - 1, self._node[attack]] = True
        return pd.DataFrame(
            {
                "campaign": np.arange(self.n_campaigns),
                "name": list(self.campaign_labels),
                "first_step": self.campaign_first_step.astype(np.int64),
                "n_flows": self.label_matrix[:, 1:].sum(axis=0).astype(np.int64),
                "n_nodes_hit": hit.sum(axis=1),
            }
        )

    def _warmup_advice(self, warmup_steps: int) -> str:
        """What to change when the warm-up is too thin, from where the trace's time goes."""
        tip = (
            "Raise warmup_steps or step_seconds, lower max_nodes, or give trace_options={'warmup_check': 'warn'} "
            "to go on"
        )
        if self.start_ns is not None and self._quantile_ns:
            gap = (self._quantile_ns[0.01] - self.start_ns) / 1e9
            if gap > warmup_steps * self.step_seconds:
                tip = (
                    f"The first 1% of the rows lie {gap:,.0f} s before the rest (stray early rows?): re-anchor the "
                    "steps with trace_options={'anchor_quantile': 0.01}; or r" + tip[1:]
                )
        return tip

    def _category_table(self, found: pd.Series) -> pd.DataFrame:
        """Attack categories found in the rows read, and how many of their rows were kept (the
        campaigns) or dropped (outside the kept nodes, out of time order ...)."""
        kept = dict(zip(self.campaign_labels, self.label_matrix[:, 1:].sum(axis=0).tolist(), strict=True))
        names = list(found.index) + [c for c in self.campaign_labels if c not in found.index]
        rows_found = [int(found.get(c, 0)) for c in names]
        rows_kept = [int(kept.get(c, 0)) for c in names]
        frame = pd.DataFrame(
            {
                "category": names,
                "rows_found": rows_found,
                "rows_kept": rows_kept,
                "rows_dropped": [f - k for f, k in zip(rows_found, rows_kept, strict=True)],
                "campaign": [self.campaign_labels.index(c) if c in kept else -1 for c in names],
            }
        )
        return frame.sort_values(
            ["rows_kept", "rows_found", "category"], ascending=[False, False, True], ignore_index=True
        )

    def flows_per_node_quantile(self, q: float = 0.99) -> int:
        """The ``q`` quantile of flows per (node, step) with any flow: a cap for ``flows_per_node``."""
        c = self._counts[self._counts > 0]
        return int(np.ceil(np.quantile(c, q))) if c.size else 1

    def summary(self) -> dict[str, Any]:
        """Rows read and kept, nodes, steps, campaigns and the spread of flows per node and step
        (:func:`workbench.traces.trace_report` says more)."""
        c = self._counts
        return {
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_dropped": dict(self.rows_dropped),
            "n_rows": self.n_rows_total,
            "n_rows_dropped_other_destinations": self.n_rows_dropped,
            "n_nodes": self.n_nodes,
            "n_steps": self.n_steps,
            "step_seconds": self.step_seconds,
            "n_campaigns": self.n_campaigns,
            "max_flows_per_node_step": int(c.max()) if c.size else 0,
            "mean_flows_per_node_step": float(c.mean()) if c.size else 0.0,
        }

    def warmup_check(self, warmup_steps: int) -> WarmupCheck:
        """How the detectors' warm-up looks with the first ``warmup_steps`` steps (see :class:`WarmupCheck`)."""
        warmup_steps = check_int("warmup_steps", warmup_steps, 1)
        if warmup_steps not in self._warmup_checks:
            self._warmup_checks[warmup_steps] = WarmupCheck.of(self, warmup_steps)
        return self._warmup_checks[warmup_steps]

    def targeted(self, t: int) -> np.ndarray:
        """``(n_campaigns, n_nodes)`` bool: campaign ``c`` sent at least one flow to the node in step ``t``."""
        s, e = self._span(t)
        out = np.zeros((self.n_campaigns, self.n_nodes), bool)
        attack = self._label[s:e] > 0
        out[self._label[s:e][attack] - 1, self._node[s:e][attack]] = True
        return out

    def step(self, t: int, rng: np.random.Generator | None = None) -> TraceStep:
        """The flows of every node in step ``t`` as fixed-shape arrays (see the module docstring).

        Subsampling (only where a node has more than ``flows_per_node`` flows) draws from ``rng``;
        with ``rng=None`` a node keeps its first flows in file order. No loop over flows.
        """
        s, e = self._span(t)
        node = self._node[s:e]
        counts = self._counts[t] if 0 <= t < self.n_steps else np.zeros(self.n_nodes, np.int64)
        width = self.flows_per_node or max(int(counts.max()) if counts.size else 0, 1)
        idx = np.arange(s, e)
        if counts.max(initial=0) > width and rng is not None:
            perm = np.lexsort((rng.random(e - s), node))  # shuffle within each node
            idx, node = idx[perm], node[perm]
        start = np.searchsorted(node, node, side="left")  # node is sorted: first position of its node
        col = np.arange(e - s) - start
        sel = col < width
        idx, row, col = idx[sel], node[sel], col[sel]
        shape = (self.n_nodes, width)

        def fill(values: np.ndarray, pad: float | int, dtype: Any) -> np.ndarray:
            out = np.full(shape, pad, dtype=dtype)
            out[row, col] = values[idx]
            return out

        valid = np.zeros(shape, bool)
        valid[row, col] = True
        flows = Flows(
            src_ip=fill(self._src_ip, 0, np.uint32),
            dst_port=fill(self._port, -1, np.int32),
            proto=fill(self._proto, 0, np.int16),
            log_bytes=fill(self._log_bytes, 0.0, np.float64),
            log_packets=fill(self._log_packets, 0.0, np.float64),
            log_duration=fill(self._log_duration, 0.0, np.float64),
            label=fill(self._label, PAD_LABEL, np.int16),
        )
        return TraceStep(flows, valid, counts.astype(np.int64))

    def warmup_features(self, warmup_steps: int, n_per_node: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """Detector warm-up window ``(n_nodes, n_per_node, 4)`` from the first ``warmup_steps`` steps.

        Each node's window is drawn with replacement from its own flows of those steps (whatever
        they contain, attacks included); a node without any flow there draws from all nodes'
        warm-up flows. With ``rng=None`` the draw is evenly spaced instead of random.
        """
        warmup_steps = check_int("warmup_steps", warmup_steps, 1)
        n_per_node = check_int("n_per_node", n_per_node, 1)
        e = self._span(min(warmup_steps, self.n_steps) - 1)[1]
        if e == 0:
            raise TraceError(f"no flow at any node in the first {warmup_steps} steps; nothing to fit detectors on")
        node = self._node[:e]
        order = np.lexsort((np.arange(e), node))
        count = np.bincount(node, minlength=self.n_nodes)
        begin = np.concatenate([[0], np.cumsum(count)[:-1]])
        empty = count == 0
        begin = np.where(empty, 0, begin)
        size = np.where(empty, e, count)
        u = (
            rng.random((self.n_nodes, n_per_node))
            if rng is not None
            else np.broadcast_to((np.arange(n_per_node) + 0.5) / n_per_node, (self.n_nodes, n_per_node))
        )
        pos = begin[:, None] + np.minimum((u * size[:, None]).astype(np.int64), size[:, None] - 1)
        pick = np.where(empty[:, None], pos, order[np.minimum(pos, e - 1)])
        return self._features(pick)

    def probes(
        self, n: int = 256, rng: np.random.Generator | None = None, main_key: bool = False
    ) -> list[dict[str, np.ndarray]]:
        """A sample of ``n`` flows of each campaign (drawn with replacement from all its flows at
        nodes), as the synthetic :meth:`TrafficGenerator.probes` gives: ground truth for which
        campaign a signature rule covers. Keys: ``src_ip``, ``dst_port``, ``proto``, ``log_bytes``,
        ``log_packets``, ``log_duration``. ``rng=None`` takes evenly spaced flows instead.
        ``main_key=True`` draws only from the campaign's flows with its main flow key
        (:meth:`campaign_keys`), as the model's coverage test compares one key per campaign."""
        n = check_int("n", n, 1)
        keys = self.campaign_keys() if main_key else None
        out = []
        for c in range(self.n_campaigns):  # a loop over campaigns, not flows
            own = np.flatnonzero(self._label == c + 1)
            if keys is not None:
                own = own[flow_key(self._src_ip[own], self._proto[own]) == keys[c]]
            pos = (
                rng.integers(0, own.size, n)
                if rng is not None
                else ((np.arange(n) + 0.5) * own.size / n).astype(np.int64)
            )
            idx = own[pos]
            out.append(
                {
                    "src_ip": self._src_ip[idx],
                    "dst_port": self._port[idx],
                    "proto": self._proto[idx],
                    "log_bytes": self._log_bytes[idx],
                    "log_packets": self._log_packets[idx],
                    "log_duration": self._log_duration[idx],
                }
            )
        return out

    def campaign_keys(self) -> np.ndarray:
        """Each campaign's main flow key ``(n_campaigns,)``: the most common (source /16 prefix * 256
        + protocol) among its flows at nodes (ties: the smallest key)."""
        attack = np.flatnonzero(self._label > 0)
        keys = flow_key(self._src_ip[attack], self._proto[attack])
        out = np.zeros(self.n_campaigns, np.int64)
        if attack.size == 0:
            return out
        pair, counts = np.unique(np.stack([self._label[attack].astype(np.int64) - 1, keys]), axis=1, return_counts=True)
        # per campaign, the key with the most flows; lexsort puts the smallest key first among ties
        order = np.lexsort((pair[1], -counts, pair[0]))
        first = np.unique(pair[0][order], return_index=True)[1]
        out[pair[0][order][first]] = pair[1][order][first]
        return out

    def benign_keys(self) -> pd.DataFrame:
        """Benign flows at nodes per flow key (source /16 and protocol), most first: ``prefix``
        (``a.b.0.0/16``), ``protocol``, ``flows``, ``share``."""
        sel = self._label == 0
        keys, counts = np.unique(flow_key(self._src_ip[sel], self._proto[sel]), return_counts=True)
        order = np.lexsort((keys, -counts))
        keys, counts = keys[order], counts[order]
        prefix = uint32_to_ipv4((keys >> 8).astype(np.uint64) << 16)
        return pd.DataFrame(
            {
                "prefix": [f"{p}/16" for p in prefix],
                "protocol": (keys & 0xFF).astype(np.int16),
                "flows": counts,
                "share": counts / max(int(counts.sum()), 1),
            }
        )

    def benign_services(self, k: int = 8) -> pd.DataFrame:
        """The ``k`` most common (source /16 prefix, destination port, protocol) of benign flows at
        nodes, with ``weight`` = their share among these ``k``: where a forger aims a fake rule
        (the trace's counterpart of the synthetic generator's popular services). All flows are used
        when the trace has no benign flow."""
        k = check_int("k", k, 1)
        sel = np.flatnonzero(self._label == 0)
        if sel.size == 0:
            sel = np.arange(self._label.size)
        prefix = (self._src_ip[sel] >> np.uint32(16)).astype(np.int64)
        port = np.maximum(self._port[sel], 0).astype(np.int64)
        combo = (prefix << 24) | (port << 8) | self._proto[sel].astype(np.int64)
        uniq, counts = np.unique(combo, return_counts=True)
        top = np.lexsort((uniq, -counts))[:k]
        uniq, counts = uniq[top], counts[top]
        return pd.DataFrame(
            {
                "prefix": uniq >> 24,
                "port": ((uniq >> 8) & 0xFFFF).astype(np.int32),
                "proto": (uniq & 0xFF).astype(np.int16),
                "weight": counts / counts.sum(),
            }
        )

    def features_of(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """All flows of step ``t`` as ``(features (n, 4), node (n,))`` without padding (for reports)."""
        s, e = self._span(t)
        return self._features(np.arange(s, e)), self._node[s:e]

    def labels_of(self, t: int) -> np.ndarray:
        s, e = self._span(t)
        return self._label[s:e]

    def _features(self, idx: np.ndarray) -> np.ndarray:
        lb, lp = self._log_bytes[idx], self._log_packets[idx]
        return np.stack([lb, lp, self._log_duration[idx], lb - lp], axis=-1)

    def _span(self, t: int) -> tuple[int, int]:
        if not 0 <= t < self.n_steps:
            return 0, 0
        return int(self._step_start[t]), int(self._step_start[t + 1])


FEATURE_NAMES = ("log bytes", "log packets", "log duration", "log bytes per packet")


@dataclass(frozen=True)
class WarmupCheck:
    """The detectors' warm-up on a trace: its first ``warmup_steps`` steps.

    ``per_node``: one row per node with its own ``warmup_flows`` in those steps, ``flows_per_step``
    (their mean per step), ``pooled`` (it has none: its detector is fitted on all nodes' warm-up
    flows), ``thin`` (the flows it is fitted on, its own or the pooled ones, are fewer than
    ``min_warmup_flows``) and ``constant_features`` (features with a single value among those flows:
    a robust z-score then divides by a floor, and flags any other value).
    ``attacks``: flows of each attack category inside the warm-up (learnt as normal traffic).
    ``degenerate``: more than half the nodes are thin or have a constant feature; the model refuses
    such a warm-up unless ``trace_options={"warmup_check": "warn"}``. ``warnings``: sentences.
    """

    warmup_steps: int
    min_warmup_flows: int
    per_node: pd.DataFrame
    attacks: dict[str, int]
    degenerate: bool
    warnings: tuple[str, ...]
    advice: str
    policy: str

    @classmethod
    def of(cls, trace: TraceTraffic, warmup_steps: int) -> WarmupCheck:
        w = min(warmup_steps, trace.n_steps)
        e = trace._span(w - 1)[1] if w > 0 else 0
        node = trace._node[:e]
        count = np.bincount(node, minlength=trace.n_nodes)
        pooled = count == 0  # fitted on all nodes' warm-up flows
        window = np.where(pooled, e, count)  # the flows each node's detector is fitted on
        constant = np.ones((trace.n_nodes, len(FEATURE_NAMES)), bool)
        if e:
            feats = pd.DataFrame(trace._features(np.arange(e)), columns=list(FEATURE_NAMES))
            grouped = feats.groupby(node)
            spread = (grouped.max() - grouped.min()).reindex(range(trace.n_nodes)).to_numpy()
            pooled_spread = (feats.max() - feats.min()).to_numpy()
            spread = np.where(pooled[:, None], pooled_spread[None, :], spread)
            constant = (spread == 0) | (window < 2)[:, None]
        thin = window < trace.min_warmup_flows
        per_node = pd.DataFrame(
            {
                "node": np.arange(trace.n_nodes),
                "name": list(trace.node_names),
                "warmup_flows": count,
                "flows_per_step": count / max(w, 1),
                "pooled": pooled,
                "thin": thin,
                "constant_features": [
                    ", ".join(f for f, c in zip(FEATURE_NAMES, row, strict=True) if c) for row in constant
                ],
            }
        )
        bad = thin | constant.any(axis=1)
        attacks = {trace.campaign_labels[c]: int(n) for c, n in enumerate(trace.label_matrix[:w, 1:].sum(axis=0)) if n}
        warnings = []
        if thin.any():
            warnings.append(
                f"thin warm-up: {int(thin.sum())} of {trace.n_nodes} nodes are fitted on fewer than "
                f"{trace.min_warmup_flows} flows in the {warmup_steps} warm-up steps (own flows per node: median "
                f"{np.median(count):.0f}; {int(pooled.sum())} nodes have none and are fitted on all nodes' {e} "
                "warm-up flows)"
            )
        if constant.any():
            which = ", ".join(f"{f} ({int(n)})" for f, n in zip(FEATURE_NAMES, constant.sum(axis=0), strict=True) if n)
            warnings.append(
                f"zero variance: {int(constant.any(axis=1).sum())} of {trace.n_nodes} nodes are fitted on flows with "
                f"a feature of one value (nodes per feature: {which}); a z-score detector flags any other value there"
            )
        for name, n in attacks.items():
            warnings.append(
                f"attack in warm-up: {n:,} flow(s) of {name!r} fall in the {warmup_steps} warm-up steps; the detectors "
                "learn them as normal traffic"
            )
        return cls(
            warmup_steps,
            trace.min_warmup_flows,
            per_node,
            attacks,
            bool(bad.mean() > 0.5) if trace.n_nodes else True,
            tuple(warnings),
            trace._warmup_advice(warmup_steps),
            trace.warmup_policy,
        )

    def require(self) -> None:
        """Raise :class:`TraceError` for a degenerate warm-up (unless the policy is ``"warn"``)."""
        if not self.degenerate or self.policy == "warn":
            return
        n = len(self.per_node)
        bad = int((self.per_node["thin"] | (self.per_node["constant_features"] != "")).sum())
        raise TraceError(
            f"the detectors' warm-up is degenerate: {bad} of {n} nodes would be fitted on fewer than "
            f"{self.min_warmup_flows} flows of the first {self.warmup_steps} steps, or on flows with a feature that "
            f"does not vary ({'; '.join(self.warnings[:2])}). {self.advice}"
        )


def _category_column(table: pa.Table) -> pd.Series:
    """Each row's attack category (its label where no category is given), None for benign rows."""
    is_attack = table.column("is_attack").to_numpy()
    category = pc.coalesce(table.column("attack_category"), table.column("label"))
    return pd.Series(category.to_numpy(zero_copy_only=False), dtype=object).where(is_attack, None)


def _categories(table: pa.Table) -> pd.Series:
    """Rows per attack category in ``table`` (the categories found)."""
    return _category_column(table).value_counts(dropna=True)


def _as_table(trace: pd.DataFrame | pa.Table) -> pa.Table:
    if isinstance(trace, pd.DataFrame):
        missing = [c for c in SCHEMA_COLUMNS if c not in trace.columns]
        if missing:
            raise TraceError(f"the trace frame lacks column(s) {missing}; columns found: {list(trace.columns)}")
        return pa.Table.from_pandas(trace[list(SCHEMA_COLUMNS)], preserve_index=False)
    if isinstance(trace, pa.Table):
        missing = [c for c in SCHEMA_COLUMNS if c not in trace.column_names]
        if missing:
            raise TraceError(f"the trace table lacks column(s) {missing}; columns found: {trace.column_names}")
        return trace
    raise TraceError(
        f"trace={type(trace).__name__} is not allowed; pass a pandas DataFrame or a pyarrow Table "
        "of the flow schema (see workbench.traces.read_trace)"
    )
