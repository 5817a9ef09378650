"""Runs that cover their windows: a sweep whose ``steps`` would cut a campaign's evaluation window is refused by
default, naming ``steps``, the campaigns' last start, ``eval_window_steps`` and the smallest valid ``steps``, in
Python, YAML specs and the ``sweep`` command alike; it runs when the spec says ``allow_partial_windows=True``."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from workbench import ModelParams
from workbench.experiments.spec import Sweep

ROOT = Path(__file__).resolve().parents[2]
BASE = dict(n_nodes=20, warmup_steps=5, n_campaigns=3, campaign_interval_steps=10, eval_window_steps=30)
# the last campaign starts at 5 + 1 + 2 * 10 = 26; its window ends at step 26 + 30 - 1 = 55
REFUSAL = r"steps=54 .*starts at step 26 .*eval_window_steps=30 .*complete from steps=55; give steps >= 55"


def test_steps_covering_windows_is_the_last_start_plus_the_window():
    params = ModelParams(**BASE)
    assert params.last_campaign_start == 26 and params.steps_covering_windows == 55
    assert ModelParams(**{**BASE, "n_campaigns": 0}).steps_covering_windows is None


def test_by_default_a_sweep_that_would_cut_windows_is_refused_naming_the_fields():
    with pytest.raises(ValueError, match=REFUSAL):
        Sweep(BASE, {"sharing": ["none", "gossip"]}, steps=54)
    with pytest.raises(ValueError, match=REFUSAL):
        Sweep(BASE, {"sharing": ["none", "gossip"]}, steps=54, allow_partial_windows=False)
    # the model's default campaigns (warm-up 5, three campaigns 10 steps apart, windows of 30) need 55 steps
    with pytest.raises(ValueError, match=r"steps=40 .*starts at step 26 .*give steps >= 55"):
        Sweep({"n_nodes": 20}, steps=40)


def test_a_factor_that_moves_the_last_start_is_checked_at_each_design_point():
    with pytest.raises(ValueError, match=r"design point 1 \{'campaign_interval_steps': 12\}.*give steps >= 59"):
        Sweep(BASE, {"campaign_interval_steps": [10, 12]}, steps=55)
    with pytest.raises(ValueError, match=r"design point 1 \{'eval_window_steps': 40\}.*give steps >= 65"):
        Sweep(BASE, {"eval_window_steps": [30, 40]}, steps=55)


def test_a_sweep_covering_its_windows_or_allowing_partial_ones_runs_without_a_word():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Sweep(BASE, {"sharing": ["none", "gossip"]}, steps=55)
        Sweep({**BASE, "n_campaigns": 0}, steps=5)  # no campaign, no window to cut
        partial = Sweep(BASE, {"sharing": ["none", "gossip"]}, steps=20, allow_partial_windows=True)
    assert Sweep.from_dict(partial.to_dict()).allow_partial_windows is True
    assert len(partial) == 2 and all(run.params["eval_window_steps"] == 30 for run in partial.runs)
    # the default is not written into the spec, so a sweep covering its windows keeps its hash
    assert "allow_partial_windows" not in Sweep(BASE, steps=55).to_dict()


def test_allow_partial_windows_must_be_true_or_false():
    with pytest.raises(ValueError, match=r"allow_partial_windows='yes' has the wrong type"):
        Sweep(BASE, steps=55, allow_partial_windows="yes")


def test_a_yaml_spec_is_refused_unless_it_allows_partial_windows(tmp_path):
    spec = tmp_path / "short.yaml"
    spec.write_text("base:\n  n_nodes: 20\nfactors:\n  sharing: [none, gossip]\nsteps: 40\n")
    with pytest.raises(ValueError, match=r"steps=40 .*starts at step 26 .*eval_window_steps=30 .*steps >= 55"):
        Sweep.from_yaml(spec)
    spec.write_text(spec.read_text() + "allow_partial_windows: true\n")
    assert Sweep.from_yaml(spec).allow_partial_windows is True


def _sweep_command(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "workbench", "sweep", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


SHORT_SPEC = "base:\n  n_nodes: 10\n  n_campaigns: 1\n  eval_window_steps: 10\nsteps: 8\n"


def test_the_sweep_command_refuses_a_cut_window_in_one_line(tmp_path):
    spec, store = tmp_path / "short.yaml", tmp_path / "store"
    spec.write_text(SHORT_SPEC)
    refused = _sweep_command(str(spec), "--store", str(store), "--quiet")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {spec}: steps=8 would cut"), refused.stderr
    assert "starts at step 6" in lines[0] and "eval_window_steps=10" in lines[0] and "steps >= 15" in lines[0]
    assert not store.exists()


@pytest.mark.slow
def test_the_sweep_command_runs_a_cut_window_when_told_to_allow_it(tmp_path):
    spec, store = tmp_path / "short.yaml", tmp_path / "store"
    spec.write_text(SHORT_SPEC)
    allowed = _sweep_command(str(spec), "--store", str(store), "--quiet", "--allow-partial-windows")
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    assert "1 runs: 1 new" in allowed.stdout
