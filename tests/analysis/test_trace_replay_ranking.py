"""Notebook 09's ranking of sharing modes on several outcomes at once (a summarize() table in, ranks,
dominance and sentences out)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis.trace_replay import design_ranking, ranking_summary


def _table(rows):
    return pd.DataFrame(rows, columns=["sharing", "outcome", "n", "mean", "ci_low", "ci_high"])


OUTCOMES = {"blocked": True, "benign": False}


def test_ranks_count_only_separated_betters_and_dominance_needs_no_separated_loss():
    t = _table(
        [
            ("none", "blocked", 5, 0.10, 0.05, 0.15),
            ("central", "blocked", 5, 0.50, 0.40, 0.60),
            ("gossip", "blocked", 5, 0.45, 0.30, 0.60),
            ("none", "benign", 5, 0.01, 0.00, 0.02),
            ("central", "benign", 5, 0.20, 0.10, 0.30),
            ("gossip", "benign", 5, 0.02, 0.01, 0.03),
        ]
    )
    r = design_ranking(t, OUTCOMES).set_index("sharing")
    # central and gossip overlap on blocked: both rank 1; none is beaten by both
    assert r["rank_blocked"].to_dict() == {"none": 3, "central": 1, "gossip": 1}
    assert r["rank_benign"].to_dict() == {"none": 1, "central": 3, "gossip": 1}
    # gossip: better than none on blocked, no separated loss; better than central on benign
    assert r.loc["gossip", "pareto"] and r.loc["none", "dominated_by"] == "gossip"
    assert r.loc["central", "dominated_by"] == "gossip"
    text = ranking_summary(design_ranking(t, OUTCOMES), {"blocked": "Blocked", "benign": "Benign"})
    assert text.startswith("Not dominated on these outcomes together: **gossip**")
    assert "Blocked: central, gossip are not separated at the top." in text


def test_undefined_outcomes_count_for_nobody_and_a_trade_off_keeps_both():
    t = _table(
        [
            ("none", "blocked", 5, np.nan, np.nan, np.nan),
            ("central", "blocked", 5, np.nan, np.nan, np.nan),
            ("none", "benign", 5, 0.01, 0.00, 0.02),
            ("central", "benign", 5, 0.20, 0.10, 0.30),
            ("none", "msgs", 5, 0.0, 0.0, 0.0),
            ("central", "msgs", 5, 1.0, 0.9, 1.1),
        ]
    )
    r = design_ranking(t, {"blocked": True, "benign": False, "msgs": False})
    assert r["rank_blocked"].isna().all() and r.set_index("sharing").loc["central", "dominated_by"] == "none"
    assert "Blocked: undefined for every mode" in ranking_summary(r, {"blocked": "Blocked"})
    trade = _table(
        [
            ("a", "blocked", 5, 0.9, 0.8, 1.0),
            ("b", "blocked", 5, 0.1, 0.0, 0.2),
            ("a", "benign", 5, 0.5, 0.4, 0.6),
            ("b", "benign", 5, 0.0, 0.0, 0.1),
        ]
    )
    both = design_ranking(trade, OUTCOMES)
    assert both["pareto"].all()
    assert ranking_summary(both, {}).startswith("No sharing mode is better than another")
