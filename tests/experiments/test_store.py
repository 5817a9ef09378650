"""The store at scale: chunks, compaction, crash leftovers, older stores, ledger bookkeeping; the
guard against processes sweeps that spawned workers cannot import; module boundaries."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import sweep_runners

from workbench.experiments import Store, Sweep, load, load_steps
from workbench.experiments.runners import spawn_problem

REPO = Path(__file__).resolve().parents[2]
TESTS = Path(__file__).resolve().parents[1]


def trivial_sweep(n: int = 300, **overrides) -> Sweep:
    spec = dict(
        factors={"x": [i / n for i in range(n)]},
        replicates=2,
        steps=1,
        seed=5,
        runner=sweep_runners.logged_empty_runner,
        params=sweep_runners.TrivialParams,
    )
    spec.update(overrides)
    return Sweep(**spec)


def test_chunks_compaction_and_identical_frames(tmp_path, monkeypatch):
    store = Store(tmp_path)
    sweep = trivial_sweep()
    # small chunks and no compaction yet: many loose files
    monkeypatch.setattr(Store, "compact", lambda self, min_loose=1: 0)
    loose = sweep.run(store=tmp_path, quiet=True, flush_rows=37)
    monkeypatch.undo()
    files = store.files("runs")
    assert len(files) == -(-600 // 37) and all(p.name.startswith("chunk-") for p in files)
    before = load(tmp_path, compact=False)
    pd.testing.assert_frame_equal(before, loose)
    assert len(before) == 600 and before.run_id.is_unique
    after = load(tmp_path)  # >= 16 loose files: load compacts them first
    assert [p.name for p in store.files("runs")] == ["part-000001.parquet"]
    pd.testing.assert_frame_equal(after, before)
    assert after.attrs == before.attrs
    assert pq.read_metadata(store.files("runs")[0]).num_rows == 600


def test_a_compaction_killed_before_removing_its_inputs_loses_and_repeats_nothing(tmp_path, monkeypatch):
    sweep = trivial_sweep(keep=())
    monkeypatch.setattr(Store, "compact", lambda self, min_loose=1: 0)
    frame = sweep.run(store=tmp_path, quiet=True, flush_rows=100)
    monkeypatch.undo()
    store = Store(tmp_path)
    loose = store.loose_files("runs")
    kept = {p: p.read_bytes() for p in loose}
    store.compact()
    for path, data in kept.items():  # as if killed after the part was written
        path.write_bytes(data)
    pd.testing.assert_frame_equal(load(tmp_path, compact=False), frame)
    store.compact()  # the leftovers go into a second part; still each run once
    assert len(store.files("runs")) == 2
    pd.testing.assert_frame_equal(load(tmp_path), frame)


def test_a_failed_run_retried_later_is_read_from_the_newer_file(tmp_path):
    sweep = Sweep({"n_nodes": 20}, {"malicious_fraction": [0.0, 0.6]}, steps=55, runner=sweep_runners.failing_runner)
    first = sweep.run(store=tmp_path, quiet=True)
    assert list(first.status) == ["ok", "failed"]
    fixed = Sweep({"n_nodes": 20}, {"malicious_fraction": [0.0, 0.6]}, steps=55, runner=sweep_runners.failing_runner)
    fixed.runner = sweep_runners.fake_runner  # same run ids, now succeeding
    fixed.runs = sweep.runs
    again = fixed.run(store=tmp_path, quiet=True)
    assert list(again.status) == ["ok", "ok"] and len(Store(tmp_path).files("runs")) == 2


def test_format_1_stores_with_one_file_per_run_still_load(tmp_path):
    sweep = Sweep(
        {"n_nodes": 20},
        {"malicious_fraction": [0.0, 0.2]},
        replicates=2,
        steps=4,
        keep=["steps"],
        runner=sweep_runners.fake_runner,
        allow_partial_windows=True,  # a stand-in runner: no window to cover
    )
    frame = sweep.run(store=tmp_path, quiet=True)
    steps = load_steps(tmp_path)
    store = Store(tmp_path)
    # rewrite as format 1: runs/<run_id>.parquet and steps/<run_id>.parquet without a run_id column
    runs = store.read_table("runs")
    frames = store.read_table("steps")
    for path in store.files("runs") + store.files("steps"):
        path.unlink()
    for run_id, row in runs.groupby("run_id"):
        row.to_parquet(tmp_path / "runs" / f"{run_id}.parquet", index=False)
        frames[frames.run_id == run_id].drop(columns="run_id").to_parquet(
            tmp_path / "steps" / f"{run_id}.parquet", index=False
        )
    pd.testing.assert_frame_equal(load(tmp_path, compact=False), frame)
    pd.testing.assert_frame_equal(load_steps(tmp_path), steps)
    Store(tmp_path).compact()
    pd.testing.assert_frame_equal(load(tmp_path), frame)
    pd.testing.assert_frame_equal(load_steps(tmp_path), steps)


def test_ledger_entries_and_head_are_bookkeeping_not_outcomes(tmp_path):
    sweep = Sweep(
        factors={"x": [0.1, 0.2]},
        steps=4,
        seed=1,
        runner=sweep_runners.ledger_runner,
        params=sweep_runners.TrivialParams,
    )
    frame = sweep.run(store=tmp_path, quiet=True)
    assert frame.attrs["outcomes"] == ["y"]
    assert list(frame.ledger_entries) == [12, 12]
    assert frame.ledger_head.str.len().eq(64).all()
    assert list(frame.columns[-2:]) == ["ledger_entries", "ledger_head"]
    without = trivial_sweep(n=2).run(store=tmp_path / "plain", quiet=True)
    assert "ledger_head" not in without.columns


def test_outcomes_may_not_shadow_bookkeeping_columns(tmp_path):
    frame = Sweep(
        factors={"x": [0.5]}, steps=1, runner=sweep_runners.clashing_runner, params=sweep_runners.TrivialParams
    ).run(store=tmp_path, quiet=True)
    assert frame.status[0] == "failed" and "clash with bookkeeping" in frame.error[0]


# --- processes sweeps that spawned workers could not import ------------------------------------


def _run_python(args: list[str], stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(REPO)])}
    return subprocess.run(
        [sys.executable, *args], input=stdin, env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


SCRIPT = """
    import sweep_runners
    from workbench.experiments import Sweep
    {define}
    sweep = Sweep(factors={{"x": [0.1, 0.2]}}, steps=1, runner={runner}, params=sweep_runners.TrivialParams)
    print(sweep.run(backend="processes", store={store!r}, quiet=True, max_workers=1).status.tolist())
"""


@pytest.mark.parametrize("how", ["script without guard", "stdin", "python -c"])
def test_processes_sweep_that_workers_cannot_import_fails_once_with_the_reason(tmp_path, how):
    store = tmp_path / "store"
    if how == "script without guard":
        script = tmp_path / "sweep_script.py"
        script.write_text(
            textwrap.dedent(SCRIPT.format(define="", runner="sweep_runners.empty_runner", store=str(store)))
        )
        result = _run_python([str(script)])
        assert "has no 'if __name__ == \"__main__\":' guard" in result.stderr, result.stderr
    else:
        define = "def local_runner(params, seed, steps):\n        return {'y': params.x}"
        code = textwrap.dedent(SCRIPT.format(define=define, runner="local_runner", store=str(store)))
        if how == "stdin":
            result = _run_python(["-"], stdin=code)
            assert "not a file (code read from standard input)" in result.stderr, result.stderr
        else:
            result = _run_python(["-c", code])
            assert "local_runner is defined in __main__ of an interpreter without a script file" in result.stderr
    assert result.returncode != 0 and "RuntimeError: backend='processes' cannot run this sweep" in result.stderr
    assert "worker process died" not in result.stderr
    assert not store.exists()  # refused before anything was written


def test_a_guarded_script_runs_on_processes(tmp_path):
    script = tmp_path / "guarded.py"
    body = textwrap.dedent(SCRIPT.format(define="", runner="sweep_runners.empty_runner", store=str(tmp_path / "s")))
    script.write_text("if __name__ == '__main__':\n" + textwrap.indent(body, "    "))
    result = _run_python([str(script)])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['ok', 'ok']"


def test_spawn_problem_is_none_for_importable_runners_here():
    assert spawn_problem(sweep_runners.empty_runner, sweep_runners.TrivialParams) is None


# --- module boundaries ------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("workbench.")}


def test_experiments_modules_have_no_import_cycles_and_stay_in_their_layer():
    """No module of workbench.experiments imports (even lazily, even indirectly) one that imports
    it back, and none imports the analysis or viz layers above it."""
    root = REPO / "workbench" / "experiments"
    graph = {f"workbench.experiments.{p.stem}": _imports(p) for p in root.glob("*.py") if p.stem != "__init__"}
    upward = [
        (m, d) for m, deps in graph.items() for d in deps if d.startswith(("workbench.analysis", "workbench.viz"))
    ]
    assert not upward
    inner = {m: {d for d in deps if d in graph} for m, deps in graph.items()}

    def reachable(start: str) -> set[str]:
        seen, todo = set(), list(inner[start])
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo.extend(inner[module])
        return seen

    assert [m for m in inner if m in reachable(m)] == []
    assert "workbench.experiments.spec" not in reachable("workbench.experiments.driver")


# --- chunks of short runs, one backend check ------------------------------------------------


def test_chunk_size_follows_run_times():
    from workbench.experiments.backends import ChunkSizer
    from workbench.experiments.execute import Outcome

    def outcomes(duration_s: float, n: int) -> list[Outcome]:
        return [Outcome("r", "ok", {}, {}, duration_s=duration_s) for _ in range(n)]

    short = ChunkSizer(workers=2, target_s=0.2, max_size=256)
    assert short.next_size(10_000) == 1  # nothing known yet
    short.observe(outcomes(0.001, 4))
    assert short.next_size(10_000) == 200  # about 0.2 s of work
    assert short.next_size(40) == 10  # a fair share of what is left per worker (two chunks each)
    short.observe(outcomes(1e-7, 1000))
    assert short.next_size(10_000) == 256
    slow = ChunkSizer(workers=2)
    slow.observe(outcomes(2.0, 3))
    assert slow.next_size(10_000) == 1


def test_the_sweep_command_checks_the_backend_like_sweep_run(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("factors: {x: [0.1]}\nrunner: sweep_runners:empty_runner\nparams: sweep_runners:TrivialParams\n")
    result = _run_python(
        ["-m", "workbench", "sweep", str(spec), "--backend", "mpi", "--store", str(tmp_path / "st")], cwd=REPO
    )
    assert result.returncode == 2
    assert "backend='mpi' is not allowed; choose one of 'local', 'processes', 'ray'" in result.stderr
    assert not (tmp_path / "st").exists()
