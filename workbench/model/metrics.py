"""Metrics: per-step reporters for Mesa's DataCollector, run totals, the run summary and signature frame.

Traffic metrics count honest nodes only (malicious nodes' own traffic is not the network's harm).
Rates with an empty denominator are NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import mesa
import numpy as np
import pandas as pd

from workbench.model.signatures import CONFIRMED, OUTCOME_NAMES, PENDING, REJECTED
from workbench.model.state import COUNTS, HasState, ModelState


def _ratio(num: float, den: float) -> float:
    return float(num) / den if den else float("nan")


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
    return int((model.state.sigs["outcome"] == PENDING).sum())


def false_acceptance_rate(model: HasState) -> float:
    """Non-genuine signatures confirmed / non-genuine signatures decided, so far."""
    return _false_acceptance(model.state)


def _false_acceptance(state: ModelState) -> float:
    s = state.sigs
    decided = (s["outcome"] != PENDING) & ~s["genuine"]
    return _ratio((decided & (s["outcome"] == CONFIRMED)).sum(), decided.sum())


def false_rejection_rate(model: HasState) -> float:
    """Genuine signatures rejected / genuine signatures decided, so far."""
    return _false_rejection(model.state)


def _false_rejection(state: ModelState) -> float:
    s = state.sigs
    decided = (s["outcome"] != PENDING) & s["genuine"]
    return _ratio((decided & (s["outcome"] == REJECTED)).sum(), decided.sum())


def protected_frac(model: HasState, c: int) -> float:
    """Fraction of honest nodes protected against campaign ``c``."""
    state = model.state
    return float(state.protected[c, state.honest].mean())


def targeted_frac(model: HasState, c: int) -> float:
    """Fraction of honest nodes campaign ``c`` has reached."""
    state = model.state
    return float(state.targeted[c, state.honest].mean())


def step_count(model: HasState, name: str) -> int:
    """This step's value of one of :data:`~workbench.model.state.COUNTS`."""
    return int(getattr(model.state.last, name))


def model_reporters(n_campaigns: int) -> dict[str, Callable[[HasState], float]]:
    """Reporters for Mesa's DataCollector: the step counts, rates, and per-campaign fractions."""
    reporters: dict[str, Callable[[HasState], float]] = {name: partial(step_count, name=name) for name in COUNTS}
    reporters.update(recall=recall, fpr=false_positive_rate, precision=precision,
                     attack_blocked_frac=attack_blocked_frac, benign_blocked_frac=benign_blocked_frac,
                     signatures_pending=signatures_pending, false_acceptance_rate=false_acceptance_rate,
                     false_rejection_rate=false_rejection_rate)
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
    """One row per signature, with its rule, ground truth, outcome, votes and cost."""
    s = state.sigs
    n = len(s)
    decided = s["decided_step"].astype(float)
    spread = s["spread_done_step"].astype(float)
    frame = pd.DataFrame({
        "sig_id": s.sig_ids[:n], "origin": s["origin"], "origin_malicious": state.malicious[s["origin"]],
        "created_step": s["created_step"], "threat_type": s.kinds[:n], "confidence": s["confidence"], "genuine": s["genuine"],
        "forged": s["forged"], "campaign": s["campaign"], "coverage": s["coverage"],
        "outcome": [OUTCOME_NAMES[int(o)] for o in s["outcome"]],
        "decided_step": np.where(decided >= 0, decided, np.nan),
        "votes_for": s["votes_for"], "votes_against": s["votes_against"],
        "spread_rounds": np.where(spread >= 0, spread - s["created_step"], np.nan),
        # share of nodes the signature never reached once no node passed it on (NaN while it spreads)
        "residue": s["residue"],
        "messages": s["messages"],
        "prefix": s["prefix"], "proto": s["proto"], "port_lo": s["port_lo"], "port_hi": s["port_hi"],
        "lb_lo": s["lb_lo"], "lb_hi": s["lb_hi"], "lp_lo": s["lp_lo"], "lp_hi": s["lp_hi"],
    })
    return frame


def campaigns_frame(state: ModelState) -> pd.DataFrame:
    """One row per campaign: type, start, time to first detection, T50/T90 (steps after the start;
    NaN when never reached) and the fraction of honest nodes hit before they were protected."""
    def steps(a: np.ndarray) -> np.ndarray:
        return np.where(a >= 0, a, np.nan).astype(float)

    honest, camps = state.honest, state.campaigns
    return pd.DataFrame({
        "campaign": [c.index for c in camps], "kind": [c.kind for c in camps],
        "start_step": [c.start_step for c in camps],
        "ttd_steps": steps(state.first_detection), "t50_steps": steps(state.t50), "t90_steps": steps(state.t90),
        "hit_before_protected_frac": state.hit_unprotected[:, honest].mean(axis=1) if camps else [],
        "targeted_frac": state.targeted[:, honest].mean(axis=1) if camps else [],
        "protected_frac": state.protected[:, honest].mean(axis=1) if camps else [],
    })


def summary(state: ModelState, campaigns: pd.DataFrame) -> dict[str, float]:
    """The run's scalar outcomes (see the README's glossary)."""
    tot, s = state.totals, state.sigs
    outcome = s["outcome"]
    n_sig = len(s)

    def nanmean(col: str) -> float:
        return float(campaigns[col].mean()) if len(campaigns) and campaigns[col].notna().any() else float("nan")

    return {
        "recall": _ratio(tot.attack_flagged, tot.attack_flows),
        "fpr": _ratio(tot.benign_flagged, tot.benign_flows),
        "precision": _ratio(tot.attack_flagged, tot.attack_flagged + tot.benign_flagged),
        "attack_flows": int(tot.attack_flows),
        "attack_blocked_frac": _ratio(tot.attack_flows_blocked, tot.attack_flows),
        "benign_flows_blocked": int(tot.benign_flows_blocked),
        "benign_blocked_frac": _ratio(tot.benign_flows_blocked, tot.benign_flows),
        "signatures_proposed": n_sig,
        "signatures_confirmed": int((outcome == CONFIRMED).sum()),
        "signatures_rejected": int((outcome == REJECTED).sum()),
        "signatures_pending": int((outcome == PENDING).sum()),
        "signatures_forged": int(s["forged"].sum()),
        "false_acceptance_rate": _false_acceptance(state),
        "false_rejection_rate": _false_rejection(state),
        "votes_cast": int(tot.votes_cast),
        "messages_total": int(tot.messages),
        "messages_per_signature": _ratio(tot.messages, n_sig),
        "ttd_steps_mean": nanmean("ttd_steps"),
        "t50_steps_mean": nanmean("t50_steps"),
        "t90_steps_mean": nanmean("t90_steps"),
        "t90_reached_frac": float(campaigns["t90_steps"].notna().mean()) if len(campaigns) else float("nan"),
        "hit_before_protected_frac": nanmean("hit_before_protected_frac"),
    }
