"""Parameters and results read well in a notebook: short reprs, HTML tables, a described-parameters
frame with units, and a summary that stays a dict but displays at four significant digits."""

from __future__ import annotations

import pickle

import pandas as pd

from workbench import ModelParams, run_model


def test_params_repr_shows_only_what_differs_from_the_defaults_and_evaluates_back():
    p = ModelParams(n_nodes=20, sharing="ledger")
    assert repr(p) == "ModelParams(n_nodes=20, sharing='ledger')" and repr(ModelParams()) == "ModelParams()"
    assert eval(repr(p)) == p
    page = p._repr_html_()
    assert "2 of " in page and "<code>sharing</code>" in page and "&#x27;ledger&#x27;" in page


def test_describe_is_a_frame_with_default_range_unit_and_doc():
    described = ModelParams.describe()
    assert isinstance(described, pd.DataFrame)
    assert list(described.columns) == ["name", "default", "allowed", "unit", "doc"]
    rows = described.set_index("name")
    assert rows.loc["n_nodes", "default"] == 50 and rows.loc["n_nodes", "unit"] == "nodes"
    assert rows.loc["eval_window_steps", "unit"] == "steps" and rows.loc["spread_prob", "unit"] == "probability"
    assert rows.loc["quorum", "allowed"] == "a number with 0.5 < x <= 1.0" and rows.loc["quorum", "doc"]


def test_a_run_result_has_a_short_repr_and_an_html_one_and_its_summary_stays_a_dict():
    result = run_model(ModelParams(n_nodes=12), seed=3, steps=8)
    text = repr(result)
    assert "\n" not in text and len(text) < 400
    assert text.startswith("RunResult(seed=3, n_steps=8, params=ModelParams(n_nodes=12); frames: steps 8x")
    assert "<table>" in result._repr_html_() and "recall" in result._repr_html_()
    summary = result.summary
    assert isinstance(summary, dict) and summary == dict(summary) and summary["recall"] == dict(summary)["recall"]
    floats = [v for v in summary.values() if isinstance(v, float) and 0 < abs(v) < 1 and len(repr(v)) > 8]
    assert floats, "expected at least one long float in the summary"
    assert repr(floats[0]) not in repr(summary) and f"{floats[0]:.4g}" in repr(summary)
    again = pickle.loads(pickle.dumps(result)).summary  # worker processes and Ray send results pickled
    assert type(again) is type(summary) and pd.Series(again).equals(pd.Series(summary))
