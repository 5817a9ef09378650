"""The ``sweep`` command: a bad spec is one line naming the file (and for a YAML error the line and
column) or the closest valid names; Ctrl-C stops cleanly with the saved/resume line."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# the interrupted sweep's runs: tests/sweep_runners.py's logged_runner, a fake run paced by a sleep, so that
# the sweep cannot finish before the interrupt however fast or loaded the machine (200 runs x 0.05 s)
PACED = {"PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT)]), "WORKBENCH_TEST_SLEEP_S": "0.05"}


def _sweep(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "sweep", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_a_yaml_syntax_error_is_one_line_naming_file_line_and_column(tmp_path):
    spec = tmp_path / "broken.yaml"
    spec.write_text("base:\n  n_nodes: 40\nfactors:\n  sharing: [none, central\n  malicious_fraction: [0.0]\n")
    done = _sweep(str(spec), "--store", str(tmp_path / "store"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {spec}:5:21: invalid YAML: ") and "from line 4" in lines[0]
    assert "Traceback" not in done.stderr and not (tmp_path / "store").exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("base:\n  n_node: 40\n", "unknown parameter 'n_node'; did you mean 'n_nodes'"),
        ("factors:\n  zscore_treshold: [3, 4]\n", "unknown factor 'zscore_treshold'; did you mean 'zscore_threshold'"),
        ("factors:\n  sharing: [none, gosip]\n", "sharing='gosip' is not allowed; choose one of"),
        ("base:\n  n_nodes: '40'\n", "n_nodes='40' has the wrong type (str)"),
        ("seed: abc\n", "seed='abc' is not a valid random seed"),
    ],
)
def test_a_bad_spec_names_the_file_and_the_closest_valid_name(tmp_path, text, message):
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    done = _sweep(str(spec), "--store", str(tmp_path / "store"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: {spec}: " + done.stderr.split(f"{spec}: ", 1)[1].strip()]
    assert message in done.stderr and "Traceback" not in done.stderr


LONG_SWEEP = (
    "base:\n  n_nodes: 40\n  n_campaigns: 1\n  eval_window_steps: 10\nfactors:\n  sharing: [none, gossip]\n"
    "replicates: 100\nsteps: 25\nseed: 1\nrunner: sweep_runners:logged_runner\n"
)


def _interrupt_sweep(spec: Path, store: Path, backend: str, after_s: float) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "workbench", "sweep", str(spec), "--store", str(store), "--backend", backend]
    args += ["--quiet", *(["--workers", "2"] if backend == "processes" else [])]
    process = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **PACED}
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(store.rglob("*.parquet")):
        time.sleep(0.2)  # wait until something is saved, then a little more
    time.sleep(after_s)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(args, process.returncode, out, err)


@pytest.mark.parametrize("backend", ["local", pytest.param("processes", marks=pytest.mark.slow)])
def test_ctrl_c_stops_the_sweep_with_one_line_saying_what_is_saved_and_a_rerun_resumes(tmp_path, backend):
    spec, store = tmp_path / "long.yaml", tmp_path / "store"
    spec.write_text(LONG_SWEEP)
    done = _interrupt_sweep(spec, store, backend, after_s=0.1)
    assert done.returncode == 130, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
    last = done.stderr.strip().splitlines()
    assert len(last) == 1, done.stderr
    match = re.fullmatch(r"interrupted: (\d+) of 200 runs saved; run again to resume", last[0])
    assert match, last
    saved = int(match.group(1))
    assert 0 < saved < 200
    # a rerun computes only what was not saved
    rerun = _sweep(str(spec), "--store", str(store), "--quiet", env=PACED)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"200 runs: {200 - saved} new, {saved} reused, 0 failed" in rerun.stdout
