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
    window, ``first_detection`` (steps from a campaign's start to its first flagged flow), the window's
    attack-flow counts (received, blocked, and received by a node not protected against the campaign at this
    step: ``window_attack_exposed``), the honest nodes protected at this step (``protected_node_steps``, the
    area under the protection curve), the protection episodes (:func:`track_episodes`) and the window-end
    snapshots of ``targeted`` and ``protected`` (see :class:`~workbench.model.state.ModelState`).
    """
    honest = state.present_honest[:, None]  # a departed node's flows count nowhere
    attack = (flows.label > 0) & honest
    benign = (flows.label == 0) & honest
    attack_flows, attack_flagged = int(attack.sum()), int((attack & flagged).sum())
    attack_blocked = int((attack & blocked).sum())
    state.detections += flagged.sum(axis=1)
    state.t_last = t
    live = state.in_window(t)
    if live.any():
        n_c = len(state.campaigns)
        state.targeted_end[live] = state.targeted[live]
        state.protected_end[live] = state.protected[live]
        state.present_end[live] = state.present
        here = state.present_honest
        state.protected_node_steps += np.where(live, (state.protected & here).sum(axis=1), 0)
        state.window_honest_node_steps += np.where(live, int(here.sum()), 0)
        campaign = flows.label[attack].astype(np.int64) - 1
        state.window_attack_flows += np.where(live, np.bincount(campaign, minlength=n_c)[:n_c], 0)
        hit = np.bincount(flows.label[attack & blocked].astype(np.int64) - 1, minlength=n_c)[:n_c]
        state.window_attack_blocked += np.where(live, hit, 0)
        node = np.nonzero(attack)[0]  # the receiving node of each attack flow, in the order of flows.label[attack]
        exposed = ~state.protected[campaign, node]
        state.window_attack_exposed += np.where(live, np.bincount(campaign[exposed], minlength=n_c)[:n_c], 0)
        track_episodes(state, t, live)
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


def track_episodes(state: ModelState, t: int, live: np.ndarray) -> None:
    """Advance the protection episodes of the campaigns inside their window at ``t`` (see
    :class:`~workbench.model.state.ModelState`): an episode opens at the campaign's start and at each step its
    keys change (the one before is censored at ``t - 1``); honest nodes protected at ``t`` for the first time in
    the episode are counted at ``t - start``; at the window's last step the episode is censored at ``t``."""
    last_step = state.params.eval_window_steps - 1
    for c in map(int, np.flatnonzero(live)):
        camp, keys = state.campaigns[c], state.probe_keys[c]
        if state.episode_start[c] < 0 or t == camp.start_step:
            _open_episode(state, c, t, keys)
        elif not np.array_equal(keys, np.asarray(state.episode_keys[c])):  # a rotation: the old rules went stale
            _close_episode(state, c, t - 1)
            _open_episode(state, c, t, keys)
        now = state.episode_pending[c] & state.protected[c]
        state.ttp_events[c, t - state.episode_start[c]] += int(now.sum())
        state.episode_pending[c] &= ~state.protected[c]
        if t - camp.start_step == last_step:
            _close_episode(state, c, t)


def _open_episode(state: ModelState, c: int, t: int, keys: np.ndarray) -> None:
    state.episode_start[c], state.episode_keys[c] = t, np.array(keys, copy=True)
    state.episode_pending[c] = state.present_honest


def _close_episode(state: ModelState, c: int, end: int) -> None:
    state.ttp_censored[c, end - state.episode_start[c]] += int(state.episode_pending[c].sum())
    state.episode_pending[c] = False
    state.episode_start[c] = -1
