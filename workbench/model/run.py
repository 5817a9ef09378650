"""One call runs the model and returns tidy frames."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.model import metrics
from workbench.model.model import ThreatIntelModel
from workbench.model.params import ModelParams


@dataclass
class RunResult:
    """Outputs of one run.

    ``steps``: one row per step (step metrics, from Mesa's DataCollector); ``summary``: the run's scalar
    outcomes; ``signatures``: one row per signature; ``campaigns``: one row per attack campaign.
    """

    params: ModelParams
    seed: int
    n_steps: int
    steps: pd.DataFrame
    summary: dict[str, float]
    signatures: pd.DataFrame
    campaigns: pd.DataFrame


def run_model(params: ModelParams | dict | None = None, seed: int = 0, steps: int = 60) -> RunResult:
    """Run :class:`ThreatIntelModel` for ``steps`` steps from ``seed`` and collect its frames.

    ``params`` may be a :class:`ModelParams`, a dict of its fields, or ``None`` for the defaults.
    Parameters are validated before anything runs; the same parameters and seed give identical frames.
    """
    if isinstance(params, dict):
        params = ModelParams.from_dict(params)
    params = params or ModelParams()
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r} is out of range; expected an integer with 1 <= x")
    model = ThreatIntelModel(params, rng=seed)
    try:
        for _ in range(steps):
            model.step()
        campaigns = metrics.campaigns_frame(model)
        return RunResult(params=params, seed=seed, n_steps=steps, steps=metrics.steps_frame(model),
                         summary=metrics.summary(model, campaigns), signatures=metrics.signatures_frame(model),
                         campaigns=campaigns)
    finally:
        model.ledger.close()
