"""Errors say what is wrong: a wrong type is a type error, an unknown name comes with the closest valid
names (the same from the constructor, replace, from_dict, a YAML sweep and the CLI), a bad seed is
named as the seed."""

from __future__ import annotations

import pytest

from workbench import ModelParams, run_model
from workbench.experiments.spec import Sweep
from workbench.validation import ParameterTypeError, UnknownNameError, closest_names


@pytest.mark.parametrize("value", ["100", 10.5, None, [100]])
def test_a_value_of_the_wrong_type_is_a_type_error_not_a_range_error(value):
    with pytest.raises(ParameterTypeError) as err:
        ModelParams(n_nodes=value)
    assert isinstance(err.value, TypeError) and isinstance(err.value, ValueError)
    message = str(err.value)
    assert message.startswith(f"n_nodes={value!r}") and "out of range" not in message
    assert "wrong type" in message or "not a whole number" in message
    assert "expected an integer with 2 <= x <= 1000000" in message


def test_a_number_outside_its_range_is_still_a_range_error():
    with pytest.raises(ValueError, match="n_nodes=1 is out of range") as err:
        ModelParams(n_nodes=1)
    assert not isinstance(err.value, TypeError)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ModelParams(n_node=100),
        lambda: ModelParams().replace(n_node=100),
        lambda: ModelParams.from_dict({"n_node": 100}),
        lambda: ModelParams.preset("easy", n_node=100),
        lambda: Sweep(base={"n_node": 100}),
    ],
    ids=["constructor", "replace", "from_dict", "preset", "sweep base"],
)
def test_an_unknown_field_is_answered_with_the_closest_field_names_wherever_it_is_given(make):
    with pytest.raises(UnknownNameError) as err:
        make()
    assert isinstance(err.value, TypeError) and isinstance(err.value, ValueError)
    assert str(err.value).startswith("unknown parameter 'n_node'; did you mean 'n_nodes'")
    assert "rewire_prob" not in str(err.value)  # not the whole list of fields


def test_closest_names_come_closest_first():
    assert closest_names("zscore_treshold", ["zscore_refit_steps", "zscore_threshold"])[0] == "zscore_threshold"
    assert closest_names("xyz", ["n_nodes", "topology"]) == []


def test_an_unknown_name_without_a_close_match_lists_the_known_names():
    with pytest.raises(UnknownNameError, match=r"unknown parameter 'colour'; known: n_nodes, topology, .*in all\)"):
        ModelParams(colour="red")


def test_an_unknown_choice_component_and_preset_suggest_the_closest():
    with pytest.raises(ValueError, match=r"sharing='gosip' is not allowed; .*\(closest: 'gossip'\)"):
        ModelParams(sharing="gosip")
    with pytest.raises(ValueError, match=r"topology='smal_world' is not allowed; .*\(closest: 'small_world'\)"):
        ModelParams(topology="smal_world")
    with pytest.raises(ValueError, match=r"preset='realstic' is not allowed; .*\(closest: 'realistic'\)"):
        ModelParams.preset("realstic")


def test_an_unknown_factor_suggests_the_closest_field():
    with pytest.raises(UnknownNameError, match=r"unknown factor 'zscore_treshold'; did you mean 'zscore_threshold'"):
        Sweep(factors={"zscore_treshold": [3.0, 4.0]})


@pytest.mark.parametrize("seed", ["abc", 1.5, None])
def test_a_bad_seed_is_named_as_the_seed(seed):
    with pytest.raises(ParameterTypeError, match=rf"seed={seed!r} is not a valid random seed"):
        run_model(ModelParams(n_nodes=10), seed=seed, steps=1)
    with pytest.raises(ParameterTypeError, match=rf"seed={seed!r} is not a valid random seed"):
        Sweep(seed=seed)
    with pytest.raises(ValueError, match=r"seed=-1 is out of range; expected an integer >= 0"):
        run_model(ModelParams(n_nodes=10), seed=-1, steps=1)
