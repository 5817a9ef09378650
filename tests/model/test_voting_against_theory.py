"""Voting through the model against theory nobody here wrote: Condorcet's jury theorem and the collusion formula.

The simulate-and-compare code lives in :mod:`workbench.analysis.theory_check`, which
``notebooks/07_theory_check.py`` also draws: the figure a reviewer reads is the test that passes here.
"""

from __future__ import annotations

import pytest

from workbench.analysis import theory_check as tc
from workbench.model.consensus import collusion_false_acceptance, condorcet_confirm_probability


@pytest.mark.slow
def test_majority_vote_matches_condorcet_binomial_tail():
    assert condorcet_confirm_probability(10, 0.6, "majority") == pytest.approx(0.6331, abs=1e-3)
    check = tc.condorcet_check(n_nodes=11, accuracy=0.6, seeds=range(25))
    assert check.n >= 300 and check.agrees, check


def test_collusion_formula_on_the_pure_decision_function():
    check = tc.collusion_decision_check(voters=20, colluders=3, error=0.5, trials=40_000)
    assert check.agrees, check
    assert collusion_false_acceptance(20, 14, 0.5, 14) == 1.0


def test_collusion_formula_through_the_model():
    check = tc.collusion_check(n_nodes=21, error=0.5, n_malicious=4, seeds=range(10))
    assert check.n >= 300 and check.agrees, check


def test_enough_colluders_always_win():
    outcomes = tc.colluders_win()
    assert len(outcomes) > 0 and (outcomes == "confirmed").all()


def test_a_wrong_formula_is_caught():
    # the acceptance band is tight enough to reject Condorcet's tail for one voter fewer
    check = tc.collusion_decision_check(voters=20, colluders=3, error=0.5, trials=40_000)
    wrong = tc.share_check(
        "wrong", "share", round(check.observed * check.n), check.n, collusion_false_acceptance(20, 2, 0.5, 14)
    )
    assert not wrong.agrees
