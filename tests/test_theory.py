"""The model against theory nobody here wrote: rumour spreading, Condorcet's jury theorem, collusion."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench import ModelParams, run_model
from workbench.model.consensus import (
    approvals_needed,
    collusion_false_acceptance,
    condorcet_confirm_probability,
    decide,
)
from workbench.model.gossip import expected_push_rounds

# Frieze-Grimmett 1985 / Pittel 1987: rounds = log2 N + ln N + c, simulated c = 1.15-1.19.
FG_OFFSET = 1.17


def _spread_rounds(n_nodes: int, malicious_fraction: float, steps: int, seeds: range, tail: int = 30) -> np.ndarray:
    """Push rounds until every node holds a signature, for forgeries made at least ``tail`` steps
    before the end (so that slow spreads are not cut off, which would bias the mean down)."""
    base = ModelParams.preset(
        "easy",  # push gossip without loss, as Frieze and Grimmett
        n_nodes=n_nodes,
        topology="complete",
        sharing="gossip",
        gossip_fanout=1,
        validation="independent",
        validator_accuracy=1.0,
        vote_deadline_steps=1000,
        n_campaigns=0,
        flows_per_node=4,
        attack_flows_per_node=1,
        warmup_steps=2,
        malicious_fraction=malicious_fraction,
        malicious_behavior="forge",
        forge_prob=1.0,
    )
    rounds = []
    for seed in seeds:
        sigs = run_model(base, seed=seed, steps=steps).signatures
        early = sigs[sigs.created_step <= steps - tail]
        assert early.spread_rounds.notna().all(), "a signature did not reach every node within the tail"
        rounds.append(early.spread_rounds)
    return pd.concat(rounds).to_numpy()


@pytest.mark.parametrize(
    "n_nodes, malicious_fraction, steps, seeds", [(100, 0.1, 45, range(3))]
)
def test_push_gossip_matches_frieze_grimmett(n_nodes, malicious_fraction, steps, seeds):
    rounds = _spread_rounds(n_nodes, malicious_fraction, steps, seeds)
    assert rounds.size >= 200, "too few fully spread signatures to test"
    offset = rounds - expected_push_rounds(n_nodes)
    half_width = 2.58 * offset.std(ddof=1) / math.sqrt(offset.size)  # 99% CI of the mean
    # forgeries made in the same step spread independently, but allow a little model tolerance on top
    assert abs(offset.mean() - FG_OFFSET) <= half_width + 0.1, (offset.mean(), half_width)


def test_majority_vote_matches_condorcet_binomial_tail():
    n_nodes, accuracy = 11, 0.6
    params = ModelParams(
        n_nodes=n_nodes,
        topology="complete",
        sharing="ledger",
        validation="independent",
        validator_accuracy=accuracy,
        consensus="majority",
        n_campaigns=10,
        campaign_interval_steps=3,
        campaign_seed_nodes=4,
        flows_per_node=20,
        warmup_steps=3,
    )
    sigs = pd.concat([run_model(params, seed=s, steps=36).signatures for s in range(25)])
    genuine = sigs[sigs.genuine & (sigs.outcome != "pending")]
    assert len(genuine) >= 300
    observed = (genuine.outcome == "confirmed").mean()
    expected = condorcet_confirm_probability(n_nodes - 1, accuracy, "majority")
    assert expected == pytest.approx(0.6331, abs=1e-3)
    half_width = 2.58 * math.sqrt(expected * (1 - expected) / len(genuine))
    assert abs(observed - expected) <= half_width, (observed, expected, len(genuine))


def test_collusion_formula_on_the_pure_decision_function():
    rng = np.random.default_rng(7)
    voters, colluders, error, quorum = 20, 3, 0.5, 2 / 3
    approvals = int(approvals_needed(voters, "supermajority", quorum))
    trials = 40_000
    honest_yes = rng.random((trials, voters - colluders)) < error
    votes_for = honest_yes.sum(axis=1) + colluders
    accepted = decide(votes_for, voters - votes_for, "supermajority", quorum).mean()
    expected = collusion_false_acceptance(voters, colluders, error, approvals)
    assert abs(accepted - expected) <= 2.58 * math.sqrt(expected * (1 - expected) / trials) + 1e-4
    assert collusion_false_acceptance(voters, approvals, error, approvals) == 1.0


def test_collusion_formula_through_the_model():
    n_nodes, error, quorum = 21, 0.5, 2 / 3
    params = ModelParams(
        n_nodes=n_nodes,
        topology="complete",
        sharing="ledger",
        validation="independent",
        validator_accuracy=1 - error,
        consensus="supermajority",
        quorum=quorum,
        malicious_fraction=4 / 21,
        malicious_behavior="collude",
        forge_prob=0.5,
        n_campaigns=0,
        flows_per_node=5,
        attack_flows_per_node=1,
        warmup_steps=2,
    )
    sigs = pd.concat([run_model(params, seed=s, steps=30).signatures for s in range(10)])
    forged = sigs[sigs.forged & (sigs.outcome != "pending")]
    assert len(forged) >= 300
    voters = n_nodes - 1  # every node but the origin votes
    colluding_voters = params.n_malicious - 1  # the origin colludes too but does not vote
    approvals = int(approvals_needed(voters, "supermajority", quorum))
    expected = collusion_false_acceptance(voters, colluding_voters, error, approvals)
    observed = (forged.outcome == "confirmed").mean()
    half_width = 2.58 * math.sqrt(expected * (1 - expected) / len(forged))
    assert abs(observed - expected) <= half_width, (observed, expected, len(forged))


def test_enough_colluders_always_win():
    params = ModelParams(
        n_nodes=11,
        topology="complete",
        sharing="ledger",
        validation="independent",
        validator_accuracy=1.0,
        consensus="majority",
        malicious_fraction=0.6,
        malicious_behavior="collude",
        forge_prob=1.0,
        n_campaigns=0,
        flows_per_node=5,
        attack_flows_per_node=1,
        warmup_steps=2,
    )
    sigs = run_model(params, seed=3, steps=10).signatures
    forged = sigs[sigs.forged & (sigs.outcome != "pending")]
    assert len(forged) > 0 and (forged.outcome == "confirmed").all()
