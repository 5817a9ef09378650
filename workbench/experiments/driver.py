"""The sweep driver: plan, skip what is finished, dispatch to a backend, store as results arrive."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.experiments.backends import BACKENDS, get_backend
from workbench.experiments.execute import Task
from workbench.experiments.store import FORMAT_VERSION, Store, default_store, load, now_utc
from workbench.provenance import provenance

if TYPE_CHECKING:
    from workbench.experiments.spec import Sweep


def _manifest(sweep: "Sweep", previous: dict[str, Any] | None, backend: str) -> dict[str, Any]:
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
        python_version=platform.python_version(),
        n_runs=len(sweep.runs),
        runs=[{"run_id": r.run_id, "point": r.point, "replicate": r.replicate, "seed": r.seed,
               "factors": r.factors} for r in sweep.runs],
        started_utc=(sessions[0]["started_utc"] if sessions else session["started_utc"]),
        finished_utc=None,
        sessions=[*sessions, session],
    )
    if previous is not None and previous.get("spec_hash") != sweep.spec_hash:
        earlier = previous.get("previous_specs", [])
        record["previous_specs"] = [*earlier, {"spec_hash": previous.get("spec_hash"), "spec": previous.get("spec"),
                                               "started_utc": previous.get("started_utc")}]
    return record


def run_sweep(sweep: "Sweep", backend: str = "local", store: str | Path | None = None, quiet: bool = False,
              retry_failed: bool = True, **backend_options: Any) -> pd.DataFrame:
    """Run the unfinished runs of ``sweep`` on ``backend`` into ``store``; return :func:`load`."""
    from tqdm.auto import tqdm

    if backend not in BACKENDS:  # before anything is written
        raise ValueError(f"backend={backend!r} is not allowed; choose one of {', '.join(map(repr, BACKENDS))}")
    store_obj = Store(store if store is not None else default_store(sweep.name))
    store_obj.lock()
    try:
        try:
            previous = store_obj.read_manifest()
        except (FileNotFoundError, json.JSONDecodeError):
            previous = None
        manifest = _manifest(sweep, previous, backend)
        store_obj.write_manifest(manifest)

        unique = {run.run_id: run for run in sweep.runs}  # identical LHS points share a run
        done = store_obj.finished(unique, keep=sweep.keep, retry_failed=retry_failed)
        todo = [Task(run.run_id, run.params, run.seed, sweep.steps, sweep.keep, sweep.runner)
                for run_id, run in unique.items() if run_id not in done]
        counts = {"computed": 0, "skipped": len(unique) - len(todo), "failed": 0}
        if todo:
            with get_backend(backend, **backend_options) as executor, \
                    tqdm(total=len(unique), initial=counts["skipped"], desc=sweep.name, unit="run",
                         disable=quiet, dynamic_ncols=True) as bar:
                for outcome in executor.run(todo):
                    run = unique[outcome.run_id]
                    store_obj.write(outcome, {"seed": run.seed, "steps": sweep.steps,
                                              "model_version": sweep.model_version,
                                              "params_json": json.dumps(run.params, sort_keys=True)})
                    counts["computed"] += 1
                    counts["failed"] += outcome.status != "ok"
                    bar.update(1)
                    if counts["failed"]:
                        bar.set_postfix(failed=counts["failed"])
        manifest["finished_utc"] = now_utc()
        manifest["sessions"][-1].update(finished_utc=manifest["finished_utc"], **counts)
        store_obj.write_manifest(manifest)
    finally:
        store_obj.unlock()
    return load(store_obj.path)
