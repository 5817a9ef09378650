"""The presets keep their promises: per-flow FPR and recall of the z-score detector on the generator's traffic."""

from __future__ import annotations

import pytest

from workbench.model.calibration import measure_detector
from workbench.model.presets import PRESET_NAMES, PRESETS, ZSCORE_TARGETS
from workbench.model.traffic import DIFFICULTY, easy_difficulty

SEEDS = (0, 1, 2, 3)


@pytest.mark.parametrize("preset", sorted(ZSCORE_TARGETS))
def test_zscore_rates_fall_in_the_preset_ranges_for_every_seed(preset):
    targets = ZSCORE_TARGETS[preset]
    for seed in SEEDS:
        r = measure_detector(PRESETS[preset], "zscore", seed=seed, n_nodes=40, steps=15)
        assert r["n_attack"] > 1_000 and r["n_benign"] > 10_000
        for rate, (low, high) in targets.items():
            assert low <= r[rate] <= high, (preset, seed, rate, r[rate], (low, high))


def test_hard_is_harder_than_realistic_which_is_harder_than_easy():
    for seed in SEEDS[:2]:
        r = {name: measure_detector(PRESETS[name], "zscore", seed=seed, n_nodes=40, steps=15) for name in PRESET_NAMES}
        assert r["easy"]["fpr"] < r["realistic"]["fpr"] < r["hard"]["fpr"]
        assert r["easy"]["recall"] > r["realistic"]["recall"] > r["hard"]["recall"]


def test_presets_name_every_traffic_knob_and_easy_is_the_original_generator():
    for name in PRESET_NAMES:
        assert set(DIFFICULTY) <= set(PRESETS[name]), name
    assert {k: PRESETS["easy"][k] for k in DIFFICULTY} == easy_difficulty()


def test_contaminated_warmup_lowers_zscore_recall_on_paired_seeds():
    for seed in SEEDS[:3]:
        recall = [
            measure_detector(
                {"attack_separation": 4.5, "warmup_contamination": c}, "zscore", seed=seed, n_nodes=40, steps=10
            )["recall"]
            for c in (0.0, 0.3)
        ]
        assert recall[1] < recall[0] - 0.1, (seed, recall)


def test_drift_raises_zscore_false_positives_on_paired_seeds():
    for seed in SEEDS[:3]:
        fpr = [
            measure_detector({"benign_drift": d}, "zscore", seed=seed, n_nodes=40, steps=30)["fpr"] for d in (0.0, 0.2)
        ]
        assert fpr[1] > 2 * fpr[0], (seed, fpr)
