"""The issue-10 parameters (difficulty, gossip, delivery) reject bad values naming field, value and range."""

from __future__ import annotations

import pytest

from workbench import ModelParams, run_model


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("attack_separation", -1.0, "attack_separation=-1.0 is out of range; expected a number with 0.0 <= x <= 50.0"),
        ("attack_separation", 51, "attack_separation=51 is out of range"),
        ("attacker_prefixes", 0, "attacker_prefixes=0 is out of range; expected an integer with 1 <= x <= 64"),
        ("attacker_prefixes", 2.5, "attacker_prefixes=2.5 is out of range"),
        ("prefix_rotation_steps", -1, "prefix_rotation_steps=-1 is out of range; expected an integer with 0 <= x"),
        ("attacker_cloud_share", 1.5, "attacker_cloud_share=1.5 is out of range; expected a number with 0.0 <= x"),
        ("benign_drift", -0.1, "benign_drift=-0.1 is out of range; expected a number with 0.0 <= x <= 1.0"),
        ("warmup_contamination", 0.6, "warmup_contamination=0.6 is out of range; expected a number with 0.0 <= x"),
        ("benign_tail_share", 0.9, "benign_tail_share=0.9 is out of range; expected a number with 0.0 <= x <= 0.5"),
        ("benign_tail_index", 0.1, "benign_tail_index=0.1 is out of range; expected a number with 0.5 <= x <= 10.0"),
        ("gossip_mode", "flood", "gossip_mode='flood' is not allowed; choose one of 'push', 'push_pull', 'rumor'"),
        ("rumor_k", 0.5, "rumor_k=0.5 is out of range; expected a number with 1.0 <= x"),
        ("message_loss", 1.0, "message_loss=1.0 is out of range; expected a number with 0.0 <= x < 1.0"),
        ("message_loss", float("nan"), "message_loss=nan is out of range"),
        ("malicious_relay", "eat", "malicious_relay='eat' is not allowed; choose one of 'forward', 'drop'"),
        ("ledger_latency_steps", -1, "ledger_latency_steps=-1 is out of range; expected an integer with 0 <= x"),
        ("ledger_latency_steps", 1.5, "ledger_latency_steps=1.5 is out of range"),
    ],
)
def test_bad_values_name_field_value_and_range(field, value, fragment):
    with pytest.raises(ValueError) as err:
        ModelParams(**{field: value})
    assert fragment in str(err.value)
    with pytest.raises(ValueError) as err:  # through a preset too, before anything runs
        run_model(ModelParams.preset("realistic").to_dict() | {field: value}, steps=1)
    assert fragment in str(err.value)


def test_presets_are_named_and_overridable():
    with pytest.raises(ValueError, match="preset='medium' is not allowed; choose one of 'easy', 'realistic', 'hard'"):
        ModelParams.preset("medium")
    assert ModelParams.preset("hard", message_loss=0.0).message_loss == 0.0
    with pytest.raises(ValueError, match="rumor_k=0 is out of range"):
        ModelParams.preset("easy", rumor_k=0)
