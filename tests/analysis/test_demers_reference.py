"""The second implementation of Demers et al.'s rumour mongering (:mod:`workbench.analysis.demers_reference`)
against what is known of its process without it, and what it says about the paper's printed mean delivery
round (``t_ave``).

The model is checked against this implementation (``tests/model/test_gossip_against_theory.py``); this file
checks the implementation itself: its round convention against the exact push chain, the blind ``k = 1``
rumour as the single chain it is, the Monte Carlo against its own mean-field recursion, and the paper's
Table 1 ``t_ave`` against every run of the process.
"""

from __future__ import annotations

import numpy as np
import pytest

from workbench.analysis import demers_reference as ref
from workbench.analysis import theory_check as tc
from workbench.model import theory

TABLE_1 = {"feedback": True, "stop": "counter"}
TABLE_2 = {"feedback": False, "stop": "coin"}


def test_pure_push_rounds_match_the_exact_chain():
    # the same rounds as the exact Markov chain of push gossip: origin at 0, first push in round 1
    runs = ref.simulate(200, 1, feedback=True, stop="never", runs=1000, rng=np.random.default_rng(3))
    exact = theory.push_spreading_time(200)
    low, high = exact.mean_interval(len(runs))
    assert (runs.residue == 0).all()
    assert low <= runs.t_last_rounds.mean() <= high, (runs.t_last_rounds.mean(), exact.mean)


def test_blind_rumour_with_k_1_is_a_single_chain():
    # every site pushes once and stops: site j of the chain hears in round j, so t_ave = t_last / 2 exactly
    # (origin at round 0) and every site reached sends one push (the last one hits a site that knew)
    runs = ref.simulate(1000, 1, **TABLE_2, runs=300, rng=np.random.default_rng(4))
    reached = np.rint(1000 * (1 - runs.residue))
    assert np.allclose(runs.t_ave_rounds, runs.t_last_rounds / 2)
    assert np.allclose(runs.t_last_rounds, reached - 1)
    assert np.allclose(1000 * runs.traffic_per_node, reached)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_table_1_monte_carlo_matches_its_mean_field_recursion(k):
    # at 1000 sites the rumour reaches most sites, where expected counts describe it: the two methods
    # (random draws, deterministic recursion) agree within 0.02 round and 2% of the residue
    runs = ref.simulate(1000, k, **TABLE_1, runs=400, rng=np.random.default_rng(k))
    field = ref.mean_field(1000, k, **TABLE_1)
    assert abs(runs.t_ave_rounds.mean() - field["t_ave_rounds"]) < 0.02, (runs.t_ave_rounds.mean(), field)
    assert abs(runs.traffic_per_node.mean() - field["traffic_per_node"]) < 0.02, field
    assert abs(runs.residue.mean() - field["residue"]) < 0.02 * field["residue"] + 3 * runs.residue.sem(), field


def test_printed_table_1_mean_delivery_round_is_later_than_the_process_produces():
    # Demers et al.'s Table 1 prints t_ave 11.0 to 12.8 for k = 1..5. The process behind its residue, traffic
    # and t_last (which the model and this implementation both reproduce) has mean ~9.8-10.1: for k >= 2 no
    # run of 1000 comes within a round of the printed value, for k = 1 fewer than 1% reach it; the mean-field
    # recursion gives the same ~10
    for k in range(1, 6):
        printed = float(tc.DEMERS_PUBLISHED["table_1"][k][2])
        runs = ref.simulate(1000, k, **TABLE_1, runs=1000, rng=np.random.default_rng([1, k]))
        t_ave = runs.t_ave_rounds
        assert abs(runs.residue.mean() - float(tc.DEMERS_PUBLISHED["table_1"][k][0])) < 0.01
        assert printed - t_ave.mean() > 1.0, (k, t_ave.mean(), printed)
        if k == 1:
            assert (t_ave >= printed).mean() < 0.01, (t_ave >= printed).mean()
        else:
            assert t_ave.max() < printed - 1.0, (k, t_ave.max(), printed)
        assert printed - ref.mean_field(1000, k, **TABLE_1)["t_ave_rounds"] > 1.0


def test_printed_table_2_mean_delivery_round_exceeds_the_process_mean_except_for_the_chain():
    # Table 2 (blind, coin): k = 1 is the chain and its printed t_ave (19) is the process's (t_last / 2); for
    # k = 2..5 the printed value (17, 15, 14.1, 13.8) lies 1.2 to 2 rounds above the process's mean, more than
    # 2.58 standard errors of 1000 runs plus half a printed unit; single runs spread enough (sd 0.7 to 1.9
    # rounds) to reach it sometimes, so a few-run average could, but not the mean of many
    for k in range(1, 6):
        printed_text = tc.DEMERS_PUBLISHED["table_2"][k][2]
        printed = float(printed_text)
        runs = ref.simulate(1000, k, **TABLE_2, runs=1000, rng=np.random.default_rng([2, k]))
        mean, se = runs.t_ave_rounds.mean(), runs.t_ave_rounds.sem()
        half_unit = 0.05 if "." in printed_text else 0.5
        outside = abs(printed - mean) > 2.58 * se + half_unit
        assert outside == (k > 1), (k, mean, se, printed)
        if k > 1:
            assert printed > mean and (runs.t_ave_rounds >= printed).mean() > 0.005, (k, mean, printed)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"n_sites": 1, "k": 1, "stop": "coin"}, "n_sites"),
        ({"n_sites": 10, "k": 0, "stop": "coin"}, "k"),
        ({"n_sites": 10, "k": 1, "stop": "sometimes"}, "stop"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        ref.simulate(feedback=True, runs=1, rng=np.random.default_rng(0), **kwargs)
    with pytest.raises(ValueError, match=field):
        ref.mean_field(feedback=True, **kwargs)
