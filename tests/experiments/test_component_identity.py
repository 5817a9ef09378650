"""Run identity covers a component named by import path: its module's source, not only its name."""

from __future__ import annotations

import importlib
import sys

from workbench.experiments import Sweep
from workbench.experiments.identity import component_sources
from workbench.model.params import ModelParams

CHANNEL = '''
from workbench.model.channels.gossip import GossipChannel


class MyGossip(GossipChannel):
    """{doc}"""
'''


def _run_ids(sharing: str) -> list[str]:
    return [
        run.run_id
        for run in Sweep(
            base={"sharing": sharing, "n_nodes": 10}, replicates=2, steps=3, allow_partial_windows=True
        ).runs
    ]


def test_editing_a_components_module_changes_its_runs_identity(tmp_path, monkeypatch):
    module = tmp_path / "my_lab_channels.py"
    module.write_text(CHANNEL.format(doc="first version"))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    try:
        first = _run_ids("my_lab_channels:MyGossip")
        assert first == _run_ids("my_lab_channels:MyGossip")  # deterministic
        module.write_text(CHANNEL.format(doc="second version"))
        second = _run_ids("my_lab_channels:MyGossip")
        assert set(first).isdisjoint(second)
        assert set(first).isdisjoint(_run_ids("gossip"))
    finally:
        sys.modules.pop("my_lab_channels", None)


def test_the_packages_own_components_add_nothing_beyond_the_model_version():
    assert component_sources(ModelParams, ModelParams().to_dict()) == {}
    params = ModelParams(sharing="user_components:PlainGossip", detector="user_components:Mahalanobis")
    sources = component_sources(ModelParams, params.to_dict())
    assert sorted(sources) == ["detector", "sharing"]
    assert sources["sharing"].startswith("user_components:PlainGossip+")
    assert sources["detector"].split("+")[1] == sources["sharing"].split("+")[1]  # one module, one digest
