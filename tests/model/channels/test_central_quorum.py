"""The central aggregator's quorum scales with N by default; an explicit quorum still overrides it (issue 22)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from workbench import ModelParams, run_model
from workbench.model.params import CENTRAL_QUORUM_FRAC, quorum_of_share


def test_the_default_quorum_is_a_share_of_the_nodes_and_grows_with_n():
    quorums = [
        ModelParams(sharing="central", n_nodes=n).effective_central_quorum for n in (2, 20, 60, 100, 400, 10_000)
    ]
    assert quorums == [2, 2, 6, 10, 40, 1000]
    assert all(a <= b for a, b in itertools.pairwise(quorums))
    assert ModelParams().central_quorum is None and ModelParams().central_quorum_frac == CENTRAL_QUORUM_FRAC


def test_quorum_of_share_rounds_up_never_below_two_nor_above_n():
    assert quorum_of_share(0.05, 100) == 5 and quorum_of_share(0.05, 101) == 6 and quorum_of_share(0.1, 50) == 5
    assert quorum_of_share(0.01, 50) == 2 and quorum_of_share(1.0, 7) == 7 and quorum_of_share(0.5, 2) == 2
    assert ModelParams(n_nodes=60, central_quorum_frac=0.1).effective_central_quorum == 6


def test_an_explicit_quorum_overrides_the_share():
    params = ModelParams(sharing="central", n_nodes=400, central_quorum=2)
    assert params.effective_central_quorum == 2
    assert params.replace(central_quorum=None).effective_central_quorum == 40


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"central_quorum_frac": 0.0},
            "central_quorum_frac=0.0 is out of range; expected a number with 0.0 < x <= 1.0",
        ),
        (
            {"central_quorum_frac": 1.5},
            "central_quorum_frac=1.5 is out of range; expected a number with 0.0 < x <= 1.0",
        ),
        ({"central_quorum": 0}, "central_quorum=0 is out of range; expected an integer with 1 <= x"),
        (
            {"central_quorum": 21, "n_nodes": 20},
            "central_quorum=21 is out of range; expected an integer with 1 <= x <= n_nodes (20)",
        ),
    ],
)
def test_bad_quorums_are_refused_naming_the_field_and_the_range(changes, message):
    with pytest.raises(ValueError) as err:
        ModelParams(**changes)
    assert message in str(err.value)


def test_the_aggregator_confirms_with_the_effective_quorum():
    # at N = 100 the default needs 10 reporters: fewer forgeries reach honest nodes than with quorum 2
    reach = {}
    for quorum in (None, 2):
        values = []
        for seed in (0, 1, 2):
            params = ModelParams(
                sharing="central",
                n_nodes=100,
                malicious_fraction=0.2,
                malicious_behavior="forge",
                central_quorum=quorum,
            )
            values.append(run_model(params, seed=seed, steps=40).summary["forged_benign_blocked_frac"])
        reach[quorum] = float(np.mean(values))
    assert reach[None] < reach[2] - 0.05, reach
