"""Metrics: per-step reporters for Mesa's DataCollector, and the run's frames (steps, signatures, votes, campaigns).

The run summary is declared outcome by outcome in :mod:`workbench.model.outcomes`.

Traffic metrics count honest nodes only (malicious nodes' own traffic is not the network's harm).
Rates with an empty denominator are NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import mesa
import numpy as np
import pandas as pd

from workbench.model.signatures import CONFIRMED, FRAME_COLUMNS, OUTCOME_NAMES, PENDING, REJECTED, applied
from workbench.model.state import COUNTS, HasState, ModelState
from workbench.model.survival import km_median_counts


def _ratio(num: float | np.number, den: float | np.number) -> float:
    """``num / den`` as a plain float; NaN when the denominator is zero."""
    return float(num) / float(den) if den else float("nan")


# --- reporters (module-level, named; one call per step) ---------------------------------------------
def recall(model: HasState) -> float:
    m = model.state.last
    return _ratio(m.attack_flagged, m.attack_flows)


def false_positive_rate(model: HasState) -> float:
    m = model.state.last
    return _ratio(m.benign_flagged, m.benign_flows)


def precision(model: HasState) -> float:
    m = model.state.last
    return _ratio(m.attack_flagged, m.attack_flagged + m.benign_flagged)


def attack_blocked_frac(model: HasState) -> float:
    m = model.state.last
    return _ratio(m.attack_flows_blocked, m.attack_flows)


def benign_blocked_frac(model: HasState) -> float:
    m = model.state.last
    return _ratio(m.benign_flows_blocked, m.benign_flows)


def signatures_pending(model: HasState) -> int:
    return int((model.state.sigs.view.outcome == PENDING).sum())


# --- security outcomes: one definition each, used by the step reporters and the summary -----------------
def _decided(state: ModelState) -> np.ndarray:
    return state.sigs.view.outcome != PENDING


def _confirmed(state: ModelState) -> np.ndarray:
    return state.sigs.view.outcome == CONFIRMED


def honest_blocklists(state: ModelState, chunk: int = 2048) -> np.ndarray:
    """Per signature, the number of honest nodes whose blocklist holds it at the end of the run (computed
    in chunks of rows, so memory stays small at many nodes)."""
    s = state.sigs
    counts = np.zeros(len(s), np.int64)
    for start in range(0, len(s), chunk):
        rows = np.arange(start, min(start + chunk, len(s)))
        counts[rows] = applied(s, rows, state.params.local_first)[:, state.present_honest].sum(axis=1)
    return counts


def forged_confirmed_share(state: ModelState) -> float:
    """Forged signatures confirmed / forged signatures decided (NaN while none is decided)."""
    forged = state.sigs.view.forged
    return _ratio((forged & _confirmed(state)).sum(), (forged & _decided(state)).sum())


def forged_reach_share(state: ModelState) -> float:
    """Forged signatures in at least one honest node's blocklist (a confirmed signature the node knows of,
    or one it applies on its own authority, see :func:`~workbench.model.signatures.applied`) / forged
    signatures (NaN while none). 0 for ``none``: a forgery only blocks at its forger."""
    s = state.sigs
    forged = s.view.forged
    if not forged.any():
        return float("nan")
    in_honest_blocklist = honest_blocklists(state) > 0
    return _ratio((forged & in_honest_blocklist).sum(), forged.sum())


def false_positive_confirmed_share(state: ModelState) -> float:
    """Honest signatures that cover no campaign (a detector's false positives turned into rules), confirmed
    / such signatures decided (NaN while none is decided)."""
    s = state.sigs
    false_positive = ~s.view.genuine & ~s.view.forged
    return _ratio((false_positive & _confirmed(state)).sum(), (false_positive & _decided(state)).sum())


def genuine_rejected_share(state: ModelState) -> float:
    """Genuine signatures rejected / genuine signatures decided (NaN while none is decided)."""
    s = state.sigs
    genuine = s.view.genuine
    return _ratio((genuine & (s.view.outcome == REJECTED)).sum(), (genuine & _decided(state)).sum())


def forged_confirmed_frac(model: HasState) -> float:
    return forged_confirmed_share(model.state)


def forged_reach_frac(model: HasState) -> float:
    return forged_reach_share(model.state)


def false_positive_confirmed_frac(model: HasState) -> float:
    return false_positive_confirmed_share(model.state)


def genuine_rejected_frac(model: HasState) -> float:
    return genuine_rejected_share(model.state)


def protected_frac(model: HasState, c: int) -> float:
    """Fraction of the honest nodes present protected against campaign ``c``."""
    state = model.state
    return float(state.protected[c, state.present_honest].mean())


def targeted_frac(model: HasState, c: int) -> float:
    """Fraction of the honest nodes present campaign ``c`` has reached."""
    state = model.state
    return float(state.targeted[c, state.present_honest].mean())


def step_count(model: HasState, name: str) -> int:
    """This step's value of one of :data:`~workbench.model.state.COUNTS`."""
    return int(getattr(model.state.last, name))


def model_reporters(n_campaigns: int) -> dict[str, Callable[[HasState], float]]:
    """Reporters for Mesa's DataCollector: the step counts, rates, and per-campaign fractions."""
    reporters: dict[str, Callable[[HasState], float]] = {name: partial(step_count, name=name) for name in COUNTS}
    reporters.update(
        recall=recall,
        fpr=false_positive_rate,
        precision=precision,
        attack_blocked_frac=attack_blocked_frac,
        benign_blocked_frac=benign_blocked_frac,
        signatures_pending=signatures_pending,
        forged_confirmed_frac=forged_confirmed_frac,
        forged_reach_frac=forged_reach_frac,
        false_positive_confirmed_frac=false_positive_confirmed_frac,
        genuine_rejected_frac=genuine_rejected_frac,
    )
    for c in range(n_campaigns):
        reporters[f"protected_frac_c{c}"] = partial(protected_frac, c=c)
        reporters[f"targeted_frac_c{c}"] = partial(targeted_frac, c=c)
    return reporters


# --- run-level frames ----------------------------------------------------------------------------------
def steps_frame(datacollector: mesa.DataCollector) -> pd.DataFrame:
    """One row per step (``step`` from 1)."""
    frame = datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "step", np.arange(1, len(frame) + 1))
    return frame


def signatures_frame(state: ModelState) -> pd.DataFrame:
    """One row per signature, with its rule, ground truth, outcome, votes and cost: the table's columns
    (:data:`~workbench.model.signatures.FRAME_COLUMNS`, in their order) with derived columns beside them."""
    s = state.sigs
    n, view = len(s), s.view
    frame = pd.DataFrame({name: getattr(view, name) for name in FRAME_COLUMNS})
    decided, spread = view.decided_step.astype(float), view.spread_done_step.astype(float)
    frame["outcome"] = [OUTCOME_NAMES[int(o)] for o in view.outcome]
    frame["decided_step"] = np.where(decided >= 0, decided, np.nan)
    frame.insert(0, "sig_id", s.sig_ids[:n])
    frame.insert(frame.columns.get_loc("origin") + 1, "origin_malicious", state.malicious[view.origin])
    frame.insert(frame.columns.get_loc("created_step") + 1, "threat_type", s.kinds[:n])
    derived = {
        "honest_holders": s.holds.counts(np.arange(n), where=state.present_honest),
        "honest_blocklists": honest_blocklists(state),
        "spread_rounds": np.where(spread >= 0, spread - view.created_step, np.nan),
    }
    for name, values in derived.items():  # after the votes, before the gossip residue
        frame.insert(frame.columns.get_loc("residue"), name, values)
    for at, (name, values) in enumerate(delivery_columns(state).items(), start=frame.columns.get_loc("residue") + 1):
        frame.insert(at, name, values)
    return frame


def delivery_columns(state: ModelState) -> dict[str, np.ndarray]:
    """Demers et al.'s measures of each signature's delivery (:mod:`workbench.model.reach`), beside its residue:
    ``traffic_per_node`` (messages that carried it, the signature or its confirmation, over ``N``; not votes),
    ``t_ave_rounds`` and ``t_last_rounds`` (mean and last round at which the nodes it reached received it,
    its origin at round 0, so far)."""
    view = state.sigs.view
    return {
        "traffic_per_node": view.carrying_messages / state.params.n_nodes,
        "t_ave_rounds": view.reach_round_sum / view.reached,
        "t_last_rounds": view.last_reach_round.astype(np.int64),
    }


def votes_frame(state: ModelState) -> pd.DataFrame:
    """One row per vote cast: ``sig_id``, ``node``, ``vote`` (+1 approve, -1 reject), ``node_malicious``,
    and the signature's ground truth (``genuine``, ``forged``). Abstentions are absent."""
    s = state.sigs
    row, node, vote = s.arrived.log()
    return pd.DataFrame(
        {
            "sig_id": np.asarray(s.sig_ids, dtype=object)[row] if row.size else np.array([], dtype=object),
            "node": node.astype(np.int64),
            "vote": vote.astype(np.int8),
            "node_malicious": state.malicious[node],
            "genuine": s.view.genuine[row],
            "forged": s.view.forged[row],
        }
    )


def protection_times(state: ModelState) -> tuple[np.ndarray, np.ndarray]:
    """Times to protection per campaign, as counts on ``d = 0 .. eval_window_steps - 1`` steps after an episode's
    start: ``(events, censored)``, each ``(C, eval_window_steps)`` (see
    :class:`~workbench.model.state.ModelState`). An episode still open at the run's last step (its window cut)
    is censored there; the state is not changed."""
    events, censored = state.ttp_events.copy(), state.ttp_censored.copy()
    for c in np.flatnonzero(state.episode_start >= 0):
        censored[c, state.t_last - state.episode_start[c]] += int(state.episode_pending[c].sum())
    return events, censored


def campaigns_frame(state: ModelState) -> pd.DataFrame:
    """One row per campaign that started, measured over its evaluation window (``eval_window_steps`` steps
    from its start, or fewer if the run ended first: ``window_steps``).

    ``ttd_steps``, ``t50_steps``, ``t90_steps``: steps from the start to the first flagged attack flow and
    to 50 % / 90 % of honest nodes protected; when not reached within the window they are *censored*
    (``*_reached`` False) at the last step observed, ``window_steps - 1``, and hold that censoring time.
    ``protected_time_frac``: the share of honest nodes protected against the campaign averaged over every
    step of its window observed (the area under its protection curve, ``protected_frac_c<c>`` of the steps
    frame, divided by ``window_steps``): the primary protection outcome.
    ``targeted_frac``/``protected_frac``: honest nodes reached by / protected against the campaign at the
    window's end (a snapshot), over honest nodes. ``attack_flows``/``attack_flows_blocked``: its attack flows at
    honest nodes inside the window; ``attack_flows_exposed``: those that reached a node not protected against the
    campaign at that step (before it was protected, or after a rotation cost it its protection), and
    ``exposed_attack_frac`` their share of ``attack_flows`` (NaN without attack flows).
    ``ttp_median_steps``: Kaplan-Meier median, over the campaign's (honest node, protection episode) pairs, of
    the steps from the episode's start (the campaign's start, or a prefix rotation) to the node's protection,
    censored at the episode's end (:func:`protection_times`); ``ttp_episodes``: those pairs;
    ``ttp_reached_frac``: the share of them protected before their episode ended.
    """
    honest = state.honest
    events, censored = protection_times(state)
    rows = []
    for camp in state.campaigns:
        c = camp.index
        if camp.start_step > state.t_last:
            continue  # never started: nothing observed
        observed = min(state.t_last, camp.start_step + state.params.eval_window_steps - 1) - camp.start_step + 1
        here = honest & state.present_end[c]  # the honest nodes present at the window's last step seen
        targeted = state.targeted_end[c] & here
        n_honest = int(here.sum())
        # under churn, the honest nodes present summed over the window's steps; without, H x the steps observed
        node_steps = state.window_honest_node_steps[c] if state.params.churn else n_honest * observed
        # label: synthetic, the campaign's kind; a replayed trace, the attack category as labelled
        row = {
            "campaign": c,
            "kind": camp.kind,
            "label": camp.kind,
            "start_step": camp.start_step,
            "window_steps": observed,
        }
        for name, value in (("ttd", state.first_detection[c]), ("t50", state.t50[c]), ("t90", state.t90[c])):
            reached = value >= 0
            row[f"{name}_steps"] = float(value) if reached else float(observed - 1)
            row[f"{name}_reached"] = bool(reached)
        row.update(
            protected_time_frac=_ratio(state.protected_node_steps[c], node_steps),
            targeted_frac=float(targeted.sum() / max(1, n_honest)),
            protected_frac=float((state.protected_end[c] & here).sum() / max(1, n_honest)),
            attack_flows=int(state.window_attack_flows[c]),
            attack_flows_blocked=int(state.window_attack_blocked[c]),
            attack_flows_exposed=int(state.window_attack_exposed[c]),
            exposed_attack_frac=_ratio(state.window_attack_exposed[c], state.window_attack_flows[c]),
            ttp_median_steps=km_median_counts(events[c], censored[c]),
            ttp_episodes=int(events[c].sum() + censored[c].sum()),
            ttp_reached_frac=_ratio(events[c].sum(), events[c].sum() + censored[c].sum()),
        )
        rows.append(row)
    columns = [
        "campaign",
        "kind",
        "label",
        "start_step",
        "window_steps",
        "ttd_steps",
        "ttd_reached",
        "t50_steps",
        "t50_reached",
        "t90_steps",
        "t90_reached",
        "protected_time_frac",
        "targeted_frac",
        "protected_frac",
        "attack_flows",
        "attack_flows_blocked",
        "attack_flows_exposed",
        "exposed_attack_frac",
        "ttp_median_steps",
        "ttp_episodes",
        "ttp_reached_frac",
    ]
    return pd.DataFrame(rows, columns=columns)
