"""Sobol and Morris designs (SALib), custom runners and parameter classes, the Ishigami example."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
import sweep_runners
from SALib.sample import morris as salib_morris
from SALib.sample import sobol as salib_sobol

from workbench.experiments import Sweep, design_sample, load
from workbench.experiments.examples import IshigamiParams, ishigami, ishigami_indices
from workbench.experiments.identity import design_rng
from workbench.validation import Range

PI = math.pi
ISHIGAMI = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}


def ishigami_sweep(**overrides) -> Sweep:
    spec = dict(factors=ISHIGAMI, design="sobol", samples=16, seed=3, steps=1, runner=ishigami, params=IshigamiParams)
    spec.update(overrides)
    return Sweep(**spec)


def test_sobol_design_is_saltelli_sampling_seeded_from_the_root_seed(tmp_path):
    np.random.seed(99)
    sweep = ishigami_sweep()
    assert np.random.random() == np.random.RandomState(99).random_sample()  # global state untouched
    assert len(sweep) == 16 * (2 * 3 + 2)
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-PI, PI]] * 3}
    expected = salib_sobol.sample(dict(problem), 16, calc_second_order=True, seed=design_rng(3, 0x50B))
    points = pd.DataFrame(sweep.points())
    np.testing.assert_array_equal(points[["x1", "x2", "x3"]].to_numpy(), expected)
    assert ishigami_sweep().points() == sweep.points()  # no global random state involved
    assert ishigami_sweep(seed=4).points() != sweep.points()
    assert len(ishigami_sweep(calc_second_order=False)) == 16 * (3 + 2)
    frame = sweep.run(store=tmp_path, quiet=True)
    assert frame.attrs["design"] == {"design": "sobol", "problem": problem, "samples": 16, "calc_second_order": True}
    assert list(frame["point"]) == list(range(len(expected)))  # design order; point = row of the matrix
    y = [ishigami(IshigamiParams(*row))["y"] for row in expected]
    np.testing.assert_allclose(frame["y"], y)
    np.testing.assert_array_equal(design_sample(tmp_path), expected)
    np.testing.assert_array_equal(design_sample(frame), expected)


def test_morris_design_rounds_integer_fields_and_keeps_the_raw_sample(tmp_path):
    factors = {"malicious_fraction": (0.0, 0.4), "n_nodes": (10, 30)}
    sweep = Sweep(
        {"n_nodes": 20},
        factors,
        design="morris",
        samples=5,
        num_levels=6,
        seed=2,
        steps=3,
        runner=sweep_runners.fake_runner,
        allow_partial_windows=True,  # a stand-in runner: no window to cover
    )
    assert len(sweep) == 5 * (2 + 1)
    problem = {"num_vars": 2, "names": ["malicious_fraction", "n_nodes"], "bounds": [[0.0, 0.4], [10, 30]]}
    raw = salib_morris.sample(
        {**problem, "bounds": [[0.0, 0.4], [10.0, 30.0]]}, 5, num_levels=6, seed=design_rng(2, 0x302)
    )
    points = pd.DataFrame(sweep.points())
    assert points["n_nodes"].map(type).eq(int).all()
    np.testing.assert_array_equal(points["n_nodes"], np.rint(raw[:, 1]).astype(int))
    np.testing.assert_array_equal(points["malicious_fraction"], raw[:, 0])
    frame = sweep.run(store=tmp_path, quiet=True)
    assert frame.attrs["design"] == {"design": "morris", "problem": problem, "samples": 5, "num_levels": 6}
    np.testing.assert_array_equal(design_sample(tmp_path), raw)  # before rounding: X rebuilt exactly
    np.testing.assert_array_equal(frame["n_nodes"], points["n_nodes"])


def test_replicates_repeat_each_point_in_design_order(tmp_path):
    frame = ishigami_sweep(samples=2, replicates=3).run(store=tmp_path, quiet=True)
    assert list(frame["point"]) == [p for p in range(16) for _ in range(3)]
    assert list(frame["replicate"]) == [0, 1, 2] * 16
    assert frame.attrs["design"]["samples"] == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"factors": {**ISHIGAMI, "x4": (0, 1)}}, r"unknown factor 'x4'; known: x1, x2, x3, a, b"),
        ({"factors": {"x1": (-4.0, 1.0)}}, r"x1=\(-4.0, 1.0\) is out of range.*-3.14"),
        ({"base": {"x2": 5.0}}, r"x2=5.0 is out of range"),
        ({"base": {"zz": 1}}, r"unknown parameter 'zz'"),
        (
            {"design": "grid", "samples": None, "factors": {"x3": [0.0, 4.0]}},
            r"design point 1 .*x3=4.0 is out of range",
        ),
        ({"samples": 0}, r"samples=0 is out of range"),
        ({"num_levels": 4}, r"num_levels is only used with design='morris'"),
        ({"design": "morris", "num_levels": 1}, r"num_levels=1 is out of range"),
        ({"design": "lhs", "calc_second_order": False}, r"calc_second_order is only used with design='sobol'"),
        ({"factors": {"x1": {"levels": [0.0, 1.0]}}}, r"categorical levels can only be sampled by design='lhs'"),
    ],
)
def test_custom_parameter_class_is_validated_before_anything_runs(tmp_path, changes, message):
    with pytest.raises(ValueError, match=message):
        ishigami_sweep(**changes).run(store=tmp_path / "store", quiet=True)
    assert not (tmp_path / "store").exists()


def test_categorical_fields_are_rejected_for_sobol_and_morris():
    for design in ("sobol", "morris"):
        with pytest.raises(ValueError, match=r"factor 'sharing' is categorical.*cannot be factors of this design"):
            Sweep(factors={"sharing": ("none", "gossip")}, design=design, samples=4)
        with pytest.raises(ValueError, match="factor 'label' is categorical"):
            Sweep(
                factors={"label": (0, 1)},
                design=design,
                samples=4,
                runner=sweep_runners.empty_runner,
                params=sweep_runners.TrivialParams,
            )


def test_parameter_class_must_be_a_frozen_dataclass_with_defaults():
    @dataclasses.dataclass
    class Mutable:
        x: float = 0.0

    @dataclasses.dataclass(frozen=True)
    class NoDefault:
        x: float

    with pytest.raises(ValueError, match="frozen"):
        Sweep(runner=ishigami, params=Mutable)
    with pytest.raises(ValueError, match=r"field\(s\) \['x'\] need defaults"):
        Sweep(runner=ishigami, params=NoDefault)
    with pytest.raises(ValueError, match="cannot import"):
        Sweep(runner=ishigami, params="no_such_module:Params")


def test_custom_runner_by_name_round_trips_through_yaml(tmp_path):
    import yaml

    sweep = ishigami_sweep(
        runner="workbench.experiments.examples:ishigami",
        params="workbench.experiments.examples:IshigamiParams",
        name="ishi",
    )
    path = tmp_path / "ishi.yaml"
    path.write_text(yaml.safe_dump(sweep.to_dict()))
    again = Sweep.from_yaml(path)
    assert again.spec_hash == sweep.spec_hash and again.params_cls is IshigamiParams
    assert [r.run_id for r in again.runs] == [r.run_id for r in sweep.runs]
    assert sweep.to_dict()["params"] == "workbench.experiments.examples:IshigamiParams"


def test_ishigami_indices_formula():
    # the published values (Saltelli et al. 2008, Ishigami & Homma 1990) for a = 7, b = 0.1
    indices = ishigami_indices()
    np.testing.assert_allclose(indices["S1"], (0.3139, 0.4424, 0.0), atol=1e-4)
    np.testing.assert_allclose(indices["ST"], (0.5576, 0.4424, 0.2437), atol=1e-4)
    assert ishigami(IshigamiParams(x1=PI / 2, x2=PI / 2, x3=1.0))["y"] == pytest.approx(1 + 7 + 0.1)


def test_mapping_results_and_custom_params_on_the_processes_backend(tmp_path):
    sweep = Sweep(
        factors={"x": [0.1, 0.2, 0.3]},
        replicates=2,
        steps=1,
        runner=sweep_runners.empty_runner,
        params=sweep_runners.TrivialParams,
    )
    local = sweep.run(store=tmp_path / "local", quiet=True)
    assert list(local["y"]) == [0.1, 0.1, 0.2, 0.2, 0.3, 0.3]
    processes = sweep.run(backend="processes", store=tmp_path / "processes", quiet=True, max_workers=2)
    pd.testing.assert_frame_equal(local, processes)
    assert Range(0, 1) == dataclasses.fields(sweep_runners.TrivialParams)[0].metadata["range"]


def test_loaded_frame_is_the_same_from_the_store_alone(tmp_path):
    frame = ishigami_sweep(samples=4).run(store=tmp_path, quiet=True)
    again = load(tmp_path)
    pd.testing.assert_frame_equal(frame, again)
    assert again.attrs == frame.attrs
