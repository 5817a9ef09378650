"""``attack_share``: the attack's share of a targeted node's flows, as a rate down to 0.1% (issue 22)."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import ModelParams, run_model

SMALL = dict(n_nodes=30, flows_per_node=40, warmup_steps=3, n_campaigns=2, campaign_interval_steps=5)


def test_by_default_the_share_is_attack_flows_per_node_of_flows_per_node():
    assert ModelParams().attack_share is None and ModelParams().effective_attack_share == 0.1
    assert ModelParams(attack_share=0.003).effective_attack_share == 0.003
    # attack_share overrides attack_flows_per_node, whose bound then does not apply
    ModelParams(flows_per_node=10, attack_flows_per_node=20, attack_share=0.5)
    with pytest.raises(ValueError, match="attack_flows_per_node=20 is out of range"):
        ModelParams(flows_per_node=10, attack_flows_per_node=20)


@pytest.mark.parametrize("value", [0.0, -0.1, 1.5])
def test_a_share_outside_0_1_is_refused_naming_the_field(value):
    with pytest.raises(
        ValueError, match=rf"attack_share={value} is out of range; expected a number with 0.0 < x <= 1.0"
    ):
        ModelParams(attack_share=value)


def test_the_attack_flows_follow_the_share_over_a_run():
    flows = {}
    for share in (0.1, 0.01, 0.001):
        steps = run_model(ModelParams(attack_share=share, **SMALL), seed=4, steps=40).steps
        flows[share] = int(steps.attack_flows.sum())
    assert flows[0.1] > 5 * flows[0.01] > 0  # about 10x apart (campaign spread varies with detection)
    assert flows[0.01] > flows[0.001]  # 0.1% of 40 flows: a flow in one targeted node-step in 25, not none


def test_the_same_seed_gives_the_same_run_with_a_share():
    params = ModelParams(attack_share=0.005, **SMALL)
    a, b = run_model(params, seed=2, steps=25), run_model(params, seed=2, steps=25)
    assert a.steps.equals(b.steps) and pd.Series(a.summary).equals(pd.Series(b.summary))
    assert a.steps.attack_flows.sum() > 0
