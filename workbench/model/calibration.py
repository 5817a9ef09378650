"""Measure a detector's per-flow false-positive rate and recall on the traffic generator's own flows.

The detector is used exactly as the model uses it (``ThreatIntelModel._detect``): one bank for all
nodes, fitted on ``warmup_steps * flows_per_node`` warm-up flows per node (warm-up traffic from
:meth:`TrafficGenerator.warmup`, so ``warmup_contamination`` applies), then each later step scored
with ``predict_flags`` and fed back with ``update``. Attacks: after warm-up every campaign targets
each node independently with probability ``target_share`` per step (a stand-in for the model's
spreading campaigns that keeps attack flows present in every measured step).

Per-flow rates: ``fpr = flagged benign / benign``, ``recall = flagged attack / attack`` over all
measured steps and nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from workbench.flows import N_FEATURES
from workbench.model.detectors import make_detector_bank
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
        _, flagged = bank.predict_flags(features)
        bank.update(features, flagged)
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
