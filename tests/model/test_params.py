"""Parameters are validated before anything runs, with errors naming field, value and range."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from workbench import ModelParams, run_model
from workbench.model.params import field_names


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("n_nodes", 1, "n_nodes=1 is out of range; expected an integer with 2 <= x"),
        ("n_nodes", 2.5, "n_nodes=2.5 is not a whole number; expected an integer with 2 <= x"),
        ("topology", "mesh", "topology='mesh' is not allowed; choose one of 'complete', 'small_world'"),
        ("sharing", "email", "sharing='email' is not allowed"),
        ("gossip_fanout", 0, "gossip_fanout=0 is out of range; expected an integer with 1 <= x"),
        ("consensus", "vote", "consensus='vote' is not allowed"),
        ("quorum", 0.5, "quorum=0.5 is out of range; expected a number with 0.5 < x <= 1"),
        ("quorum", 1.01, "quorum=1.01 is out of range"),
        ("validation", "oracle", "validation='oracle' is not allowed"),
        ("validator_accuracy", -0.1, "validator_accuracy=-0.1 is out of range; expected a number with 0.0 <= x <= 1.0"),
        ("malicious_fraction", 1.0, "malicious_fraction=1.0 is out of range; expected a number with 0.0 <= x < 1.0"),
        ("malicious_behavior", "troll", "malicious_behavior='troll' is not allowed"),
        ("detector", "svm", "detector='svm' is not allowed; choose one of 'iforest', 'zscore'"),
        ("flows_per_node", 0, "flows_per_node=0 is out of range"),
        ("spread_prob", float("nan"), "spread_prob=nan is out of range"),
        ("n_nodes", True, "n_nodes=True has the wrong type (bool)"),
    ],
)
def test_invalid_values_name_field_value_and_range(field, value, fragment):
    with pytest.raises(ValueError) as err:
        ModelParams(**{field: value})
    assert fragment in str(err.value)


def test_relations_between_fields_are_checked():
    with pytest.raises(ValueError, match=r"attack_flows_per_node=60 is out of range.*flows_per_node \(50\)"):
        ModelParams(attack_flows_per_node=60)
    with pytest.raises(ValueError, match="ledger_path=None is not allowed with ledger='sqlite'"):
        ModelParams(ledger="sqlite")


def test_params_are_immutable_and_numpy_numbers_are_accepted():
    p = ModelParams(n_nodes=np.int64(20), quorum=np.float32(0.75), spread_prob=0.2)
    assert p.n_nodes == 20 and type(p.n_nodes) is int
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.n_nodes = 3  # type: ignore[misc]
    assert p.replace(n_nodes=30).n_nodes == 30


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match=r"unknown parameter 'nodes'; did you mean 'n_nodes'"):
        ModelParams.from_dict({"nodes": 3})
    with pytest.raises(ValueError, match="unknown parameter"):
        ModelParams().replace(colour="red")


def test_round_trip_and_description():
    p = ModelParams(n_nodes=33, sharing="ledger")
    assert ModelParams.from_dict(p.to_dict()) == p
    described = {row["name"]: row for row in ModelParams.describe().to_dict("records")}
    assert set(described) == set(field_names())
    assert described["quorum"]["allowed"] == "a number with 0.5 < x <= 1.0"


def test_run_model_rejects_bad_input_before_running():
    with pytest.raises(ValueError, match="steps=0 is out of range"):
        run_model(ModelParams(), seed=1, steps=0)
    with pytest.raises(ValueError, match="n_nodes=-3 is out of range"):
        run_model({"n_nodes": -3}, seed=1, steps=5)


# --- difficulty, gossip and delivery fields, directly and through a preset ---------------------------------
@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("attack_separation", -1.0, "attack_separation=-1.0 is out of range; expected a number with 0.0 <= x <= 50.0"),
        ("attack_separation", 51, "attack_separation=51 is out of range"),
        ("attacker_prefixes", 0, "attacker_prefixes=0 is out of range; expected an integer with 1 <= x <= 64"),
        ("attacker_prefixes", 2.5, "attacker_prefixes=2.5 is not a whole number"),
        ("prefix_rotation_steps", -1, "prefix_rotation_steps=-1 is out of range; expected an integer with 0 <= x"),
        ("attacker_cloud_share", 1.5, "attacker_cloud_share=1.5 is out of range; expected a number with 0.0 <= x"),
        ("benign_drift", -0.1, "benign_drift=-0.1 is out of range; expected a number with 0.0 <= x <= 1.0"),
        ("warmup_contamination", 0.6, "warmup_contamination=0.6 is out of range; expected a number with 0.0 <= x"),
        ("benign_tail_share", 0.9, "benign_tail_share=0.9 is out of range; expected a number with 0.0 <= x <= 0.5"),
        ("benign_tail_index", 0.1, "benign_tail_index=0.1 is out of range; expected a number with 0.5 <= x <= 10.0"),
        ("gossip_mode", "flood", "gossip_mode='flood' is not allowed; choose one of 'push', 'push_pull', 'rumor'"),
        ("rumor_k", 0.5, "rumor_k=0.5 is out of range; expected a number with 1.0 <= x"),
        ("rumor_stop", "die", "rumor_stop='die' is not allowed; choose one of 'coin', 'counter'"),
        ("rumor_feedback", "yes", "rumor_feedback='yes'"),
        (
            "rumor_feedback_at",
            "later",
            "rumor_feedback_at='later' is not allowed; choose one of 'arrival', 'round_start'",
        ),
        ("message_loss", 1.0, "message_loss=1.0 is out of range; expected a number with 0.0 <= x < 1.0"),
        ("message_loss", float("nan"), "message_loss=nan is out of range"),
        ("malicious_relay", "eat", "malicious_relay='eat' is not allowed; choose one of 'forward', 'drop'"),
        ("ledger_latency_steps", -1, "ledger_latency_steps=-1 is out of range; expected an integer with 0 <= x"),
        ("ledger_latency_steps", 1.5, "ledger_latency_steps=1.5 is not a whole number"),
    ],
)
def test_bad_difficulty_gossip_and_delivery_values_name_field_value_and_range(field, value, fragment):
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


def test_a_rumour_counter_needs_a_whole_number_of_pushes():
    with pytest.raises(ValueError) as err:
        ModelParams(rumor_stop="counter", rumor_k=2.5)
    assert "rumor_k=2.5 is out of range with rumor_stop='counter'; expected a whole number with 1 <= x" in str(
        err.value
    )
    assert ModelParams(rumor_stop="counter", rumor_k=3).rumor_k == 3
    assert ModelParams(rumor_stop="coin", rumor_k=2.5).rumor_k == 2.5
