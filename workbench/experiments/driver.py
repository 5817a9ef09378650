"""The one way a sweep runs (``Sweep.run`` and the ``sweep`` command both come here): check, plan,
skip what is finished, dispatch to a backend, write results as they arrive, compact the store.

The driver knows a sweep only by the attributes it reads (``name``, ``runs``, ``steps``, ``keep``,
``runner``, ``params_cls``, ``model_version``, ``spec_hash``, ``to_dict()``, ``design_structure``,
``plan``), so it does not import the spec module (which imports this one).
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.experiments.backends import BACKENDS, check_backend, get_backend
from workbench.experiments.execute import Task
from workbench.experiments.runners import object_name, spawn_problem
from workbench.experiments.store import FORMAT_VERSION, Store, default_store, load, now_utc
from workbench.provenance import provenance


def _manifest(sweep: Any, previous: dict[str, Any] | None, backend: str) -> dict[str, Any]:
    session = {"started_utc": now_utc(), "finished_utc": None, "backend": backend}
    sessions = []
    if previous is not None and previous.get("spec_hash") == sweep.spec_hash:
        sessions = previous.get("sessions", [])
    record = provenance(
        format_version=FORMAT_VERSION,
        name=sweep.name,
        spec=sweep.to_dict(),
        spec_hash=sweep.spec_hash,
        model_version=sweep.model_version,
        params_class=object_name(sweep.params_cls),
        python_version=platform.python_version(),
        design=sweep.design_structure,
        # the raw sample before integer rounding (sobol, morris), so X can be rebuilt exactly
        design_sample=sweep.plan.sample,
        n_runs=len(sweep.runs),
        runs=[
            {"run_id": r.run_id, "point": r.point, "replicate": r.replicate, "seed": r.seed, "factors": r.factors}
            for r in sweep.runs
        ],
        started_utc=(sessions[0]["started_utc"] if sessions else session["started_utc"]),
        finished_utc=None,
        sessions=[*sessions, session],
    )
    if previous is not None and previous.get("spec_hash") != sweep.spec_hash:
        earlier = previous.get("previous_specs", [])
        record["previous_specs"] = [
            *earlier,
            {
                "spec_hash": previous.get("spec_hash"),
                "spec": previous.get("spec"),
                "started_utc": previous.get("started_utc"),
            },
        ]
    return record


@contextmanager
def _closed_at_exit(outcomes: Iterator[Any]) -> Iterator[Iterator[Any]]:
    """``outcomes``, closed when the block ends (a generator's ``finally`` then runs at once, not when the
    traceback that holds it is dropped): a backend stops its workers as soon as the driver stops reading."""
    try:
        yield outcomes
    finally:
        close = getattr(outcomes, "close", None)
        if callable(close):
            close()


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sweep: every finished run is saved in ``store``, the backend's workers are stopped
    and the store is unlocked; running the sweep again resumes. Its text is the one line to show
    (``interrupted: 23 of 96 runs saved; run again to resume``); in a notebook IPython shows that line
    instead of a traceback (:meth:`_render_traceback_`). A ``KeyboardInterrupt``, so code that stops on
    Ctrl-C still does."""

    def __init__(self, saved: int, total: int, store: Path) -> None:
        super().__init__(f"interrupted: {saved} of {total} runs saved; run again to resume")
        self.saved, self.total, self.store = saved, total, store

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def saved_runs(sweep: Any, store: str | Path) -> tuple[int, int]:
    """``(runs of the sweep, runs finished in the store)``, identical points counted once."""
    ids = {run.run_id for run in sweep.runs}
    try:
        saved = len(Store(store).finished(ids, keep=sweep.keep, retry_failed=False))
    except (OSError, ValueError):
        saved = 0
    return len(ids), saved


def run_sweep(
    sweep: Any,
    backend: str = "local",
    store: str | Path | None = None,
    quiet: bool = False,
    retry_failed: bool = True,
    flush_rows: int = 1000,
    flush_s: float = 1.0,
    **backend_options: Any,
) -> pd.DataFrame:
    """Run the unfinished runs of ``sweep`` on ``backend`` into ``store``; return :func:`load`.

    Finished runs are written in chunks of up to ``flush_rows`` runs, at least every ``flush_s``
    seconds; the store is compacted when the session ends. Ctrl-C raises :class:`SweepInterrupted` once
    every finished run is written, the backend's workers are stopped and the store is unlocked.
    """
    path = Path(store) if store is not None else default_store(sweep.name)
    try:
        return _run_sweep(sweep, backend, path, quiet, retry_failed, flush_rows, flush_s, **backend_options)
    except SweepInterrupted:
        raise
    except KeyboardInterrupt:
        total, saved = saved_runs(sweep, path)
        raise SweepInterrupted(saved, total, path) from None


def _run_sweep(
    sweep: Any,
    backend: str,
    store: Path,
    quiet: bool,
    retry_failed: bool,
    flush_rows: int,
    flush_s: float,
    **backend_options: Any,
) -> pd.DataFrame:
    from tqdm.auto import tqdm

    check_backend(backend)  # before anything is written
    if BACKENDS[backend].spawns_main:
        problem = spawn_problem(sweep.runner, sweep.params_cls)
        if problem:
            raise RuntimeError(f"backend={backend!r} cannot run this sweep: {problem}")
    store_obj = Store(store)
    store_obj.lock()
    try:
        try:
            previous = store_obj.read_manifest()
        except (FileNotFoundError, json.JSONDecodeError):
            previous = None
        manifest = _manifest(sweep, previous, backend)
        store_obj.write_manifest(manifest)

        unique = {run.run_id: run for run in sweep.runs}  # identical points share a run
        done = store_obj.finished(unique, keep=sweep.keep, retry_failed=retry_failed)
        todo = [
            Task(run.run_id, run.params, run.seed, sweep.steps, sweep.keep, sweep.runner, sweep.params_cls)
            for run_id, run in unique.items()
            if run_id not in done
        ]
        counts = {"computed": 0, "skipped": len(unique) - len(todo), "failed": 0}
        if todo:
            fields = {"steps": sweep.steps, "model_version": sweep.model_version}
            writer = store_obj.writer(sweep.keep, flush_rows=flush_rows, flush_s=flush_s)
            try:
                with (
                    get_backend(backend, **backend_options) as executor,
                    tqdm(
                        total=len(unique),
                        initial=counts["skipped"],
                        desc=sweep.name,
                        unit="run",
                        disable=quiet,
                        dynamic_ncols=True,
                        mininterval=0.5,
                    ) as bar,
                    # closed at once when the loop stops (Ctrl-C), so the backend stops its workers then
                    _closed_at_exit(executor.run(todo)) as outcomes,
                ):
                    for outcome in outcomes:
                        run = unique[outcome.run_id]
                        writer.add(
                            outcome, {"seed": run.seed, **fields, "params_json": json.dumps(run.params, sort_keys=True)}
                        )
                        counts["computed"] += 1
                        counts["failed"] += outcome.status != "ok"
                        bar.update(1)
                        if outcome.status != "ok":
                            bar.set_postfix(failed=counts["failed"])
            finally:
                writer.flush()  # whatever finished is kept, even when the sweep is interrupted
        store_obj.compact()
        manifest["finished_utc"] = now_utc()
        manifest["sessions"][-1].update(finished_utc=manifest["finished_utc"], **counts)
        store_obj.write_manifest(manifest)
    finally:
        store_obj.unlock()
    return load(store_obj.path)
