"""A ledger vote deadline that cannot outlast the latency is refused; the longest allowed latency still
confirms genuine rules (issue 22: with a 4-step deadline a 3-step latency confirmed nothing)."""

from __future__ import annotations

import pytest

from workbench import ModelParams, run_model
from workbench.model.channels.ledger import min_vote_deadline

SMALL = dict(n_nodes=20, flows_per_node=30)


@pytest.mark.parametrize(("latency", "smallest"), [(0, 1), (1, 2), (2, 4), (3, 6), (7, 14)])
def test_the_smallest_valid_deadline_is_the_latency_there_and_back(latency, smallest):
    assert min_vote_deadline(latency) == smallest
    ModelParams(sharing="ledger", ledger_latency_steps=latency, vote_deadline_steps=smallest)
    if smallest > 1:
        with pytest.raises(ValueError) as err:
            ModelParams(sharing="ledger", ledger_latency_steps=latency, vote_deadline_steps=smallest - 1)
        message = str(err.value)
        assert f"vote_deadline_steps={smallest - 1}" in message and f"ledger_latency_steps={latency}" in message
        assert f"smallest valid vote_deadline_steps is {smallest}" in message


def test_the_refusal_is_the_ledgers_only_and_applies_to_replace_too():
    ModelParams(sharing="gossip", ledger_latency_steps=3, vote_deadline_steps=4)  # latency unused
    params = ModelParams(sharing="ledger", ledger_latency_steps=2, vote_deadline_steps=4)
    with pytest.raises(ValueError, match="smallest valid vote_deadline_steps is 6"):
        params.replace(ledger_latency_steps=3)
    assert ModelParams.preset("hard", sharing="ledger").vote_deadline_steps >= min_vote_deadline(3)


@pytest.mark.parametrize("latency", [1, 2, 3])
def test_the_longest_allowed_latency_confirms_genuine_rules(latency):
    deadline = min_vote_deadline(latency)
    confirmed = 0
    for seed in (0, 1):
        params = ModelParams.preset(
            "realistic", sharing="ledger", ledger_latency_steps=latency, vote_deadline_steps=deadline, **SMALL
        )
        sigs = run_model(params, seed=seed, steps=40).signatures
        genuine = sigs[sigs.genuine]
        assert len(genuine) > 10
        confirmed += int((genuine.outcome == "confirmed").sum())
        # at least half of the decided genuine rules are confirmed (none are with a deadline one step shorter)
        decided = genuine[genuine.outcome != "pending"]
        assert (decided.outcome == "confirmed").mean() >= 0.5, (latency, seed)
    assert confirmed > 0
