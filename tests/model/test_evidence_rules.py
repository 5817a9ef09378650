"""An honest evidence voter's rule turns its matching and flagged recent flows into a vote."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench import ModelParams, run_model
from workbench.model.evidence import EVIDENCE_RULES
from workbench.model.voting import Evidence, EvidenceWindow

SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)


def _evidence(matched, flagged) -> Evidence:
    n = len(matched)
    window = EvidenceWindow(1, 1, 1)
    return Evidence(np.zeros(n, np.int64), np.zeros(n, np.int64), np.array(matched), np.array(flagged), window)


def _window(flagged_per_node: list[int], flows: int = 100) -> EvidenceWindow:
    """A one-step window of ``flows`` flows per node, the first ``flagged_per_node[i]`` flagged at node ``i``."""
    n = len(flagged_per_node)
    window = EvidenceWindow(1, n, flows)
    flags = np.arange(flows)[None, :] < np.array(flagged_per_node)[:, None]
    zeros = np.zeros((n, flows))
    window.push(np.ones((n, flows), np.int64), zeros.astype(np.int32), zeros, zeros, flags)
    return window


def test_binomial_is_the_default_and_votes_by_the_sign_of_its_log_likelihood_ratio():
    assert EVIDENCE_RULES.names() == ("binomial", "half") and ModelParams().evidence_rule == "binomial"
    params = ModelParams(evidence_recall=0.6, evidence_min_matched=2)
    flagged_per_node = [2, 8, 70]  # node 2 flags more than its recall: it cannot tell attack from benign
    window = _window(flagged_per_node)
    matched = [0, 1, 2, 3, 3, 4, 10, 10, 10, 3]
    flagged = [0, 1, 0, 1, 0, 1, 2, 3, 1, 3]
    node = [0, 0, 0, 0, 0, 1, 0, 1, 1, 2]
    evidence = Evidence(np.zeros(10, np.int64), np.array(node), np.array(matched), np.array(flagged), window, params)
    votes = EVIDENCE_RULES.get("binomial")(evidence)
    expected = []
    for n, k, v in zip(matched, flagged, node):
        f, r = (flagged_per_node[v] + 0.5) / 101, 0.6  # the voter's own flag rate, Jeffreys' half count
        llr = k * math.log(r / f) + (n - k) * math.log((1 - r) / (1 - f))
        expected.append(0 if n < 2 or f >= r else 1 if llr >= 0 else -1)
    assert votes.dtype == np.int8 and votes.tolist() == expected
    # by hand: one flagged of three approves at f = 0.0248 (LLR = 1.41) where "half" rejects; none of two
    # rejects (-1.78); one matching flow abstains; 3 of 10 approve at f = 0.084 (0.09), 2 of 10 reject at
    # f = 0.025 (-0.75); a node whose flag rate exceeds r abstains
    assert expected == [0, 0, -1, 1, -1, -1, -1, 1, -1, 0]
    assert EVIDENCE_RULES.get("half")(evidence).tolist()[3] == -1


def test_binomial_abstains_below_evidence_min_matched():
    window = _window([2])
    for min_matched in (1, 3, 5):
        params = ModelParams(evidence_min_matched=min_matched)
        counts = np.arange(7)
        evidence = Evidence(np.zeros(7, np.int64), np.zeros(7, np.int64), counts, counts, window, params)
        votes = EVIDENCE_RULES.get("binomial")(evidence)
        assert ((votes == 0) == (counts < min_matched)).all() and (votes[counts >= min_matched] == 1).all()


@pytest.mark.parametrize("sharing", ["ledger", "gossip"])
def test_without_malice_honest_evidence_voters_reject_few_genuine_rules(sharing):
    world = ModelParams.preset("realistic", n_nodes=60, sharing=sharing)
    rejected = [run_model(world, seed=seed, steps=60).summary["genuine_rejected_frac"] for seed in (10, 11, 12, 13)]
    assert max(rejected) <= 0.15 and np.mean(rejected) <= 0.10, rejected


def test_half_approves_at_half_the_matching_flows_flagged():
    votes = EVIDENCE_RULES.get("half")(_evidence([0, 4, 4, 5, 3], [0, 2, 1, 2, 3]))
    assert votes.dtype == np.int8 and votes.tolist() == [0, 1, -1, -1, 1]


def test_a_rule_by_import_path_votes_for_every_honest_evidence_voter():
    strict = EVIDENCE_RULES.get("user_components:all_flagged")
    assert strict(_evidence([0, 4, 4], [0, 4, 3])).tolist() == [0, 1, -1]
    world = ModelParams.preset("realistic", **SMALL)  # detectors that err, so evidence is mixed
    half, all_flagged = (
        run_model(world.replace(evidence_rule=rule), seed=6, steps=30).votes
        for rule in ("half", "user_components:all_flagged")
    )
    assert len(half) and len(all_flagged)
    reject_share = [(v.vote < 0).mean() for v in (half, all_flagged)]
    assert reject_share[1] > reject_share[0]  # the stricter rule rejects more


def test_a_rule_that_is_not_callable_is_refused():
    with pytest.raises(ValueError, match=r"evidence_rule='user_components:SMALL_QUORUM': .* is not callable"):
        ModelParams(evidence_rule="user_components:SMALL_QUORUM")
    with pytest.raises(ValueError, match=r"evidence_rule='halve' is not allowed; .*\(closest: 'half'\)"):
        ModelParams(evidence_rule="halve")
