"""How the local detectors do on a trace, per attack category, before the collaborative layer.

It sits above both the model (whose detector banks it runs) and the trace readers (whose binned
traffic it scores), so that neither of those imports the other for it.

For each detector bank (``workbench.model.detectors.make_detector_bank``): fit every node's
detector on a window drawn from its flows of the first ``warmup_steps`` steps
(:meth:`TraceTraffic.warmup_features`, whatever those steps contain), then score every later flow
of every node step by step, exactly as the model does (``predict_flags``, then ``update`` with the
flagged flows left out), without subsampling. Per attack category (and ``"all attacks"``):

* ``roc_auc``: per-flow ROC AUC (``sklearn.metrics.roc_auc_score``) of the anomaly score
  (minus ``score_samples``) separating that category's flows from benign flows, pooled over nodes
  and steps after warm-up; NaN when either class has no flow;
* ``recall``: fraction of the category's flows flagged at the detector's own threshold;
* ``fpr``: fraction of benign flows flagged (the same for every category of a detector);
* ``fit``: ``"ok"``, or why the detector did not fit this trace: ``"degenerate warm-up"`` (most
  nodes fitted on a handful of flows or on a feature that does not vary: see
  :class:`workbench.traces.WarmupCheck`), ``"flags most benign flows"`` (FPR of at least
  :data:`FAILED_FPR`: it separates nothing, whatever the AUC) or ``"no benign flow scored"``.

Flows of the warm-up steps are not scored. Unlabelled flows count as benign. A trace without attack
flows gives only the ``"all attacks"`` row, with NaN AUC and recall and the FPR measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.metrics import roc_auc_score

from workbench.model.detectors import make_detector_bank
from workbench.model.phases.detection import kept_out
from workbench.options import DETECTORS
from workbench.traces import TraceError, TraceTraffic
from workbench.validation import check_choice, check_int

ALL_ATTACKS = "all attacks"
#: a detector flagging at least this share of benign flows has not learnt the node's normal traffic
FAILED_FPR = 0.5


def score_trace(
    traffic: TraceTraffic,
    detector: str,
    *,
    warmup_steps: int,
    warmup_flows_per_node: int = 256,
    rng: np.random.Generator | None = None,
    **detector_options: Any,
) -> pd.DataFrame:
    """Every flow after warm-up with its ``step``, ``node``, ``label`` (0 benign, c + 1 campaign c),
    anomaly ``score`` (higher = more anomalous) and ``flagged``, for one detector bank."""
    check_choice("detector", detector, DETECTORS)
    rng = np.random.default_rng(0) if rng is None else rng
    bank = make_detector_bank(detector, rng=rng, **detector_options)
    bank.fit(traffic.warmup_features(warmup_steps, warmup_flows_per_node, rng))
    parts = []
    for t in range(warmup_steps, traffic.n_steps):  # a loop over steps; each step is vectorised over flows
        feats, node = traffic.features_of(t)
        if node.size == 0:
            continue
        col = np.arange(node.size) - np.searchsorted(node, node, side="left")  # flows are sorted by node
        X = np.zeros((traffic.n_nodes, int(col.max()) + 1, feats.shape[1]))
        valid = np.zeros(X.shape[:2], bool)
        X[node, col], valid[node, col] = feats, True
        scores, flags = bank.predict_flags(X)
        bank.update(X, kept_out(bank, scores, flags, valid=valid))  # as the model: padding never enters a baseline
        parts.append(
            pd.DataFrame(
                {
                    "step": t,
                    "node": node,
                    "label": traffic.labels_of(t),
                    "score": -scores[node, col],
                    "flagged": flags[node, col],
                }
            )
        )
    if not parts:
        raise TraceError(f"no flow after the {warmup_steps} warm-up steps (the trace has {traffic.n_steps} steps)")
    return pd.concat(parts, ignore_index=True)


def detector_report(
    trace: TraceTraffic | pd.DataFrame | pa.Table,
    detectors: Sequence[str] = ("zscore", "iforest"),
    *,
    warmup_steps: int,
    step_seconds: float | None = None,
    max_nodes: int | None = None,
    node_rule: str = "host",
    rows_per_step: int | None = None,
    warmup_flows_per_node: int = 256,
    seed: int = 0,
    **detector_options: Any,
) -> pd.DataFrame:
    """Per detector and attack category: flows scored, ROC AUC, recall and FPR (see the module docstring).

    ``trace`` is a :class:`TraceTraffic`, or a flow frame/table binned here with ``step_seconds``,
    ``max_nodes``, ``node_rule`` and ``rows_per_step``. ``detector_options`` go to
    ``make_detector_bank`` (``zscore_threshold``, ``iforest_trees``, ...). Each detector draws from
    its own generator seeded from ``seed``, so the report is reproducible.
    """
    if not isinstance(trace, TraceTraffic):
        if step_seconds is None or max_nodes is None:
            raise TraceError(
                "detector_report on a flow table needs step_seconds and max_nodes (or pass a TraceTraffic)"
            )
        trace = TraceTraffic(
            trace, step_seconds=step_seconds, max_nodes=max_nodes, node_rule=node_rule, rows_per_step=rows_per_step
        )
    warmup_steps = check_int("warmup_steps", warmup_steps, 1, max(trace.n_steps - 1, 1))
    degenerate = trace.warmup_check(warmup_steps).degenerate
    rows = []
    for k, name in enumerate(detectors):
        rng = np.random.default_rng([seed, k])
        scored = score_trace(
            trace,
            name,
            warmup_steps=warmup_steps,
            warmup_flows_per_node=warmup_flows_per_node,
            rng=rng,
            **detector_options,
        )
        label, score, flagged = scored["label"].to_numpy(), scored["score"].to_numpy(), scored["flagged"].to_numpy()
        benign = label == 0
        fpr = float(flagged[benign].mean()) if benign.any() else float("nan")
        fit = (
            "degenerate warm-up"
            if degenerate
            else "no benign flow scored"
            if not benign.any()
            else "flags most benign flows"
            if fpr >= FAILED_FPR
            else "ok"
        )
        groups = [(c, trace.campaign_labels[c], label == c + 1) for c in range(trace.n_campaigns)]
        groups.append((-1, ALL_ATTACKS, label > 0))
        for c, category, attack in groups:
            both = attack | benign
            auc = float(roc_auc_score(attack[both], score[both])) if attack.any() and benign.any() else float("nan")
            rows.append(
                {
                    "detector": name,
                    "attack_category": category,
                    "campaign": c,
                    "n_attack_flows": int(attack.sum()),
                    "n_benign_flows": int(benign.sum()),
                    "roc_auc": auc,
                    "recall": float(flagged[attack].mean()) if attack.any() else float("nan"),
                    "fpr": fpr,
                    "fit": fit,
                    "warmup_steps": warmup_steps,
                }
            )
    return pd.DataFrame(rows)
