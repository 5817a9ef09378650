"""``sharing="central"``: reports to one aggregator (1 message each), confirmations broadcast (``N`` each)."""

from __future__ import annotations

import numpy as np

from workbench import ModelParams, ThreatIntelModel
from workbench.model.channels import CHANNELS

SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)


def _model(seed: int, steps: int, **changes) -> ThreatIntelModel:
    model = ThreatIntelModel(ModelParams.preset("easy", sharing="central", **SMALL, **changes), rng=seed)
    for _ in range(steps):
        model.step()
    return model


def test_a_confirmation_reaches_every_node_at_once_and_a_rejection_no_one_but_its_origin():
    s = _model(1, 30, zscore_threshold=2.5, min_flagged=2).state.sigs  # false positives: lone reports
    n = len(s)
    confirmed, rejected = s.view.outcome == 1, s.view.outcome == 2
    assert confirmed.any() and rejected.any()
    assert s.knows[:n][confirmed].all() and s.holds[:n][confirmed].all()
    assert not s.knows[:n][rejected].any()
    assert (s.holds[:n][rejected].sum(axis=1) == 1).all()  # the report stayed with its reporter


def test_each_signature_costs_its_report_plus_a_broadcast_if_confirmed():
    model = _model(2, 30)
    s, n_nodes = model.state.sigs, model.params.n_nodes
    expected = 1 + n_nodes * (s.view.outcome == 1)
    assert (s.view.messages == expected).all()
    assert model.state.totals.messages == int(expected.sum()) and model.state.totals.votes_cast == 0


def test_only_a_compromised_aggregator_files_signatures_of_its_own():
    channel = CHANNELS.get("central")
    for aggregator, files in (("honest", False), ("compromised", True)):
        model = _model(5, 8, aggregator=aggregator, forge_prob=1.0)
        state = model.state
        made = channel.extra_proposals(state, 9, np.random.default_rng(0), lambda node: ("forgery", node))
        assert (len(made) == 1) == files
        if files:
            assert made[0][0] == "forgery" and 0 <= made[0][1] < model.params.n_nodes
