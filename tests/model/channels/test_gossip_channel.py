"""``sharing="gossip"``: signatures and decisions spread node to node; variants override whom nodes push to."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import ModelParams, ThreatIntelModel, run_model
from workbench.model.channels import CHANNELS

SMALL = dict(n_nodes=24, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)


def test_a_subclass_by_import_path_runs_bit_identical_to_the_built_in_channel():
    base = ModelParams.preset("realistic", malicious_fraction=0.2, **SMALL)
    ours = run_model(base, seed=7, steps=30)
    theirs = run_model(base.replace(sharing="user_components:PlainGossip"), seed=7, steps=30)
    for frame in ("steps", "signatures", "campaigns", "votes"):
        pd.testing.assert_frame_equal(getattr(ours, frame), getattr(theirs, frame))
    assert ours.ledger_head == theirs.ledger_head


def test_without_contacts_nothing_leaves_its_origin_and_no_one_votes():
    r = run_model(ModelParams.preset("easy", sharing="user_components:Mute", **SMALL), seed=1, steps=25)
    assert len(r.signatures) > 5
    assert (r.signatures.honest_holders <= 1).all() and r.summary["votes_cast"] == 0
    gossip = run_model(ModelParams.preset("easy", **SMALL), seed=1, steps=25)
    assert gossip.summary["votes_cast"] > 0 and (gossip.signatures.honest_holders > 1).any()


def test_trusted_gossip_pushes_to_no_neighbour_below_the_trust_threshold():
    model = ThreatIntelModel(ModelParams.preset("easy", **SMALL), rng=3)
    state = model.state
    state.trust.beta[[2, 5]] += 3.0  # two nodes that kept disagreeing with outcomes
    contacts = CHANNELS.get("user_components:TrustedGossip").contacts(state, 1)
    n = state.params.n_nodes
    pushed_to, before = np.bincount(contacts.indices, minlength=n), np.bincount(state.adjacency.indices, minlength=n)
    assert pushed_to[[2, 5]].tolist() == [0, 0] and before[[2, 5]].min() > 0
    kept = np.setdiff1d(np.arange(n), [2, 5])
    assert (pushed_to[kept] == before[kept]).all()


def test_a_vote_makes_one_message_per_hop_and_arrives_that_many_steps_later():
    model = ThreatIntelModel(ModelParams.preset("easy", topology="ring", message_loss=0.0, **SMALL), rng=4)
    for _ in range(12):
        model.step()
    state, channel = model.state, CHANNELS.get("gossip")
    row = int(np.flatnonzero(state.sigs.view.outcome >= 0)[0])
    origin = int(state.sigs.view.origin[row])
    n = state.params.n_nodes
    voters = np.array([(origin + 1) % n, (origin + 3) % n])  # 1 and 3 hops away on the ring
    before = int(state.sigs.cols.messages[row])
    sig = np.full(2, row)
    counts = channel.send_votes(state, 12, sig, voters, np.ones(2, np.int8), None)
    assert counts.messages == 1 + 3 and counts.votes_lost == 0
    assert int(state.sigs.cols.messages[row]) == before + 4
    transit = state.in_transit
    assert sorted(transit.vote_due[-2:].tolist()) == [13, 15]
