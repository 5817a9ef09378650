"""make report's engine: papermill executes a notebook into HTML without code; bad parameters fail cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _report(tmp_path: Path, *params: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, JUPYTER_PREFER_ENV_PATH="1")
    args = [sys.executable, "-m", "workbench", "report", "--only", "01_single_run", "--out", str(tmp_path / "out")]
    for p in params:
        args += ["-p", *p.split("=", 1)]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_report_renders_html_without_code(tmp_path):
    done = _report(tmp_path, "steps=25", "n_nodes=20")
    assert done.returncode == 0, done.stderr[-2000:]
    html = (tmp_path / "out" / "01_single_run.html").read_text()
    assert "Provenance" in html and "git commit" in html and "data:image/png;base64" in html
    assert "run_model(params" not in html  # code cells are hidden
    assert (tmp_path / "out" / "01_single_run.ipynb").exists()


def test_bad_parameter_fails_with_the_models_message_and_writes_nothing(tmp_path):
    done = _report(tmp_path, "n_nodes=1")
    assert done.returncode == 1
    assert "n_nodes=1 is out of range; expected an integer with 2 <= x" in done.stderr
    assert not (tmp_path / "out").exists()
    # the kernel talks over Unix sockets (report.kernel_transport): no TCP-without-encryption warning
    assert "without encryption" not in done.stderr
