"""Values zero or one by definition are reported as such: declared by the outcome for the design, measured so in
every run, and then shown without an interval ("0 (by definition)"); nothing is guessed from data alone."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench import ModelParams
from workbench.analysis.stats import summarize
from workbench.analysis.structural import (
    declared_value,
    fmt_by_definition,
    group_structural_value,
    structural_value,
)
from workbench.analysis.studies.common import fmt_interval
from workbench.experiments import Sweep

FORGERS = dict(malicious_fraction=0.25, malicious_behavior="forge", forge_prob=0.5)


def test_outcomes_declare_their_values_by_definition_from_the_design():
    none = ModelParams(sharing="none")
    assert declared_value("messages_total", none) == 0.0
    assert declared_value("votes_cast", none) == 0.0
    assert declared_value("genuine_rejected_frac", none) == 0.0  # an isolated node confirms its own rules
    assert declared_value("forged_benign_blocked_frac", none) == 0.0  # a forgery blocks only at its forger
    assert declared_value("forged_reach_frac", none) is None  # no forgery: NaN, not a value
    assert declared_value("forged_reach_frac", {"sharing": "none", **FORGERS}) == 0.0
    assert declared_value("forged_confirmed_frac", {"sharing": "none", **FORGERS}) == 1.0
    gossip = {"sharing": "gossip", **FORGERS}
    for name in ("messages_total", "forged_reach_frac", "forged_benign_blocked_frac", "genuine_rejected_frac"):
        assert declared_value(name, gossip) is None
    assert declared_value("forged_benign_blocked_frac", {"sharing": "gossip"}) == 0.0  # no malicious node
    assert declared_value("forged_benign_blocked_frac", {"sharing": "gossip", **FORGERS, "forge_prob": 0.0}) == 0.0
    assert declared_value("signatures_forged", {"sharing": "gossip", **FORGERS, "malicious_behavior": "lie"}) == 0.0
    assert declared_value("votes_cast", {"sharing": "central"}) == 0.0
    # a compromised aggregator forges on its own: nothing forged is zero by definition there
    assert declared_value("signatures_forged", {"sharing": "central", "aggregator": "compromised"}) is None
    # the base tells what the factors of a row do not
    assert declared_value("forged_reach_frac", {"sharing": "none"}, base=FORGERS) == 0.0
    assert declared_value("recall", {"sharing": "none"}) is None
    assert declared_value("not_an_outcome", {"sharing": "none"}) is None


def test_a_value_is_structural_only_when_declared_and_measured_so_in_every_run():
    none = {"sharing": "none"}
    assert structural_value([0, 0, 0], "messages_total", none) == 0.0
    assert structural_value([0, 2, 0], "messages_total", none) is None  # measured otherwise: not by definition
    assert structural_value([0, float("nan")], "messages_total", none) is None
    assert structural_value([], "messages_total", none) is None
    assert structural_value([0.0, 0.0], "recall", none) is None  # identical across seeds, but not declared
    assert structural_value([0, 0], "messages_total", {"sharing": "gossip"}) is None


def test_a_group_pooling_designs_is_structural_only_when_every_design_is():
    frame = pd.DataFrame({"sharing": ["none", "none", "gossip"], "messages_total": [0, 0, 0]})
    assert group_structural_value(frame.iloc[:2], "messages_total") == 0.0
    assert group_structural_value(frame, "messages_total") is None


def test_formatting_a_structural_value_shows_no_interval():
    assert fmt_by_definition(0.0) == "0 (by definition)"
    assert fmt_by_definition(1.0) == "1 (by definition)"
    assert fmt_interval(0.0, 0.0, 0.107, digits=1, percent=True, structural=0.0) == "0 (by definition)"
    assert fmt_interval(0.0, 0.0, 0.107, digits=1, percent=True, structural=float("nan")) == "0.0% (0.0% to 10.7%)"


def test_summarize_marks_structural_rows_of_a_sweep_and_drops_their_interval(tmp_path):
    base = dict(n_nodes=12, flows_per_node=20, warmup_steps=3, n_campaigns=1, eval_window_steps=8, **FORGERS)
    sweep = Sweep(base, {"sharing": ["none", "gossip"]}, replicates=2, steps=11, seed=3)
    results = sweep.run(backend="local", store=tmp_path / "s", quiet=True)
    table = summarize(results, ["messages_total", "forged_reach_frac", "recall"], by=["sharing"])
    row = table.set_index(["sharing", "outcome"])
    assert row.loc[("none", "messages_total"), "structural"] == 0.0
    assert math.isnan(row.loc[("none", "messages_total"), "ci_low"])
    assert math.isnan(row.loc[("none", "messages_total"), "ci_high"])
    assert row.loc[("none", "forged_reach_frac"), "structural"] == 0.0  # the base's forgers, from the store
    for key in [("gossip", "messages_total"), ("none", "recall"), ("gossip", "recall")]:
        assert np.isnan(row.loc[key, "structural"])
    assert np.isfinite(row.loc[("gossip", "messages_total"), "ci_low"])


@pytest.mark.parametrize("sharing", ["none", "central", "ledger", "gossip"])
def test_every_declared_structural_value_holds_in_a_run(sharing):
    from workbench import run_model
    from workbench.model.outcomes.catalog import builtin_outcomes

    params = ModelParams(
        n_nodes=14, flows_per_node=20, warmup_steps=3, n_campaigns=1, eval_window_steps=8, sharing=sharing, **FORGERS
    )
    result = run_model(params, seed=1, steps=12)
    declared = {o.name: o.structural_value(params) for o in builtin_outcomes()}
    checked = {name: value for name, value in declared.items() if value is not None}
    for name, value in checked.items():
        measured = result.summary[name]
        assert math.isnan(measured) or measured == value, (name, measured, value)
    if sharing == "none":
        assert {"messages_total", "forged_reach_frac", "genuine_rejected_frac"} <= set(checked)
