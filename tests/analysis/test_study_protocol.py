"""Every study follows the protocol of ``workbench.analysis.studies``: named sizes, a design that runs and
reads its kept frames, findings that prose and headline read, and figures that draw them."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import theory_check as tc
from workbench.analysis.prim import prim
from workbench.analysis.studies import Headline, StudyDesign
from workbench.analysis.studies import sensitivity as ss
from workbench.analysis.studies import theory as ts
from workbench.experiments import Sweep

STUDIES = ["breakdown", "frontier", "votes", "theory", "sensitivity", "ledger"]
SENSITIVITY_FACTORS = {"malicious_fraction": [0.1, 0.45], "quorum": [0.55, 0.95]}


@pytest.mark.parametrize("name", STUDIES)
def test_every_study_has_the_stages_and_refuses_an_unknown_size(name):
    study = importlib.import_module(f"workbench.analysis.studies.{name}")
    for stage in ("design", "analyse", "headline"):
        assert callable(getattr(study, stage)), f"{name} lacks {stage}()"
    assert any(n.startswith("plot_") for n in study.__all__), f"{name} has no figure"
    assert any("prose" in n for n in study.__all__), f"{name} has no prose"
    extra = {"factors": SENSITIVITY_FACTORS} if name == "sensitivity" else {}
    with pytest.raises(ValueError, match="size='huge' is not allowed"):
        study.design("huge", **extra)
    small = study.design("small", seed=1, **extra)
    assert small.size == "small"


def test_a_design_runs_its_blocks_and_reads_what_they_kept(tmp_path):
    base = {"n_nodes": 8, "flows_per_node": 8, "n_campaigns": 1, "warmup_steps": 2}
    sweeps = [
        Sweep(
            {**base, "sharing": s},
            {"malicious_fraction": [0.0]},
            steps=6,
            seed=1,
            keep=["votes"],
            name=f"p_{s}",
            allow_partial_windows=True,  # plumbing: six steps of a 32-step window
        )
        for s in ("ledger", "gossip")
    ]
    design = StudyDesign("small", sweeps, [{"block": "a"}, {"block": "b"}])
    assert design.runs == 2 and design.base.n_nodes == 8
    results = design.run(backend="local", store=tmp_path, quiet=True)
    assert results["block"].tolist() == ["a", "b"]
    assert set(design.kept(results, "votes")["block"]) <= {"a", "b"}
    record = design.provenance("x.ipynb", results, size="small")
    assert record["spec_hashes"] == [s.spec_hash for s in sweeps] and record["size"] == "small"
    with pytest.raises(ValueError, match="1 labels for 2 sweeps"):
        StudyDesign("small", sweeps, [{}])


def test_a_headline_shows_what_it_holds(monkeypatch):
    shown = []
    monkeypatch.setattr("workbench.analysis.studies.protocol.show_headline", lambda *a, **k: shown.append((a, k)))
    Headline({"x": 1.0}, {"x": "an x"}, {"x": "steps"}).show()
    assert shown == [(({"x": 1.0},), {"labels": {"x": "an x"}, "units": {"x": "steps"}, "outcomes": {}})]


def _check(name: str, observed: float) -> tc.Check:
    return tc.Check(name, "share", 0.5, 0.45, 0.55, observed, observed - 0.02, observed + 0.02, 100)


def test_theory_findings_count_agreements_and_name_each_disagreement():
    found = ts.analyse({"consensus": [_check("a", 0.5), _check("b", 0.7)], "gossip": [_check("c", 0.52)]})
    assert list(found.groups) == ["consensus", "gossip"] and len(found.checks) == 3 and found.agree == 2
    text = ts.prose(found)
    assert text.startswith("2 of 3 checks agree") and "- Disagrees: b: observed 0.7" in text
    assert "about 0.03 disagreements are expected by chance" in text
    assert ts.headline(found).values == {"checks_agree": 2, "checks": 3}
    assert len(ts.plot_group(found, "consensus").axes) == 2


def test_theory_design_plans_the_tests_checks_at_the_small_size():
    small = ts.design("small", seed=0)
    assert [len(c) for c in small.groups.values()] == [3, 4]
    assert [len(c) for c in ts.design("full").groups.values()] == [10, 11]
    condorcet = small.groups["consensus"][0]
    assert condorcet.func is tc.condorcet_check and condorcet.keywords["seeds"] == range(0, 25)


def _sensitivity_findings(discovery_frame: pd.DataFrame | None) -> ss.SensitivityFindings:
    discovery = prim(discovery_frame, "forged", 0.1, factors=["a", "b"]) if discovery_frame is not None else None
    return ss.SensitivityFindings(
        "morris", {"security": "forged"}, {}, pd.DataFrame(), discovery, None if discovery else "no point above", 0.1
    )


def test_sensitivity_headline_and_prose_read_the_prim_result():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.random(400), "b": rng.random(400)})
    frame["forged"] = ((frame["a"] > 0.6) & (frame["b"] < 0.5)).astype(float) * 0.5
    found = _sensitivity_findings(frame)
    headline = ss.headline(found)
    assert headline.values["forgery_points"] == pytest.approx(found.discovery.n_of_interest / 400)
    assert headline.values["box_density"] == found.discovery.box.density
    assert "more than 10% of forged signatures" in ss.prim_prose(found)
    not_run = _sensitivity_findings(None)
    assert ss.prim_prose(not_run) == "PRIM was not run: no point above"
    assert ss.headline(not_run).values == {"forgery_points": "PRIM not run"}
    assert ss.plot_prim_box(not_run) is None and ss.second_order(found) == {}


def test_sensitivity_headline_without_prim_gives_the_share_and_the_top_factors():
    scores = pd.DataFrame({"forged": [0.2, 0.8], "blocked": [0.7, 0.3]}, index=["a", "b"])
    found = ss.SensitivityFindings(
        "morris", {"security": "forged", "protection": "blocked"}, {}, scores, None, "no point above", 0.1, (0, 40)
    )
    values = ss.headline(found).values
    assert values == {"forgery_points": 0.0, "top_factor_security": "b", "top_factor_protection": "a"}
    assert "(of 40; PRIM not run)" in ss.headline(found).labels["forgery_points"]


def test_sensitivity_design_is_one_sweep_of_the_sizes_sampler():
    small = ss.design("small", seed=2, sharing="ledger", factors=SENSITIVITY_FACTORS)
    (sweep,) = small.sweeps
    assert (
        sweep.design.value == "morris"
        and sweep.base.sharing == "ledger"
        and list(sweep.factors) == ["malicious_fraction", "quorum"]
    )
    assert ss.design("full", factors=SENSITIVITY_FACTORS).sweeps[0].design.value == "sobol"
    with pytest.raises(ValueError, match="factors is empty"):
        ss.design("small", factors={})
