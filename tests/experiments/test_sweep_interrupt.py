"""Ctrl-C in ``Sweep.run`` (a notebook, a script): one line saying how many runs are saved and how to resume,
no traceback in IPython, the backend's workers stopped, the store unlocked, and a rerun resumes."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
import sweep_runners as testing

from workbench.experiments import Sweep
from workbench.experiments.driver import SweepInterrupted
from workbench.experiments.store import Store

RUNS = 24


def _sweep() -> Sweep:
    return Sweep(
        base={"n_nodes": 20},
        factors={"malicious_fraction": [0.0, 0.1, 0.2, 0.3]},
        replicates=RUNS // 4,
        steps=5,
        seed=11,
        name="interrupted",
        runner=testing.logged_runner,
        allow_partial_windows=True,
    )


def _interrupt_after(monkeypatch: pytest.MonkeyPatch, saved: int) -> None:
    """Ctrl-C arrives in the driver as it is about to write run ``saved + 1`` (what SIGINT does there)."""
    writer = Store.writer

    def interrupting_writer(self, *args, **kwargs):
        made = writer(self, *args, **kwargs)
        add, written = made.add, []

        def add_or_interrupt(*a, **k):
            if len(written) == saved:
                raise KeyboardInterrupt
            written.append(1)
            return add(*a, **k)

        made.add = add_or_interrupt
        return made

    monkeypatch.setattr(Store, "writer", interrupting_writer)


@pytest.mark.parametrize("backend", ["local", "processes"])
def test_an_interrupted_sweep_says_what_is_saved_stops_its_workers_and_resumes(tmp_path, monkeypatch, backend):
    monkeypatch.setenv(testing.SLEEP_ENV, "0.05")
    store = tmp_path / "store"
    options = {"max_workers": 2} if backend == "processes" else {}
    _interrupt_after(monkeypatch, saved=3)
    with pytest.raises(KeyboardInterrupt) as caught:  # still a KeyboardInterrupt: code that stops on Ctrl-C does
        _sweep().run(backend=backend, store=store, quiet=True, **options)
    stopped = caught.value
    assert isinstance(stopped, SweepInterrupted)
    assert str(stopped) == f"interrupted: 3 of {RUNS} runs saved; run again to resume"
    assert (stopped.saved, stopped.total, Path(stopped.store)) == (3, RUNS, store)
    assert stopped._render_traceback_() == [str(stopped)]  # what IPython shows instead of a traceback
    assert stopped.__cause__ is None and stopped.__suppress_context__
    assert multiprocessing.active_children() == []  # the workers are stopped, not left to finish
    monkeypatch.undo()
    frame = _sweep().run(backend="local", store=store, quiet=True)  # the store is unlocked; a rerun resumes
    assert len(frame) == RUNS and (frame.status == "ok").all()
    session = Store(store).read_manifest()["sessions"][-1]
    assert session["skipped"] == 3 and session["computed"] == RUNS - 3


@pytest.mark.ray
def test_an_interrupted_sweep_on_ray_says_what_is_saved_and_cancels_its_tasks(tmp_path, monkeypatch, ray_session):
    store = tmp_path / "store"
    _interrupt_after(monkeypatch, saved=2)
    with pytest.raises(SweepInterrupted, match=rf"^interrupted: 2 of {RUNS} runs saved; run again to resume$"):
        _sweep().run(backend="ray", store=store, quiet=True)
    monkeypatch.undo()
    frame = _sweep().run(backend="local", store=store, quiet=True)
    assert len(frame) == RUNS and Store(store).read_manifest()["sessions"][-1]["skipped"] == 2


def test_ipython_shows_the_one_line_and_no_traceback():
    import subprocess
    import sys

    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "InteractiveShell.instance().run_cell("
        "'from workbench.experiments import SweepInterrupted\\nraise SweepInterrupted(23, 96, \"s\")')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip() == "interrupted: 23 of 96 runs saved; run again to resume", done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
