"""Outcomes as declared objects: the summary and the glossaries read them; a researcher's outcome joins by import
path and is refused, naming the field, when it cannot (the Pareto directions and headline cards:
``tests/analysis/test_declared_outcome_directions.py``)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from workbench import ModelParams, run_model
from workbench.experiments.identity import component_sources
from workbench.model.outcomes import MAXIMIZE, MINIMIZE, Outcome
from workbench.model.outcomes.catalog import builtin_names, outcome
from workbench.model.outcomes.glossary import BEGIN, END, glossary_markdown

ROOT = Path(__file__).resolve().parents[2]
SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, campaign_interval_steps=4, n_campaigns=2)
MINE = "user_components:protected_within_10"


def _script():
    spec = importlib.util.spec_from_file_location("outcomes_glossary", ROOT / "scripts" / "outcomes_glossary.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_summary_is_the_declared_outcomes_in_order():
    result = run_model(SMALL, seed=3, steps=20)
    assert tuple(result.summary) == builtin_names()


@pytest.mark.parametrize("path", ["docs/outcomes.md", "README.md"])
def test_the_glossaries_are_generated_from_the_declarations(path):
    script = _script()
    file = ROOT / path
    assert file.read_text() == script.expected(file, script.TARGETS[file]), (
        f"{path} is out of step with workbench/model/outcomes: run PYTHONPATH=. python scripts/outcomes_glossary.py "
        "--update"
    )


def test_every_declared_outcome_appears_in_the_full_glossary_with_its_direction():
    text = glossary_markdown()
    assert text.startswith(BEGIN) and text.endswith(END)
    for name in builtin_names():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        assert row.endswith(
            {"maximize": "| higher |", "minimize": "| lower |", "info": "| - |"}[outcome(name).direction]
        )


def test_a_researchers_outcome_by_import_path_joins_the_summary_after_the_built_ins():
    params = ModelParams.preset("easy", **SMALL, outcomes=[MINE])
    assert params.outcomes == (MINE,) and ModelParams.from_dict(json.loads(json.dumps(params.to_dict()))) == params
    result = run_model(params, seed=3, steps=25)
    assert tuple(result.summary)[:-1] == builtin_names()
    c = result.campaigns
    assert result.summary["protected_within_10_frac"] == float((c["t50_reached"] & (c["t50_steps"] <= 10)).mean())
    # the built-in outcomes are not changed by adding one
    plain = run_model(params.replace(outcomes=()), seed=3, steps=25)
    assert {k: v for k, v in result.summary.items() if k in plain.summary} == pytest.approx(plain.summary, nan_ok=True)
    assert outcome("protected_within_10_frac", params.outcomes).direction == MAXIMIZE
    # its module's source enters the run's identity, as for any component outside the package
    assert component_sources(ModelParams, params.to_dict())["outcomes[0]"].startswith(MINE + "+")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["recall"], r"outcomes=.*'recall' is not an import path .*the built-in outcomes are always in the summary"),
        (
            ["user_components:unanimous"],
            r"outcomes='user_components:unanimous': .* is not a workbench.model.outcomes.Outcome",
        ),
        (["user_components:nothing_here"], r"outcomes='user_components:nothing_here': 'user_components' has no"),
        (["no_such_module_xyz:x"], r"outcomes='no_such_module_xyz:x': cannot import"),
        ([MINE, MINE], r"declares the name 'protected_within_10_frac', which another outcome has"),
    ],
)
def test_a_bad_outcome_is_refused_naming_the_field(value, message):
    with pytest.raises(ValueError, match=message):
        ModelParams(outcomes=value)


def test_an_outcome_under_a_built_in_name_is_refused_before_the_run():
    params = ModelParams(**SMALL, outcomes=["user_components:recall_again"])
    with pytest.raises(ValueError, match=r"outcomes=.*declares the name 'recall', which a built-in outcome has"):
        run_model(params, seed=1, steps=5)


def test_an_outcome_declaration_is_checked():
    with pytest.raises(ValueError, match="direction='up' is not allowed"):
        Outcome("x", lambda run: 0.0, "up", "", "")
    with pytest.raises(ValueError, match="must be a Python identifier"):
        Outcome("x y", lambda run: 0.0, MINIMIZE, "", "")


def test_outcome_values_are_plain_numbers():
    result = run_model(SMALL, seed=1, steps=15)
    assert all(isinstance(v, (int, float)) and not isinstance(v, np.generic) for v in result.summary.values())
