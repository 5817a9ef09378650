"""Votes and ledger entries travel (issue 10): they cost messages, take time, and can be lost or dropped."""

from __future__ import annotations

import math

import numpy as np

from workbench import ModelParams, run_model

SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)


def test_every_ledger_entry_costs_n_minus_1_messages_and_arrives_after_the_latency():
    # (the signature reaches voters after max(1, L) steps and their votes the origin L steps later:
    # ModelParams refuses a deadline shorter than that, see test_ledger_deadline.py)
    for latency in (0, 1):
        params = ModelParams.preset("easy", sharing="ledger", ledger_latency_steps=latency, **SMALL)
        r = run_model(params, seed=1, steps=30)
        s = r.summary
        decided = s["signatures_confirmed"] + s["signatures_rejected"]
        entries = s["signatures_proposed"] + s["votes_cast"] + decided
        assert s["messages_total"] == (params.n_nodes - 1) * entries
        steps = r.steps.set_index("step")
        first_vote = steps.index[steps.votes_cast > 0][0]
        first_arrival = steps.index[steps.votes_arrived > 0][0]
        # a signature reaches voters after the latency, and their votes reach the origin after another
        assert first_arrival - first_vote == latency
        assert steps.votes_arrived.sum() <= steps.votes_cast.sum()


def test_votes_on_the_complete_graph_travel_one_hop_and_are_lost_at_the_loss_rate():
    loss = 0.3
    lost = cast = 0
    for seed in range(3):
        params = ModelParams.preset("easy", topology="complete", message_loss=loss, **SMALL)
        steps = run_model(params, seed=seed, steps=30).steps
        lost += int(steps.votes_lost.sum())
        cast += int(steps.votes_cast.sum())
    assert cast > 300
    half = 2.576 * math.sqrt(loss * (1 - loss) / cast)
    assert abs(lost / cast - loss) <= half, (lost / cast, half)


def test_dropping_relays_swallow_votes_that_forwarding_relays_pass_on():
    lost = {}
    for relay in ("forward", "drop"):
        # gossip routes around droppers, votes take one shortest path, which may cross one
        params = ModelParams.preset(
            "easy",
            topology="small_world",
            mean_degree=4,
            malicious_fraction=0.25,
            malicious_behavior="betray",
            betray_after_steps=10_000,
            malicious_relay=relay,
            containment=False,
            local_first=False,
            **SMALL,
        )
        lost[relay] = np.array([run_model(params, seed=seed, steps=30).steps.votes_lost.sum() for seed in range(3)])
    assert (lost["forward"] == 0).all()
    assert (lost["drop"] > 0).all(), lost
