"""Executing one run, wherever it happens (driver, worker process, Ray worker).

:func:`execute` never raises for a failing model: the error and traceback become part of the
outcome, so one bad run cannot stop a sweep.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import time
import traceback
from collections.abc import Callable
from typing import Any

import pandas as pd

from workbench.model.params import ModelParams


def default_runner(params: ModelParams, seed: int, steps: int) -> Any:
    """:func:`workbench.run_model`, imported where the run executes."""
    from workbench import run_model

    return run_model(params, seed=seed, steps=steps)


@dataclasses.dataclass(frozen=True)
class Task:
    """What a worker needs for one run (picklable)."""

    run_id: str
    params: dict[str, Any]
    seed: int
    steps: int
    keep: tuple[str, ...]
    runner: Callable


@dataclasses.dataclass
class Outcome:
    """What comes back from one run."""

    run_id: str
    status: str  # "ok" or "failed"
    summary: dict[str, Any]
    frames: dict[str, pd.DataFrame]
    error: str | None = None
    traceback: str | None = None
    duration_s: float = math.nan


def _scalar(value: Any) -> float | int | str | None:
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)


def execute(task: Task) -> Outcome:
    """Run one task; exceptions from the model are caught and recorded."""
    start = time.perf_counter()
    try:
        result = task.runner(ModelParams.from_dict(task.params), seed=task.seed, steps=task.steps)
        summary = {str(key): _scalar(value) for key, value in dict(result.summary).items()}
        frames = {}
        for name in task.keep:
            frame = getattr(result, name)
            frames[name] = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    except Exception as exc:  # noqa: BLE001 - any model error becomes a failed row
        return Outcome(task.run_id, "failed", {}, {}, error=f"{type(exc).__name__}: {exc}",
                       traceback=traceback.format_exc(), duration_s=time.perf_counter() - start)
    return Outcome(task.run_id, "ok", summary, frames, duration_s=time.perf_counter() - start)


def failed_outcome(task: Task, error: str, tb: str | None = None) -> Outcome:
    """A failed outcome for a run that never reported back (e.g. its worker died)."""
    return Outcome(task.run_id, "failed", {}, {}, error=error, traceback=tb or error)
