"""A detector is a registered batched bank or any scikit-learn-style novelty detector, fitted per node."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import ModelParams, ThreatIntelModel, run_model
from workbench.experiments import Sweep
from workbench.model.detectors import IsolationForestBank, RobustZScoreBank
from workbench.model.novelty import DETECTORS, NoveltyBank

SMALL = dict(n_nodes=12, flows_per_node=30, warmup_steps=4, n_campaigns=2, campaign_interval_steps=5)


def _fitted(detector: str, seed: int = 1, **changes) -> ThreatIntelModel:
    model = ThreatIntelModel(ModelParams.preset("easy", detector=detector, **SMALL, **changes), rng=seed)
    for _ in range(SMALL["warmup_steps"] + 1):
        model.step()
    return model


def test_the_batched_banks_stay_registered_under_their_names():
    assert DETECTORS.names() == ("iforest", "zscore")
    assert isinstance(_fitted("zscore").detector.bank, RobustZScoreBank)
    assert isinstance(_fitted("iforest", iforest_trees=5).detector.bank, IsolationForestBank)


def test_a_scikit_learn_detector_by_import_path_is_fitted_once_per_node_with_a_seed_from_the_model():
    pytest.importorskip("sklearn")
    model = _fitted("sklearn.ensemble:IsolationForest")
    bank = model.detector.bank
    assert isinstance(bank, NoveltyBank) and len(bank.detectors_) == SMALL["n_nodes"]
    assert len({id(d) for d in bank.detectors_}) == SMALL["n_nodes"]
    seeds = [d.random_state for d in bank.detectors_]
    assert all(isinstance(s, int) for s in seeds) and len(set(seeds)) == len(seeds)
    assert seeds == [d.random_state for d in _fitted("sklearn.ensemble:IsolationForest").detector.bank.detectors_]


def test_a_per_node_detector_flags_below_its_nodes_warmup_percentile():
    model = _fitted("user_components:Mahalanobis", detector_contamination=0.05)
    bank = model.detector.bank
    rng = np.random.default_rng(0)
    warm = rng.normal(size=(SMALL["n_nodes"], 200, 4))
    bank.fit(warm)
    expected = np.percentile(bank.score_samples(warm), 5.0, axis=1)
    np.testing.assert_array_equal(bank.threshold_, expected)
    flows = rng.normal(size=(SMALL["n_nodes"], 50, 4)) * 3
    scores, flags = bank.predict_flags(flows)
    np.testing.assert_array_equal(flags, scores < expected[:, None])
    # each node's detector saw that node's flows only
    np.testing.assert_allclose(bank.detectors_[3].mean_, warm[3].mean(axis=0))


def test_runs_with_a_per_node_detector_are_reproducible_and_its_randomness_comes_from_the_seed():
    params = ModelParams.preset("easy", detector="user_components:SeededNoise", detector_contamination=0.2, **SMALL)
    a, b, c = (run_model(params, seed=s, steps=12) for s in (3, 3, 4))
    pd.testing.assert_frame_equal(a.steps, b.steps)
    pd.testing.assert_frame_equal(a.signatures, b.signatures)
    assert not a.steps.equals(c.steps)


def test_lof_runs_as_a_novelty_detector_from_a_factory():
    pytest.importorskip("sklearn")
    r = run_model(ModelParams.preset("easy", detector="user_components:lof", **SMALL), seed=2, steps=15)
    assert r.summary["recall"] > 0 and r.summary["signatures_proposed"] > 0


@pytest.mark.parametrize(
    "value, message",
    [
        ("user_components:NoScores", r"detector='user_components:NoScores': .*NoScores instance lacks score_samples"),
        (
            "sklearn.neighbors:LocalOutlierFactor",
            r"detector='sklearn.neighbors:LocalOutlierFactor': .*lacks score_samples \(scikit-learn's "
            r"LocalOutlierFactor scores new flows only with novelty=True",
        ),
        ("sklearn.ensemble:NoSuchForest", r"detector='sklearn.ensemble:NoSuchForest': 'sklearn.ensemble' has no"),
        ("isoforest", r"detector='isoforest' is not allowed; .*\(closest: 'iforest'\)"),
    ],
)
def test_an_object_lacking_fit_or_score_samples_is_refused_before_anything_runs(value, message):
    with pytest.raises(ValueError, match=message):
        ModelParams(detector=value)
    with pytest.raises(ValueError, match=message):
        Sweep(factors={"detector": ["zscore", value]}, steps=2)
