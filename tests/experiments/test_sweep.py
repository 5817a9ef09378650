"""Sweeps without the model: designs, seeds, validation, the store, resume, failures, backends.

The stand-in runners of ``tests/sweep_runners.py`` keep these fast; the real model is
exercised in ``tests/experiments/test_backends.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sweep_runners as testing
import yaml

from workbench.experiments import StoreWarning, Sweep, load, load_steps, replicate_seeds, run_id
from workbench.model.params import ModelParams

FAKE = "sweep_runners:fake_runner"
REPO = Path(__file__).resolve().parents[2]
TESTS = Path(__file__).resolve().parents[1]
# subprocesses (the CLI, its workers) import the stand-ins from tests/ and this checkout's workbench
SUBPROCESS_PATH = os.pathsep.join([str(TESTS), str(REPO), os.environ.get("PYTHONPATH", "")])


def small_sweep(**overrides) -> Sweep:
    spec = dict(
        base={"n_nodes": 20},
        factors={"sharing": ["none", "gossip"], "malicious_fraction": [0.0, 0.2]},
        replicates=2,
        steps=6,
        seed=7,
        runner=testing.fake_runner,
        allow_partial_windows=True,  # a stand-in runner: no window to cover
    )
    spec.update(overrides)
    return Sweep(**spec)


def log_lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


# --- designs and seeds ----------------------------------------------------------------------------


def test_grid_crosses_factors_and_replicates():
    sweep = small_sweep(replicates=3)
    assert len(sweep) == 2 * 2 * 3
    assert sweep.points() == [{"sharing": s, "malicious_fraction": m} for s in ("none", "gossip") for m in (0.0, 0.2)]
    assert len({r.run_id for r in sweep.runs}) == len(sweep)
    assert all(r.params["n_nodes"] == 20 for r in sweep.runs)


def test_replicate_seeds_come_from_one_root_seed_sequence():
    sweep = small_sweep(replicates=3)
    children = np.random.SeedSequence(7).spawn(3)
    expected = [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
    assert replicate_seeds(7, 3) == expected
    # replicate r has the same seed at every point (common random numbers); seeds are distinct
    by_rep = {r.replicate: set() for r in sweep.runs}
    for r in sweep.runs:
        by_rep[r.replicate].add(r.seed)
    assert [by_rep[i] for i in range(3)] == [{s} for s in expected]
    assert len(set(expected)) == 3
    assert replicate_seeds(7, 5)[:3] == expected  # more replicates keep the existing ones
    assert replicate_seeds(8, 3) != expected


def test_latin_hypercube_design():
    factors = {"malicious_fraction": (0.0, 0.4), "n_nodes": (10, 29), "sharing": {"levels": ["none", "gossip"]}}
    sweep = Sweep(
        {"n_nodes": 20},
        factors,
        replicates=1,
        steps=5,
        design="lhs",
        samples=10,
        seed=3,
        runner=testing.fake_runner,
        allow_partial_windows=True,
    )
    points = pd.DataFrame(sweep.points())
    assert len(points) == 10 and len(sweep) == 10
    # one point per stratum of each continuous factor
    assert sorted(np.floor(points["malicious_fraction"] / 0.04).astype(int)) == list(range(10))
    assert sorted(((points["n_nodes"] - 10) // 2).astype(int)) == list(range(10))
    assert points["n_nodes"].map(type).eq(int).all()
    assert set(points["sharing"]) == {"none", "gossip"}
    assert sweep.points() == points.to_dict("records")  # deterministic given the seed
    other = Sweep({"n_nodes": 20}, factors, design="lhs", samples=10, seed=4, runner=testing.fake_runner)
    assert other.points() != sweep.points()


def test_run_id_hashes_parameters_seed_steps_and_model_version():
    params = ModelParams().to_dict()
    base = run_id(params, 1, 10, "1")
    assert run_id(dict(params), 1, 10, "1") == base
    assert (
        len(
            {
                base,
                run_id({**params, "n_nodes": 49}, 1, 10, "1"),
                run_id(params, 2, 10, "1"),
                run_id(params, 1, 11, "1"),
                run_id(params, 1, 10, "2"),
            }
        )
        == 5
    )


# --- bad input, rejected before anything runs -------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"factors": {"n_nodez": [10, 20]}}, r"unknown factor 'n_nodez'; did you mean 'n_nodes'"),
        ({"factors": {"n_nodes": []}}, r"factor 'n_nodes' is empty"),
        ({"factors": {"n_nodes": 10}}, r"factor 'n_nodes' must be a list"),
        ({"factors": {"n_nodes": [10, 10]}}, r"lists 10 more than once"),
        ({"replicates": 0}, r"replicates=0 is out of range"),
        ({"steps": 0}, r"steps=0 is out of range"),
        ({"seed": -1}, r"seed=-1 is out of range"),
        ({"factors": {"malicious_fraction": [0.1, 1.5]}}, r"design point 1 .*malicious_fraction=1.5 is out of range"),
        ({"factors": {"sharing": ["gossip", "carrier_pigeon"]}}, r"sharing='carrier_pigeon' is not allowed"),
        ({"base": {"n_nodes": 1}}, r"n_nodes=1 is out of range"),
        ({"base": {"flavour": 1}}, r"unknown parameter"),
        ({"design": "factorial"}, r"design='factorial' is not allowed"),
        ({"samples": 4}, r"samples is only used with design='lhs'"),
        ({"design": "lhs", "factors": {"n_nodes": (10, 20)}}, r"samples=None is out of range"),
        ({"design": "lhs", "samples": 3, "factors": {"n_nodes": (20, 10)}}, r"needs low < high"),
        ({"design": "lhs", "samples": 3, "factors": {"n_nodes": ()}}, r"factor 'n_nodes' is empty"),
        ({"design": "lhs", "samples": 3, "factors": {"sharing": ("none", "gossip")}}, r"categorical"),
        ({"keep": ["everything"]}, r"keep="),
    ],
)
def test_bad_specs_are_rejected_up_front(tmp_path, changes, message):
    with pytest.raises(ValueError, match=message):
        small_sweep(**changes).run(store=tmp_path / "store", quiet=True)
    assert not (tmp_path / "store").exists()


def test_unknown_backend_is_rejected_before_writing(tmp_path):
    with pytest.raises(ValueError, match="backend='mpi' is not allowed"):
        small_sweep().run(backend="mpi", store=tmp_path / "store", quiet=True)
    assert not (tmp_path / "store").exists()


# --- the store ------------------------------------------------------------------------------------


def test_run_writes_a_self_describing_store(tmp_path):
    sweep = small_sweep(keep=["steps"])
    frame = sweep.run(store=tmp_path, quiet=True)
    assert list(frame.columns[:6]) == ["run_id", "point", "replicate", "sharing", "malicious_fraction", "seed"]
    assert {"status", "recall", "fpr", "signatures_proposed", "error", "traceback"} <= set(frame.columns)
    assert len(frame) == len(sweep) and frame["run_id"].is_unique and (frame["status"] == "ok").all()
    assert [p.name for p in (tmp_path / "runs").glob("*.parquet")] == ["part-000001.parquet"]  # compacted
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["spec"] == sweep.to_dict() and manifest["spec_hash"] == sweep.spec_hash
    for key in ("packages", "python_version", "git_commit", "started_utc", "finished_utc", "model_version"):
        assert key in manifest
    assert manifest["finished_utc"] is not None and len(manifest["runs"]) == len(sweep)
    pd.testing.assert_frame_equal(load(tmp_path), frame)
    assert frame.attrs["design"] == {
        "design": "grid",
        "samples": 4,
        "problem": {"num_vars": 2, "names": ["sharing", "malicious_fraction"], "bounds": [None, [0.0, 0.2]]},
    }
    steps = load_steps(tmp_path)
    assert len(steps) == len(sweep) * sweep.steps
    assert list(steps.columns) == [
        "run_id",
        "point",
        "replicate",
        "sharing",
        "malicious_fraction",
        "seed",
        "step",
        "recall",
    ]


def test_yaml_spec_round_trip(tmp_path):
    sweep = small_sweep(runner=FAKE, name="demo")
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(sweep.to_dict(), sort_keys=False))
    loaded = Sweep.from_yaml(path)
    assert loaded.name == "demo" and loaded.spec_hash == sweep.spec_hash
    assert [r.run_id for r in loaded.runs] == [r.run_id for r in sweep.runs]
    path.write_text(yaml.safe_dump(sweep.to_dict(), sort_keys=True))  # factors reordered
    reordered = Sweep.from_yaml(path)
    assert reordered.spec_hash != sweep.spec_hash
    assert {r.run_id for r in reordered.runs} == {r.run_id for r in sweep.runs}  # same runs, cached


@pytest.mark.parametrize("path", sorted((REPO / "sweeps").glob("*.yaml")), ids=lambda p: p.name)
def test_example_specs_are_valid(path):
    assert len(Sweep.from_yaml(path)) > 0


def test_rerun_skips_finished_runs_and_changed_spec_adds_new_ones(tmp_path, monkeypatch):
    log = tmp_path / "log.txt"
    monkeypatch.setenv(testing.LOG_ENV, str(log))
    monkeypatch.setenv(testing.SLEEP_ENV, "0")
    store = tmp_path / "store"
    first = small_sweep(runner=testing.logged_runner).run(store=store, quiet=True)
    assert len(log_lines(log)) == 8
    stamps = {p.name: p.stat().st_mtime_ns for p in (store / "runs").iterdir()}
    again = small_sweep(runner=testing.logged_runner).run(store=store, quiet=True)
    pd.testing.assert_frame_equal(first, again)
    assert len(log_lines(log)) == 8
    assert {p.name: p.stat().st_mtime_ns for p in (store / "runs").iterdir()} == stamps
    more = small_sweep(runner=testing.logged_runner, replicates=3).run(store=store, quiet=True)
    assert len(more) == 12 and len(log_lines(log)) == 12  # only the new replicate ran
    pd.testing.assert_frame_equal(more[more.replicate < 2].reset_index(drop=True), first, check_dtype=False)
    longer = small_sweep(runner=testing.logged_runner, steps=7).run(store=store, quiet=True)
    assert len(longer) == 8 and len(log_lines(log)) == 20  # steps changed: all new runs
    assert set(longer.run_id).isdisjoint(first.run_id)
    manifest = json.loads((store / "manifest.json").read_text())
    assert len(manifest["previous_specs"]) == 2


def test_failing_runs_are_recorded_and_the_rest_go_on(tmp_path):
    sweep = small_sweep(factors={"malicious_fraction": [0.0, 0.6, 0.2]}, runner=testing.failing_runner)
    frame = sweep.run(store=tmp_path, quiet=True)
    failed = frame[frame.status == "failed"]
    assert len(frame) == 6 and len(failed) == 2 and (failed.malicious_fraction == 0.6).all()
    assert failed.error.str.contains("RuntimeError: simulated model failure").all()
    assert failed.traceback.str.contains("Traceback").all()
    assert failed.recall.isna().all() and frame[frame.status == "ok"].recall.notna().all()


def test_corrupted_parquet_is_reported_and_recomputed(tmp_path, monkeypatch):
    log = tmp_path / "log.txt"
    monkeypatch.setenv(testing.LOG_ENV, str(log))
    monkeypatch.setenv(testing.SLEEP_ENV, "0")
    store = tmp_path / "store"
    small_sweep(runner=testing.logged_runner, replicates=1).run(store=store, quiet=True)  # part 1: 4 runs
    sweep = small_sweep(runner=testing.logged_runner)
    first = sweep.run(store=store, quiet=True)  # part 2: the 4 runs of replicate 1
    assert len(log_lines(log)) == 8
    victim = store / "runs" / "part-000002.parquet"
    victim.write_bytes(victim.read_bytes()[:40])
    with pytest.warns(StoreWarning) as record:
        partial = load(store)
    messages = [str(w.message) for w in record]
    assert any("corrupted runs file" in m and victim.name in m for m in messages), messages
    assert any("4 of 8 runs" in m for m in messages), messages
    pd.testing.assert_frame_equal(partial, first[first.replicate == 0].reset_index(drop=True))
    with pytest.warns(StoreWarning, match="corrupted"):
        resumed = sweep.run(store=store, quiet=True)
    pd.testing.assert_frame_equal(resumed, first)
    assert len(log_lines(log)) == 8 + 4  # only the runs of the corrupted file ran again


@pytest.mark.slow
def test_local_and_processes_backends_give_identical_frames(tmp_path):
    sweep = small_sweep(factors={"malicious_fraction": [0.0, 0.6, 0.2]}, runner=testing.failing_runner, keep=["steps"])
    local = sweep.run(backend="local", store=tmp_path / "local", quiet=True)
    processes = sweep.run(backend="processes", store=tmp_path / "processes", quiet=True, max_workers=2)
    pd.testing.assert_frame_equal(local.drop(columns="traceback"), processes.drop(columns="traceback"))
    pd.testing.assert_frame_equal(load_steps(tmp_path / "local"), load_steps(tmp_path / "processes"))


@pytest.mark.slow
def test_processes_worker_death_is_retried_then_recorded(tmp_path):
    sweep = small_sweep(factors={"malicious_fraction": [0.0, 0.6]}, replicates=1, runner=testing.dying_runner)
    frame = sweep.run(backend="processes", store=tmp_path, quiet=True, max_workers=2, max_retries=1)
    assert list(frame.status) == ["ok", "failed"]
    assert "worker process died" in frame.error[1] and "after 2 attempts" in frame.error[1]


# --- interrupt and resume -------------------------------------------------------------------------


def run_files(store: Path) -> list[Path]:
    return list((store / "runs").glob("*.parquet"))


@pytest.mark.slow
def test_sigkill_then_resume_at_10000_runs_loses_and_repeats_nothing(tmp_path):
    """10,000 trivial runs through the CLI, SIGKILLed part-way, then resumed: every run finished
    before the kill is kept and never executed again, and each run is in the store exactly once."""
    spec = tmp_path / "many.yaml"
    spec.write_text(
        yaml.safe_dump(
            {
                "factors": {"x": [i / 9999 for i in range(10_000)]},
                "replicates": 1,
                "steps": 1,
                "seed": 11,
                "runner": "sweep_runners:logged_empty_runner",
                "params": "sweep_runners:TrivialParams",
            }
        )
    )
    store, log = tmp_path / "store", tmp_path / "log.txt"
    env = {**os.environ, testing.LOG_ENV: str(log), "PYTHONPATH": SUBPROCESS_PATH}
    command = [sys.executable, "-m", "workbench", "sweep", str(spec), "--store", str(store), "--quiet"]
    driver = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(run_files(store)) < 2:
        assert driver.poll() is None, driver.stderr.read().decode()
        time.sleep(0.01)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    with pytest.warns(StoreWarning, match="not finished"):
        before = load(store, compact=False)
    assert 0 < len(before) < 10_000, "the driver should have been killed part-way"
    finished = set(before.run_id)
    executed_before = log_lines(log)

    rerun = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    frame = load(store)
    assert len(frame) == 10_000 and frame.run_id.is_unique and (frame.status == "ok").all()
    assert not list(store.rglob(".*.tmp"))
    assert [p.name for p in run_files(store)] == ["part-000001.parquet"]  # compacted at the end
    pd.testing.assert_frame_equal(frame[frame.run_id.isin(finished)].reset_index(drop=True), before)
    executed = [tuple(line.split()) for line in log_lines(log)]
    key = {row.run_id: (repr(row.x), str(row.seed)) for row in frame.itertuples()}
    after = executed[len(executed_before) :]
    assert not {key[r] for r in finished} & set(after), "a finished run was executed again"
    assert len(after) == len(set(after)) == 10_000 - len(finished)  # the rest, each once
    assert set(executed) == set(key.values())


def test_model_version_keys_run_ids(monkeypatch):
    import workbench.model

    sweep = Sweep({"n_nodes": 20}, {"sharing": ["none", "gossip"]}, steps=55)
    assert sweep.model_version.startswith(f"{workbench.model.MODEL_VERSION}+")
    monkeypatch.setattr(workbench.model, "MODEL_VERSION", "bumped")
    bumped = Sweep({"n_nodes": 20}, {"sharing": ["none", "gossip"]}, steps=55)
    assert bumped.model_version.startswith("bumped+")
    assert {r.run_id for r in bumped.runs}.isdisjoint(r.run_id for r in sweep.runs)
    assert bumped.spec_hash != sweep.spec_hash
