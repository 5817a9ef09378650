"""``sharing="none"``: isolated nodes confirm their own rules at once, tell no one and send nothing."""

from __future__ import annotations

import numpy as np

from workbench import ModelParams, ThreatIntelModel, run_model
from workbench.model.channels import CHANNELS

SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)


def test_every_rule_is_confirmed_when_proposed_and_known_to_its_origin_only():
    params = ModelParams.preset("easy", sharing="none", malicious_fraction=0.2, malicious_behavior="forge", **SMALL)
    model = ThreatIntelModel(params, rng=3)
    for _ in range(30):
        model.step()
    s = model.state.sigs
    assert len(s) > 10
    assert (s.view.outcome == 1).all() and (s.view.decided_step == s.view.created_step).all()
    origin_only = np.zeros((len(s), params.n_nodes), bool)
    origin_only[np.arange(len(s)), s.view.origin] = True
    assert (s.knows[: len(s)] == origin_only).all() and (s.holds[: len(s)] == origin_only).all()


def test_nothing_travels_no_message_no_vote_and_a_forgery_blocks_only_at_its_forger():
    r = run_model(
        ModelParams.preset("easy", sharing="none", malicious_fraction=0.2, malicious_behavior="forge", **SMALL),
        seed=4,
        steps=30,
    )
    assert r.summary["messages_total"] == 0 and r.summary["votes_cast"] == 0 and len(r.votes) == 0
    assert r.summary["signatures_forged"] > 0 and r.summary["forged_reach_frac"] == 0.0
    assert not CHANNELS.get("none").carries_votes
