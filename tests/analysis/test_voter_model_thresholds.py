"""Study 04's threshold formula, the model's voter model computed exactly
(:func:`workbench.model.consensus.forgery_confirm_probability`), against simulated votes on the pure
decision function and against ``run_model`` with honest voters of known vote rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import voter_model_rules as rules

from workbench.analysis import theory_check as tc
from workbench.analysis.studies import breakdown as bs
from workbench.model.consensus import (
    approvals_needed,
    collusion_false_acceptance,
    decide,
    forgery_confirm_probability,
)
from workbench.model.params import ModelParams
from workbench.model.run import run_model


def test_formula_is_the_collusion_formula_when_every_honest_voter_votes():
    for colluders in (0, 3, 8, 14):
        needed = int(approvals_needed(20, "supermajority", 2 / 3))
        expected = collusion_false_acceptance(20, colluders, 0.3, needed)
        got = forgery_confirm_probability(20, colluders, reject=0.7, approve=0.3, rule="supermajority", quorum=2 / 3)
        assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("rule", "floor"), [("majority", 0.5), ("supermajority", 0.3)])
def test_formula_matches_simulated_votes_with_abstention_and_a_binding_turnout_floor(rule, floor):
    rng = np.random.default_rng(11)
    eligible, colluders, approve, reject, trials = 20, 4, 0.1, 0.3, 200_000
    u = rng.random((trials, eligible - colluders))
    votes_for = colluders + (u < approve).sum(axis=1)
    votes_against = ((u >= approve) & (u < approve + reject)).sum(axis=1)
    confirmed = decide(votes_for, votes_against, rule, 0.8, eligible=np.full(trials, eligible), min_participation=floor)
    expected = forgery_confirm_probability(eligible, colluders, reject, approve, rule, 0.8, 1, floor)
    check = tc.share_check("decide", "confirmed", int(confirmed.sum()), trials, expected, slack=1e-4)
    assert 0.01 < expected < 0.99 and check.agrees, check


def _ledger_world(n_nodes: int, n_malicious: int, rule: str, **extra) -> ModelParams:
    """Colluders forging often on a clean ledger (every node holds a signature at once), no campaigns."""
    return ModelParams(
        n_nodes=n_nodes,
        topology="complete",
        sharing="ledger",
        validation="evidence",
        evidence_rule=rule,
        consensus="supermajority",
        quorum=2 / 3,
        malicious_fraction=n_malicious / n_nodes,
        malicious_behavior="collude",
        forge_prob=0.5,
        n_campaigns=0,
        flows_per_node=5,
        attack_flows_per_node=1,
        warmup_steps=2,
        **tc.CLEAN_CHANNEL,
        **extra,
    )


def _forged_outcomes(params: ModelParams, seeds, steps: int = 30) -> pd.Series:
    sigs = pd.concat([run_model(params, seed=s, steps=steps).signatures for s in seeds])
    return sigs.loc[sigs.forged & (sigs.outcome != "pending"), "outcome"]


def test_formula_matches_run_model_with_known_honest_vote_rates_and_a_binding_floor():
    # 9 malicious of 21: the origin and 8 colluding voters of 20 eligible; the floor (12 votes) binds
    params = _ledger_world(21, 9, "voter_model_rules:fixed_rates", min_participation=0.6)
    outcomes = _forged_outcomes(params, range(4))
    expected = forgery_confirm_probability(
        20, 8, rules.REJECT, rules.APPROVE, "supermajority", 2 / 3, params.min_votes, params.min_participation
    )
    # without the floor the formula says 0.60, not 0.38: the floor is part of what is checked
    unfloored = forgery_confirm_probability(20, 8, rules.REJECT, rules.APPROVE, "supermajority", 2 / 3)
    check = tc.share_check(
        "voter model via run_model",
        "forgeries confirmed",
        int((outcomes == "confirmed").sum()),
        len(outcomes),
        expected,
    )
    assert 0.2 < expected < 0.8 and len(outcomes) >= 300 and check.agrees, check
    assert not check.band_low <= unfloored <= check.band_high


def test_when_honest_voters_all_abstain_colluders_win_exactly_from_the_formulas_lower_end():
    # 21 nodes, floor 0.1 of 20 eligible = 2 votes: 2 colluding voters (3 malicious) confirm alone, 1 cannot
    base = _ledger_world(21, 0, "voter_model_rules:abstain")
    low = bs.voter_model_f_star(base, "super_0.67", 0.5, reject=0.0)
    assert low == pytest.approx(3 / 21)
    for n_malicious, share in ((2, 0.0), (3, 1.0)):
        outcomes = _forged_outcomes(base.replace(malicious_fraction=n_malicious / 21), range(2), steps=15)
        assert len(outcomes) > 10 and (outcomes == "confirmed").mean() == share
