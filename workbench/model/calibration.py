"""Measure a detector's per-flow false-positive rate and recall on the traffic generator's own flows.

The detector is used exactly as the model uses it (``ThreatIntelModel._detect``): one bank for all
nodes, fitted on ``warmup_steps * flows_per_node`` warm-up flows per node (warm-up traffic from
:meth:`TrafficGenerator.warmup`, so ``warmup_contamination`` applies), then each later step scored
with ``predict_flags`` and fed back with ``update`` of the flows the refit guard leaves in
(:func:`~workbench.model.phases.detection.kept_out`; nothing is blocked here). Attacks: after warm-up every campaign targets
each node independently with probability ``target_share`` per step (a stand-in for the model's
spreading campaigns that keeps attack flows present in every measured step).

Per-flow rates: ``fpr = flagged benign / benign``, ``recall = flagged attack / attack`` over all
measured steps and nodes.

:func:`measure_in_run` measures the same rates inside a model run (campaigns that spread, rules that
block, baselines refit by the model's guard), early and late, so that a detector that learns the
attack over a run shows as recall that decays.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from workbench.flows import N_FEATURES
from workbench.model.detectors import REFIT_GUARD_Z, make_detector_bank
from workbench.model.phases.detection import kept_out
from workbench.model.run import run_model
from workbench.model.traffic import DIFFICULTY, TrafficGenerator


def measure_detector(
    difficulty: Mapping[str, Any],
    detector: str = "zscore",
    *,
    seed: int = 0,
    n_nodes: int = 100,
    flows_per_node: int = 50,
    warmup_steps: int = 5,
    steps: int = 20,
    n_campaigns: int = 3,
    attack_flows_per_node: int = 5,
    target_share: float = 0.2,
    zscore_threshold: float = 4.0,
    zscore_refit_steps: int = 10,
    zscore_refit_guard: float = REFIT_GUARD_Z,
    iforest_trees: int = 100,
    iforest_contamination: float = 0.01,
) -> dict[str, float]:
    """Per-flow FPR and recall of ``detector`` over ``steps`` post-warm-up steps.

    ``difficulty``: traffic knobs (keys of :data:`~workbench.model.traffic.DIFFICULTY`; other keys,
    such as gossip fields of a preset, are ignored). Returns ``fpr``, ``recall``, ``n_benign``,
    ``n_attack`` and, for provenance, the sizes and seed.
    """
    rng = np.random.default_rng(seed)
    knobs = {k: v for k, v in difficulty.items() if k in DIFFICULTY}
    f = flows_per_node
    traffic = TrafficGenerator(rng, n_nodes, f, n_campaigns, warmup_steps + 1, 0, attack_flows_per_node, **knobs)
    bank = make_detector_bank(
        detector,
        rng=rng,
        zscore_threshold=zscore_threshold,
        zscore_refit_steps=zscore_refit_steps,
        zscore_refit_guard=zscore_refit_guard,
        iforest_trees=iforest_trees,
        iforest_contamination=iforest_contamination,
    )
    warm = np.empty((n_nodes, warmup_steps * f, N_FEATURES))
    for t in range(1, warmup_steps + 1):
        warm[:, (t - 1) * f : t * f] = traffic.warmup().features()
    bank.fit(warm)
    fp = benign = tp = attack = 0
    for t in range(warmup_steps + 1, warmup_steps + steps + 1):
        flows = traffic.benign()
        targeted = rng.random((n_campaigns, n_nodes)) < target_share
        traffic.overlay_attacks(flows, targeted, t)
        features = flows.features()
        scores, flagged = bank.predict_flags(features)
        bank.update(features, kept_out(bank, scores, flagged))
        is_attack = flows.label > 0
        fp += int((flagged & ~is_attack).sum())
        benign += int((~is_attack).sum())
        tp += int((flagged & is_attack).sum())
        attack += int(is_attack.sum())
    return {
        "fpr": fp / max(benign, 1),
        "recall": tp / max(attack, 1),
        "n_benign": benign,
        "n_attack": attack,
        "seed": seed,
        "n_nodes": n_nodes,
        "flows_per_node": f,
        "warmup_steps": warmup_steps,
        "steps": steps,
    }


#: Steps whose per-flow rates are "early" in :func:`measure_in_run` (inclusive): after the first refit
#: of the default z-score bank, while the first campaigns spread.
EARLY_STEPS = (10, 25)


def window_rates(steps: Any, first: int, last: int) -> dict[str, float]:
    """Per-flow ``recall`` and ``fpr`` at honest nodes pooled over steps ``first..last`` (inclusive) of a
    run's steps frame (``attack_flagged / attack_flows``, ``benign_flagged / benign_flows``; NaN without
    such flows), with the counts ``n_attack`` and ``n_benign``."""
    rows = steps[(steps["step"] >= first) & (steps["step"] <= last)]
    n_attack, n_benign = int(rows["attack_flows"].sum()), int(rows["benign_flows"].sum())
    return {
        "recall": rows["attack_flagged"].sum() / n_attack if n_attack else float("nan"),
        "fpr": rows["benign_flagged"].sum() / n_benign if n_benign else float("nan"),
        "n_attack": n_attack,
        "n_benign": n_benign,
    }


def measure_in_run(
    params: Any = None, *, seed: int = 0, steps: int = 90, early: tuple[int, int] = EARLY_STEPS
) -> dict[str, float]:
    """Per-flow rates measured inside a model run with its campaigns on (spreading, blocked, refit as in
    the model): ``early_recall``/``early_fpr`` over steps ``early`` and ``late_recall``/``late_fpr`` over the
    last third of the ``steps`` (steps ``steps - steps // 3 + 1 .. steps``), and ``late_over_early``, the
    ratio of the recalls. ``params``: ``ModelParams``, a dict of its fields, or ``None`` (the defaults:
    the realistic world)."""
    frame = run_model(params, seed=seed, steps=steps).steps
    first = window_rates(frame, *early)
    last = window_rates(frame, steps - steps // 3 + 1, steps)
    return {
        "early_recall": float(first["recall"]),
        "early_fpr": float(first["fpr"]),
        "late_recall": float(last["recall"]),
        "late_fpr": float(last["fpr"]),
        "late_over_early": float(last["recall"] / first["recall"]) if first["recall"] > 0 else float("nan"),
        "early_attack_flows": first["n_attack"],
        "late_attack_flows": last["n_attack"],
        "seed": seed,
        "steps": steps,
    }
