"""The model against theory nobody here wrote: rumour spreading, Condorcet's jury theorem, collusion.

The simulate-and-compare code lives in :mod:`workbench.analysis.theory_check`, which
``notebooks/07_theory_check.py`` also draws: the figure a reviewer reads is the test that passes here.
"""

from __future__ import annotations

import pytest

from workbench.analysis import theory_check as tc
from workbench.model.consensus import collusion_false_acceptance, condorcet_confirm_probability


@pytest.mark.parametrize(
    "n_nodes, malicious_fraction, steps, seeds",
    [(100, 0.1, 45, range(3)), pytest.param(1000, 0.02, 45, range(1), marks=pytest.mark.slow)],
)
def test_push_gossip_matches_frieze_grimmett(n_nodes, malicious_fraction, steps, seeds):
    check = tc.frieze_grimmett_check(n_nodes, malicious_fraction, steps, seeds)
    assert check.n >= 200, "too few fully spread signatures to test"
    assert check.agrees, check


def test_push_gossip_through_the_model_matches_the_exact_chain():
    check = tc.exact_spreading_check(n_nodes=64, fanout=1, gossip_mode="push", seeds=range(3))
    assert check.n >= 150 and check.agrees, check


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


def test_push_pull_through_the_model_matches_the_exact_chain():
    check = tc.exact_spreading_check(n_nodes=64, fanout=1, gossip_mode="push_pull", seeds=range(3))
    assert check.n >= 150 and check.agrees, check


@pytest.mark.slow
def test_rumour_residue_through_the_model():
    check = tc.rumor_residue_check(n_nodes=500, k=2.0, seeds=range(2))
    assert check.n >= 20 and check.agrees, check
