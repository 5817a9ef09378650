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


def test_a_rumour_counter_through_the_model_keeps_its_counts_between_steps():
    # feedback and counter: each rumour that reached m nodes cost between (k + 1) m - 1 and k (2m - 1)
    # pushes (Demers et al.), which fails if the counts were lost or mixed up between rounds
    from workbench.analysis import theory_check as tc

    k, n = 3, 200
    params = tc.gossip_params(n, 0.02, gossip_mode="rumor", rumor_k=float(k)).replace(rumor_stop="counter")
    found, censored = tc.demers_rumours(params, [4], forging_steps=8, tail=40)
    m = np.rint((1 - found.residue) * n)
    traffic = np.rint(found.traffic_per_node * n)
    assert len(found) >= 30 and censored == 0
    assert ((k + 1) * m - 1 <= traffic).all() and (traffic <= k * (2 * m - 1)).all()
    assert (found.t_ave_rounds <= found.t_last_rounds).all() and (found.t_last_rounds >= 1).all()


def test_rumour_strikes_are_kept_for_active_pairs_only():
    from workbench.model.rumor_strikes import RumorStrikes

    store = RumorStrikes()
    ids = np.array([6, 3])
    counts = store.dense(ids, 4)
    assert counts.shape == (2, 4) and not counts.any()
    counts[0, 1], counts[1, 2], counts[1, 3] = 2, 1, 5
    active = np.ones((2, 4), bool)
    active[1, 3] = False  # stopped: its count is dropped
    store.keep(ids, counts, active)
    assert store.keys.tolist() == [3 * 4 + 2, 6 * 4 + 1]
    again = store.dense(np.array([3, 9, 6]), 4)
    assert again[0].tolist() == [0, 0, 1, 0] and not again[1].any() and again[2].tolist() == [0, 2, 0, 0]
