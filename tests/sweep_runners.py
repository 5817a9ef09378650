"""Stand-in runners for testing the sweep machinery without the model (test helpers, not shipped).

Each has the :func:`workbench.run_model` signature and returns an object with ``summary``,
``steps`` and ``signatures`` (or, for the trivial ones, a mapping). Their results depend only on
(parameters, seed, steps). Workers import this module by name (``sweep_runners``): process workers
through ``sys.path``/``PYTHONPATH`` (``tests/``), Ray workers through the ``runtime_env`` the
``ray_session`` fixture sets.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.model.params import ModelParams
from workbench.validation import Range

# Runs executed by :func:`logged_runner` append "<seed> <pid>" lines here (set by the caller).
LOG_ENV = "WORKBENCH_TEST_RUN_LOG"
SLEEP_ENV = "WORKBENCH_TEST_SLEEP_S"


@dataclasses.dataclass
class FakeResult:
    summary: dict
    steps: pd.DataFrame
    signatures: pd.DataFrame


def fake_runner(params: ModelParams, seed: int, steps: int) -> FakeResult:
    """Deterministic, fast: outcomes are functions of the parameters plus seeded noise."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, 0.02, size=steps)
    recall = float(np.clip(0.9 - params.malicious_fraction + noise.mean(), 0, 1))
    step_frame = pd.DataFrame({"step": np.arange(steps), "recall": np.clip(recall + noise, 0, 1)})
    summary = {
        "recall": recall,
        "fpr": float(abs(noise[0])),
        "signatures_proposed": int(rng.integers(0, 50)),
        "ttd_steps_mean": float("nan") if params.malicious_fraction > 0.5 else float(rng.integers(1, 9)),
    }
    return FakeResult(summary, step_frame, pd.DataFrame({"signature_id": [0, 1], "confirmed": [True, False]}))


def logged_runner(params: ModelParams, seed: int, steps: int) -> FakeResult:
    """:func:`fake_runner` that sleeps ``$WORKBENCH_TEST_SLEEP_S`` and logs each execution."""
    time.sleep(float(os.environ.get(SLEEP_ENV, "0.2")))
    result = fake_runner(params, seed, steps)
    log = os.environ.get(LOG_ENV)
    if log:
        with open(log, "a") as handle:
            handle.write(f"{params.malicious_fraction} {seed} {os.getpid()}\n")
    return result


def failing_runner(params: ModelParams, seed: int, steps: int) -> FakeResult:
    """Fails for ``malicious_fraction >= 0.5``; otherwise :func:`fake_runner`."""
    if params.malicious_fraction >= 0.5:
        raise RuntimeError(f"simulated model failure at malicious_fraction={params.malicious_fraction}")
    return fake_runner(params, seed, steps)


def dying_runner(params: ModelParams, seed: int, steps: int) -> FakeResult:
    """Kills its worker process for ``malicious_fraction >= 0.5`` (never run it in the driver)."""
    if params.malicious_fraction >= 0.5:
        os._exit(17)
    return fake_runner(params, seed, steps)


def die_once_runner(params: ModelParams, seed: int, steps: int) -> FakeResult:
    """Kills its worker the first time a (seed, malicious_fraction) is run, then succeeds."""
    marker = Path(tempfile.gettempdir()) / "workbench-die-once" / f"{seed}-{params.malicious_fraction}"
    if params.malicious_fraction >= 0.5 and not marker.exists():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        os._exit(17)
    return fake_runner(params, seed, steps)


@dataclasses.dataclass(frozen=True)
class TrivialParams:
    """A one-field parameter class for runs that do (almost) nothing."""

    x: float = dataclasses.field(default=0.5, metadata={"range": Range(0.0, 1.0)})
    label: str = dataclasses.field(default="a", metadata={"choices": ("a", "b")})


def empty_runner(params: TrivialParams, seed: int, steps: int) -> dict[str, float]:
    """Does nothing: the cost of a run is the sweep machinery's own."""
    return {"y": params.x}


def logged_empty_runner(params: TrivialParams, seed: int, steps: int) -> dict[str, float]:
    """:func:`empty_runner` that logs ``"<x> <seed>"`` for each execution to ``$WORKBENCH_TEST_RUN_LOG``."""
    log = os.environ.get(LOG_ENV)
    if log:
        with open(log, "a") as handle:
            handle.write(f"{params.x!r} {seed}\n")
    return {"y": params.x, "z": math.sin(params.x)}


@dataclasses.dataclass
class LedgerResult:
    summary: dict
    ledger_entries: int
    ledger_head: str


def ledger_runner(params: TrivialParams, seed: int, steps: int) -> LedgerResult:
    """A result carrying ledger bookkeeping (entry count and head hash)."""
    return LedgerResult({"y": params.x}, steps * 3, f"{seed:064x}"[-64:])


def clashing_runner(params: TrivialParams, seed: int, steps: int) -> dict[str, float]:
    """Returns an outcome named like a bookkeeping column (rejected)."""
    return {"y": params.x, "status": 1.0}
