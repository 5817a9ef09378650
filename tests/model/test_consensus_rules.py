"""A consensus rule is a pure function of the votes, their weights and the quorum, named like any component."""

from __future__ import annotations

import numpy as np
import pytest

from workbench import ModelParams, run_model
from workbench.model.consensus import Tally, approvals_needed, decide
from workbench.model.consensus_rules import CONSENSUS_RULES

SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)


def test_the_built_in_rules_count_as_their_formulas_say():
    assert CONSENSUS_RULES.names() == ("majority", "supermajority", "trust_weighted")
    cast = np.arange(0, 12)
    np.testing.assert_array_equal(approvals_needed(cast, "majority"), cast // 2 + 1)
    np.testing.assert_array_equal(approvals_needed(cast, "supermajority", 0.75), np.ceil(0.75 * cast - 1e-9))
    assert int(approvals_needed(3, "supermajority", 2 / 3)) == 2  # not 3 from 2/3 * 3 = 2.0000000000000004
    # a tie rejects under a majority; the trust-weighted rule weighs voters
    assert decide([2, 3], [2, 2], "majority").tolist() == [False, True]
    assert decide([1], [2], "trust_weighted", weight_for=[0.9], weight_against=[0.4]).tolist() == [True]
    with pytest.raises(ValueError, match="needs weight_for and weight_against"):
        decide([1], [2], "trust_weighted")


def test_a_rule_decides_only_past_the_turnout_floor():
    confirmed = decide([3, 3], [0, 0], "user_components:unanimous", eligible=[10, 40], min_participation=0.1)
    assert confirmed.tolist() == [True, False]  # 3 votes are a tenth of 30 eligible, not of 40


def test_a_rule_by_import_path_decides_the_run():
    world = ModelParams.preset("easy", malicious_fraction=0.2, malicious_behavior="lie", **SMALL)
    for rule, dissent_allowed in (("majority", True), ("user_components:unanimous", False)):
        sigs = run_model(world.replace(consensus=rule), seed=5, steps=30).signatures
        confirmed = sigs[sigs.outcome == "confirmed"]
        assert len(confirmed) > 3 and (confirmed.votes_for > 0).all()
        assert (confirmed.votes_against > 0).any() == dissent_allowed, rule


def test_a_rule_is_called_with_a_tally():
    tally = Tally(np.array([2, 0]), np.array([0, 1]))
    assert tally.votes_cast.tolist() == [2, 1]
    assert CONSENSUS_RULES.get("majority")(tally, 2 / 3).tolist() == [True, False]


def test_a_rule_that_is_not_callable_or_has_no_count_threshold_is_refused():
    with pytest.raises(ValueError, match=r"consensus='user_components:SMALL_QUORUM': .* is not callable"):
        ModelParams(consensus="user_components:SMALL_QUORUM")
    with pytest.raises(ValueError, match="has no vote-count threshold"):
        approvals_needed(5, "user_components:unanimous")
