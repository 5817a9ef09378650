"""A component is named by a registered name or an import path; a bad one is refused before anything runs."""

from __future__ import annotations

import pytest

from workbench import ModelParams, run_model
from workbench.experiments import Sweep
from workbench.model.channels import CHANNELS
from workbench.model.components import Registry, closest


def test_the_allowed_channels_are_the_registry_names_and_describe_says_import_paths_too():
    assert CHANNELS.names() == ("none", "central", "ledger", "gossip")
    described = {row["name"]: row for row in ModelParams.describe().to_dict("records")}
    assert described["sharing"]["allowed"] == "none, central, ledger, gossip, or an import path 'package.module:attr'"


def test_an_unknown_name_is_refused_with_the_closest_registered_names():
    with pytest.raises(
        ValueError, match=r"sharing='gosip' is not allowed; choose one of 'none', .*\(closest: 'gossip'\)"
    ):
        ModelParams(sharing="gosip")
    assert closest("legder", CHANNELS.names()) == " (closest: 'ledger')"
    assert closest("zzz", CHANNELS.names()) == ""


@pytest.mark.parametrize(
    "value, message",
    [
        ("no_such_module_here:Channel", r"sharing='no_such_module_here:Channel': cannot import 'no_such_module_here'"),
        ("user_components:NoSuchClass", r"sharing='user_components:NoSuchClass': 'user_components' has no"),
        ("user_components:", r"sharing='user_components:' must look like 'package.module:name'"),
        ("user_components:NotAChannel", r"sharing='user_components:NotAChannel': .* lacks .*arrive"),
    ],
)
def test_a_bad_import_path_is_refused_naming_the_field_and_what_was_tried(value, message):
    with pytest.raises(ValueError, match=message):
        ModelParams(sharing=value)
    with pytest.raises(ValueError, match=message):  # a sweep refuses it when it is built, before any run
        Sweep(factors={"sharing": ["gossip", value]}, steps=2)
    with pytest.raises(ValueError, match=message):
        run_model({"sharing": value}, steps=2)


def test_a_channel_by_import_path_is_accepted_and_kept_as_its_path():
    params = ModelParams(sharing="user_components:PlainGossip")
    assert params.sharing == "user_components:PlainGossip"
    assert ModelParams.from_dict(params.to_dict()) == params


def test_a_constructor_that_fails_is_reported_with_the_field():
    registry = Registry("thing", "thing", {}, protocol="nothing", problem=lambda obj: None)
    with pytest.raises(ValueError, match=r"thing='user_components:Exploding': making the thing failed \(RuntimeError"):
        registry.check("user_components:Exploding")


def test_a_registered_name_resolves_like_its_path():
    registry = Registry("thing", "thing", {}, protocol="nothing", problem=lambda obj: None)
    registry.register("plain", "user_components:PlainGossip")
    assert registry.names() == ("plain",) and registry.check("plain") == "plain"
    assert type(registry.get("plain")).__name__ == "PlainGossip"
    with pytest.raises(ValueError, match="must look like 'package.module:attr'"):
        registry.register("bad", "PlainGossip")
