"""Paired differences of a component factor's levels against a reference level."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.component_comparison import paired_against, prose, short_name


def frame() -> pd.DataFrame:
    rows = []
    for rep, (a, b, c) in enumerate([(0.5, 0.7, 0.5), (0.4, 0.65, 0.41), (0.6, 0.75, 0.58), (0.5, 0.72, 0.52)]):
        rows += [
            {"detector": "zscore", "replicate": rep, "recall": a, "fpr": 0.01, "status": "ok"},
            {"detector": "my:Better", "replicate": rep, "recall": b, "fpr": 0.02 + 0.001 * rep, "status": "ok"},
            {"detector": "my:Same", "replicate": rep, "recall": c, "fpr": np.nan, "status": "ok"},
        ]
    return pd.DataFrame(rows)


def test_differences_are_paired_on_replicates_with_verdicts_by_direction():
    diffs = paired_against(frame(), "detector", "zscore", ["recall", "fpr"]).set_index(["level", "outcome"])
    better = diffs.loc[("my:Better", "recall")]
    assert better["diff"] == pytest.approx(np.mean([0.2, 0.25, 0.15, 0.22]))
    assert better.n_pairs == 4 and better.verdict == "better"  # recall: more is better
    assert diffs.loc[("my:Better", "fpr")].verdict == "worse"  # fpr: less is better
    assert diffs.loc[("my:Same", "recall")].verdict == "no difference shown"
    assert diffs.loc[("my:Same", "fpr")].n_pairs == 0  # NaN values make no pairs


def test_a_reference_that_is_not_a_level_is_refused_naming_the_levels():
    with pytest.raises(ValueError, match=r"reference='iforest' is not a level of 'detector'"):
        paired_against(frame(), "detector", "iforest", ["recall"])


def test_prose_names_the_component_by_its_short_name():
    text = prose(paired_against(frame(), "detector", "zscore", ["recall"]))
    assert "**Better** against zscore: better on `recall`" in text
    assert short_name("sklearn.covariance:EllipticEnvelope") == "EllipticEnvelope"


def test_a_frame_with_a_replicate_twice_per_level_is_refused_not_crossed():
    # a second factor in the sweep gives every (level, replicate) two runs: pairing on replicate alone
    # cannot say which run goes with which, so it is refused rather than crossing the runs
    twice = pd.concat([frame().assign(n_nodes=20), frame().assign(n_nodes=40)], ignore_index=True)
    with pytest.raises(ValueError, match="repeats the pairing key"):
        paired_against(twice, "detector", "zscore", ["recall"])
    assert paired_against(twice[twice.n_nodes == 20], "detector", "zscore", ["recall"])["n_pairs"].tolist() == [4, 4]
