"""The model core's boundary: rules, step outputs, and metrics that only read."""

from __future__ import annotations

import copy

import numpy as np

from workbench import ThreatIntelModel
from workbench.model import metrics
from workbench.model.outcomes import catalog
from workbench.model.signatures import NewSignature, Rule, SignatureTable
from workbench.model.state import COUNTS, StepCounts, StepOutput

SMALL = {"n_nodes": 20, "flows_per_node": 20, "warmup_steps": 2, "campaign_interval_steps": 3, "sharing": "ledger"}


def test_rule_matches_its_closed_ranges_only():
    rule = Rule(prefix=10, proto=6, port_lo=80, port_hi=90, lb_lo=1.0, lb_hi=2.0, lp_lo=0.5, lp_hi=1.5)
    assert rule.key == 10 * 256 + 6
    port = np.array([80, 90, 79, 91, 85, 85, 85])
    lb = np.array([1.0, 2.0, 1.5, 1.5, 0.99, 1.5, 1.5])
    lp = np.array([0.5, 1.5, 1.0, 1.0, 1.0, 1.6, 1.0])
    assert rule.matches(port, lb, lp).tolist() == [True, True, False, False, False, False, True]
    assert rule.payload() == {
        "prefix": 10,
        "proto": 6,
        "port_lo": 80,
        "port_hi": 90,
        "lb_lo": 1.0,
        "lb_hi": 2.0,
        "lp_lo": 0.5,
        "lp_hi": 1.5,
    }


def test_signature_table_gives_back_the_rule_it_was_given():
    table = SignatureTable(n_nodes=3, capacity=1)  # forces a grow
    rules = [Rule(1, 17, 53, 53, -1.0, 40.0, -1.0, 40.0), Rule(2, 6, 0, 65535, 0.25, 3.5, 1.0, 2.0)]
    idx = table.add(
        [NewSignature(r, origin=i, created_step=5, confidence=0.5, threat_type="ddos") for i, r in enumerate(rules)]
    )
    assert [table.rule(i) for i in idx] == rules
    assert table.view.key.tolist() == [r.key for r in rules] and len(set(table.sig_ids)) == 2


def test_step_counts_add_field_by_field():
    a, b = StepCounts(attack_flows=3, messages=2), StepCounts(attack_flows=1, votes_cast=4)
    assert a + b == StepCounts(attack_flows=4, messages=2, votes_cast=4)
    assert COUNTS[0] == "attack_flows" and len(COUNTS) == 16 and COUNTS[-1] == "bytes"


def test_a_step_returns_what_it_appended_and_counted():
    model = ThreatIntelModel(rng=2, **SMALL)
    totals, written = StepCounts(), 0
    for t in range(1, 12):
        out = model.advance(t)
        assert isinstance(out, StepOutput) and out.counts == model.state.last
        written += len(out.entries)
        totals += out.counts
        assert len(model.ledger) == written
    assert totals == model.state.totals and written > 0 and totals.signatures_proposed > 0


def test_reporters_and_frames_only_read_the_state():
    model = ThreatIntelModel(rng=3, **SMALL)
    for _ in range(10):
        model.step()
    before = copy.deepcopy(model.state)
    for reporter in metrics.model_reporters(model.params.n_campaigns).values():
        reporter(model)
    campaigns = metrics.campaigns_frame(model.state)
    catalog.summary(model.state, campaigns)
    metrics.signatures_frame(model.state)
    after = model.state
    for name in (
        "targeted",
        "protected",
        "first_detection",
        "t50",
        "t90",
        "detections",
        "ttp_events",
        "ttp_censored",
        "episode_pending",
        "window_attack_exposed",
    ):
        np.testing.assert_array_equal(getattr(before, name), getattr(after, name), err_msg=name)
    assert before.last == after.last and before.totals == after.totals
    for a, b in zip(before.sigs.arrived.log(), after.sigs.arrived.log()):
        np.testing.assert_array_equal(a, b)
