"""``sharing="ledger"``: every entry costs ``N - 1`` messages and reaches every node after the latency."""

from __future__ import annotations

import numpy as np

from workbench import ModelParams, ThreatIntelModel, run_model

SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)


def test_each_signature_pays_n_minus_1_per_entry_its_own_its_votes_and_its_decision():
    params = ModelParams.preset(
        "easy", sharing="ledger", ledger_latency_steps=0, zscore_threshold=2.5, min_flagged=2, **SMALL
    )
    r = run_model(params, seed=1, steps=30)
    sigs = r.signatures
    votes = r.votes.groupby("sig_id").size().reindex(sigs.sig_id, fill_value=0).to_numpy()  # all arrive at once
    entries = 1 + votes + (sigs.outcome != "pending").astype(int)
    assert len(sigs) > 10 and votes.sum() > 0 and (sigs.messages == (params.n_nodes - 1) * entries).all()


def test_a_signature_reaches_every_node_exactly_the_latency_after_it_was_proposed():
    latency = 2
    model = ThreatIntelModel(ModelParams.preset("easy", sharing="ledger", ledger_latency_steps=latency, **SMALL), rng=2)
    seen: dict[int, int] = {}  # row -> first step at which every node held it
    for t in range(1, 25):
        model.step()
        s = model.state.sigs
        everywhere = np.flatnonzero(s.holds[: len(s)].all(axis=1))
        for row in everywhere:
            seen.setdefault(int(row), t)
    s = model.state.sigs
    made = s.view.created_step
    rows = [r for r in range(len(s)) if made[r] + latency <= 24]
    assert rows and all(seen[r] == made[r] + latency for r in rows)


def test_votes_are_never_lost_on_the_ledger():
    params = ModelParams.preset("easy", sharing="ledger", message_loss=0.5, ledger_latency_steps=0, **SMALL)
    steps = run_model(params, seed=3, steps=30).steps
    assert steps.votes_cast.sum() > 0 and steps.votes_lost.sum() == 0


def test_delivery_columns_see_every_node_reached_at_the_latency():
    latency, steps = 2, 25
    params = ModelParams.preset("easy", sharing="ledger", ledger_latency_steps=latency, **SMALL)
    sigs = run_model(params, seed=3, steps=steps).signatures
    n = params.n_nodes
    arrived = sigs[sigs.created_step + latency <= steps]
    assert len(arrived) > 5
    # the origin holds it at round 0, the N - 1 others at round ``latency``
    assert np.allclose(arrived.t_ave_rounds, latency * (n - 1) / n)
    assert (arrived.t_last_rounds == latency).all()
    # its entry, and its confirmation's (which carries it), each to the N - 1 others; votes not counted
    confirmed = (arrived.outcome == "confirmed").to_numpy()
    assert np.allclose(arrived.traffic_per_node, (n - 1) / n * (1 + confirmed))
    assert (arrived.traffic_per_node * n < arrived.messages).any()
