"""Executing runs, wherever it happens (driver, worker process, Ray worker).

:func:`execute` never raises for a failing model: the error and traceback become part of the
outcome, so one bad run cannot stop a sweep. :func:`execute_batch` runs several tasks in one call,
so that short runs do not each pay for scheduling and serialisation.
"""

from __future__ import annotations

import dataclasses
import math
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from workbench.experiments.outcomes import ledger_of, summary_of


@dataclasses.dataclass(frozen=True)
class Task:
    """What a worker needs for one run (picklable: runner and parameter class go by name)."""

    run_id: str
    params: dict[str, Any]
    seed: int
    steps: int
    keep: tuple[str, ...]
    runner: Callable
    params_cls: type


@dataclasses.dataclass
class Outcome:
    """What comes back from one run: outcomes, kept frames and bookkeeping (ledger entries/head)."""

    run_id: str
    status: str  # "ok" or "failed"
    summary: dict[str, Any]
    frames: dict[str, pd.DataFrame]
    error: str | None = None
    traceback: str | None = None
    duration_s: float = math.nan
    bookkeeping: dict[str, Any] = dataclasses.field(default_factory=dict)


def execute(task: Task) -> Outcome:
    """Run one task; exceptions from the model are caught and recorded."""
    start = time.perf_counter()
    try:
        # already validated by the sweep; built here again because objects travel as plain dicts
        params = task.params_cls(**task.params)
        result = task.runner(params, seed=task.seed, steps=task.steps)
        summary = summary_of(result)
        frames = {}
        for name in task.keep:
            if not hasattr(result, name):
                raise TypeError(f"keep={list(task.keep)}: the run result has no {name!r} frame")
            frame = getattr(result, name)
            frames[name] = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
        bookkeeping = ledger_of(result)
    except Exception as exc:
        return Outcome(
            task.run_id,
            "failed",
            {},
            {},
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
            duration_s=time.perf_counter() - start,
        )
    return Outcome(task.run_id, "ok", summary, frames, duration_s=time.perf_counter() - start, bookkeeping=bookkeeping)


def execute_batch(tasks: Sequence[Task]) -> list[Outcome]:
    """Run several tasks in order (one scheduling round trip for all of them)."""
    return [execute(task) for task in tasks]


def failed_outcome(task: Task, error: str, tb: str | None = None) -> Outcome:
    """A failed outcome for a run that never reported back (e.g. its worker died)."""
    return Outcome(task.run_id, "failed", {}, {}, error=error, traceback=tb or error)
