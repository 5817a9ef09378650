"""Phase 5c: count the step's flows at honest nodes and note detections and unprotected hits."""

from __future__ import annotations

import numpy as np

from workbench.flows import Flows
from workbench.model.state import ModelState, StepCounts


def count_traffic(
    state: ModelState,
    t: int,
    flows: Flows,
    flagged: np.ndarray,
    blocked: np.ndarray,
    blocked_by_forged: np.ndarray | None = None,
) -> StepCounts:
    """Flow counts at honest nodes (malicious nodes' own traffic is not the network's harm).

    ``blocked_by_forged``: the flows forged rules block (``None``: no forged rule), counted among the benign
    ones as ``benign_blocked_forged``.

    Advances ``detections`` (flows flagged per node) and, for the campaigns inside their evaluation
    window, ``hit_unprotected`` (targeted while unprotected), ``first_detection`` (steps from a
    campaign's start to its first flagged flow), the window's attack-flow counts, the honest nodes
    protected at this step (``protected_node_steps``, the area under the protection curve) and the window-end
    snapshots of ``targeted`` and ``protected`` (see :class:`~workbench.model.state.ModelState`).
    """
    honest = state.honest[:, None]
    attack = (flows.label > 0) & honest
    benign = (flows.label == 0) & honest
    attack_flows, attack_flagged = int(attack.sum()), int((attack & flagged).sum())
    attack_blocked = int((attack & blocked).sum())
    state.detections += flagged.sum(axis=1)
    state.t_last = t
    live = state.in_window(t)
    if live.any():
        n_c = len(state.campaigns)
        state.hit_unprotected[live] |= (state.targeted & ~state.protected & state.honest)[live]
        state.targeted_end[live] = state.targeted[live]
        state.protected_end[live] = state.protected[live]
        state.protected_node_steps += np.where(live, (state.protected & state.honest).sum(axis=1), 0)
        campaign = flows.label[attack].astype(np.int64) - 1
        state.window_attack_flows += np.where(live, np.bincount(campaign, minlength=n_c)[:n_c], 0)
        hit = np.bincount(flows.label[attack & blocked].astype(np.int64) - 1, minlength=n_c)[:n_c]
        state.window_attack_blocked += np.where(live, hit, 0)
    if attack_flagged:
        detected = np.unique(flows.label[attack & flagged]) - 1
        for c in detected[(state.first_detection[detected] < 0) & live[detected]]:
            state.first_detection[c] = t - state.campaigns[c].start_step
    return StepCounts(
        attack_flows=attack_flows,
        attack_flagged=attack_flagged,
        benign_flows=int(benign.sum()),
        benign_flagged=int((benign & flagged).sum()),
        attack_flows_blocked=attack_blocked,
        attack_flows_passed=attack_flows - attack_blocked,
        benign_flows_blocked=int((benign & blocked).sum()),
        benign_blocked_forged=0 if blocked_by_forged is None else int((benign & blocked_by_forged).sum()),
    )
