"""Phase 5c: count the step's flows at honest nodes and note detections and unprotected hits."""

from __future__ import annotations

import numpy as np

from workbench.model.state import ModelState, StepCounts
from workbench.model.traffic import Flows


def count_traffic(state: ModelState, t: int, flows: Flows, flagged: np.ndarray, blocked: np.ndarray) -> StepCounts:
    """Flow counts at honest nodes (malicious nodes' own traffic is not the network's harm).

    Advances ``detections`` (flows flagged per node), ``hit_unprotected`` (targeted while unprotected)
    and ``first_detection`` (steps from a campaign's start to its first flagged flow).
    """
    honest = state.honest[:, None]
    attack = (flows.label > 0) & honest
    benign = (flows.label == 0) & honest
    attack_flows, attack_flagged = int(attack.sum()), int((attack & flagged).sum())
    attack_blocked = int((attack & blocked).sum())
    state.detections += flagged.sum(axis=1)
    state.hit_unprotected |= state.targeted & ~state.protected & state.honest
    if attack_flagged:
        detected = np.unique(flows.label[attack & flagged]) - 1
        for c in detected[state.first_detection[detected] < 0]:
            state.first_detection[c] = t - state.campaigns[c].start_step
    return StepCounts(attack_flows=attack_flows, attack_flagged=attack_flagged, benign_flows=int(benign.sum()),
                      benign_flagged=int((benign & flagged).sum()), attack_flows_blocked=attack_blocked,
                      attack_flows_passed=attack_flows - attack_blocked,
                      benign_flows_blocked=int((benign & blocked).sum()))
