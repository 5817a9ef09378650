"""Sweeps of the real model on every backend, Ray worker death, and a real Ray cluster on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import sweep_runners as testing
import yaml
from ray_support import RAY_START_FAILED, TEST_PYTHONPATH, frames_on_every_backend, skip_or_fail_ray_start

from workbench.experiments import Sweep, load

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.ray


def model_sweep(**overrides) -> Sweep:
    spec = dict(
        base={"n_nodes": 12, "flows_per_node": 20, "n_campaigns": 1, "campaign_interval_steps": 2},
        factors={"sharing": ["none", "gossip"], "malicious_fraction": [0.0, 0.25]},
        replicates=2,
        steps=8,
        seed=5,
        keep=["steps"],
        allow_partial_windows=True,  # identical frames on every backend, not outcomes: 8 steps of a 35-step window
    )
    spec.update(overrides)
    return Sweep(**spec)


def test_local_processes_and_ray_give_identical_frames(tmp_path, ray_session):
    sweep = model_sweep()
    frames = frames_on_every_backend(sweep, tmp_path)
    local = frames["local"]
    assert len(local) == 8 and (local.status == "ok").all(), local.error.dropna().tolist()
    assert {"recall", "fpr", "signatures_confirmed", "messages_per_signature"} <= set(local.columns)
    for backend in ("processes", "ray"):
        pd.testing.assert_frame_equal(frames[backend], local)
        pd.testing.assert_frame_equal(load(tmp_path / backend), local)


def test_custom_runner_and_short_runs_in_chunks_on_ray(tmp_path, ray_session):
    from workbench.experiments.examples import IshigamiParams, ishigami

    sweep = Sweep(
        factors={"x1": (-3.0, 3.0), "x2": (-3.0, 3.0), "x3": (-3.0, 3.0)},
        design="sobol",
        samples=64,
        steps=1,
        runner=ishigami,
        params=IshigamiParams,
    )
    local = sweep.run(store=tmp_path / "local", quiet=True)
    on_ray = sweep.run(backend="ray", store=tmp_path / "ray", quiet=True)
    assert len(on_ray) == 512
    pd.testing.assert_frame_equal(on_ray, local)
    trivial = Sweep(
        factors={"x": [0.1, 0.9]}, replicates=50, steps=1, runner=testing.ledger_runner, params=testing.TrivialParams
    )  # from tests/: found through runtime_env
    frame = trivial.run(backend="ray", store=tmp_path / "trivial", quiet=True)
    assert (frame.status == "ok").all() and list(frame.ledger_entries.unique()) == [3]


def test_ray_warm_up_imports_the_model_in_the_workers(ray_session):
    from workbench.experiments.backends import RayBackend

    with RayBackend(warm_up=True) as backend:  # reuses the session, leaves it running
        assert backend.warm_up() >= 0.5
    assert ray_session.is_initialized()


def test_ray_worker_death_is_retried_then_recorded_as_failed(tmp_path, ray_session):
    # die_once: the first attempt kills its worker; Ray retries it and the run succeeds
    seed = time.time_ns() % 2**31
    once = Sweep(
        {"n_nodes": 10},
        {"malicious_fraction": [0.0, 0.6]},
        steps=3,
        seed=seed,
        runner=testing.die_once_runner,
        allow_partial_windows=True,
    )
    frame = once.run(backend="ray", store=tmp_path / "once", quiet=True, max_retries=2)
    assert list(frame.status) == ["ok", "ok"]
    # always dies: after the retries it is recorded as failed and the other run is kept
    always = Sweep(
        {"n_nodes": 10},
        {"malicious_fraction": [0.0, 0.6]},
        steps=3,
        seed=1,
        runner=testing.dying_runner,
        allow_partial_windows=True,
    )
    frame = always.run(backend="ray", store=tmp_path / "always", quiet=True, max_retries=1)
    assert list(frame.status) == ["ok", "failed"]
    assert "WorkerCrashedError" in frame.error[1] and "after 2 attempts" in frame.error[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_head(ray_cli: Path, port: int, temp_dir: Path, env: dict, attempts: int = 2) -> subprocess.Popen:
    """``ray start --head --block`` in its own process group; returns once the head is up and
    stays up (a loaded machine can make a component miss its start-up deadline: retried once)."""
    for attempt in range(attempts):
        head = subprocess.Popen(
            [
                str(ray_cli),
                "start",
                "--head",
                "--block",
                f"--port={port}",
                "--node-ip-address=127.0.0.1",
                "--include-dashboard=false",
                "--num-cpus=2",
                "--disable-usage-stats",
                f"--temp-dir={temp_dir}",
            ],
            env=env,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = []
        for line in head.stdout:  # blocks until the head reports it is up (or exits)
            output.append(line)
            if "Ray runtime started" in line:
                break
        time.sleep(5)
        if head.poll() is None:
            return head
        _stop_head(head, temp_dir)
        if attempt == attempts - 1:
            text = "".join(output)
            if RAY_START_FAILED in text:
                skip_or_fail_ray_start(text.strip().splitlines()[-1])
            pytest.fail("ray start --head failed:\n" + text)
    raise AssertionError("unreachable")


def _stop_head(head: subprocess.Popen, temp_dir: Path) -> None:
    """Stop the head and everything it started (its process group), nothing else."""
    try:
        os.killpg(head.pid, signal.SIGTERM)
        head.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(head.pid, signal.SIGKILL)
        head.wait()
    head.stdout.close()
    subprocess.run(["rm", "-rf", str(temp_dir)], check=False)


@pytest.mark.slow
def test_sweep_on_a_ray_cluster_started_on_loopback(tmp_path):
    """``ray start --head`` on a free loopback port; the CLI sweeps against it by address."""
    ray_cli = Path(sys.executable).with_name("ray")
    port = _free_port()
    temp_dir = Path("/tmp") / f"rt-{os.getpid()}-{port}"  # short: Ray's socket paths are length-limited
    # the head's workers and the CLI import the stand-in runners from tests/
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "PYTHONPATH": TEST_PYTHONPATH}
    env.pop("RAY_ADDRESS", None)
    head = _start_head(ray_cli, port, temp_dir, env)
    try:
        spec = tmp_path / "cluster.yaml"
        spec.write_text(
            yaml.safe_dump(
                {
                    "base": {"n_nodes": 10},
                    "factors": {"malicious_fraction": [0.0, 0.2, 0.6]},
                    "replicates": 2,
                    "steps": 4,
                    "allow_partial_windows": True,  # a stand-in runner: the test is about the cluster, not outcomes
                    "seed": 3,
                    "runner": "sweep_runners:failing_runner",
                }
            )
        )
        store = tmp_path / "store"
        sweep = subprocess.run(
            [
                sys.executable,
                "-m",
                "workbench",
                "sweep",
                str(spec),
                "--store",
                str(store),
                "--backend",
                "ray",
                "--address",
                f"127.0.0.1:{port}",
                "--quiet",
            ],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert head.poll() is None, "the Ray head died during the sweep"
        assert sweep.returncode == 1, sweep.stderr  # 1: some runs failed (by design), the rest went on
        frame = load(store)
        assert len(frame) == 6 and list(frame.status) == ["ok"] * 4 + ["failed"] * 2
        manifest = yaml.safe_load((store / "manifest.json").read_text())
        assert manifest["sessions"][-1]["backend"] == "ray"
        expected = Sweep.from_yaml(spec).run(store=tmp_path / "local", quiet=True)
        pd.testing.assert_frame_equal(frame.drop(columns="traceback"), expected.drop(columns="traceback"))
    finally:
        _stop_head(head, temp_dir)
