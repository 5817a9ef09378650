"""One call runs the model and returns tidy frames."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from workbench.ledger import GENESIS_HASH, Ledger
from workbench.model import metrics
from workbench.model.display import Summary, result_html, result_repr
from workbench.model.model import ThreatIntelModel
from workbench.model.outcomes import catalog
from workbench.model.params import ModelParams
from workbench.model.trace_params import load_trace
from workbench.validation import check_int, check_seed


@dataclass(repr=False)
class RunResult:
    """Outputs of one run.

    ``steps``: one row per step (step metrics, from Mesa's DataCollector); ``summary``: the run's scalar
    outcomes (the built-in ones of :mod:`workbench.model.outcomes`, then ``params.outcomes``);
    ``signatures``: one row per signature; ``campaigns``: one row per attack campaign that started;
    ``votes``: one row per vote cast (who voted what on which signature).
    ``ledger_entries`` (count) and ``ledger_head`` (SHA-256 hex of the last entry, the genesis hash of
    64 zeros when empty) pin the run's ledger: a truncated ledger whose head was rewritten no longer matches.
    """

    params: ModelParams
    seed: int
    n_steps: int
    steps: pd.DataFrame
    summary: dict[str, float]
    signatures: pd.DataFrame
    campaigns: pd.DataFrame
    votes: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    ledger_entries: int = 0
    ledger_head: str = GENESIS_HASH

    def __post_init__(self) -> None:
        self.summary = Summary(self.summary)  # a dict, displayed at four significant digits

    def __repr__(self) -> str:
        return result_repr(self)

    def _repr_html_(self) -> str:
        return result_html(self)


def run_model(params: ModelParams | dict | None = None, seed: int = 0, steps: int = 60) -> RunResult:
    """Run :class:`ThreatIntelModel` for ``steps`` steps from ``seed`` and collect its frames.

    ``params`` may be a :class:`ModelParams`, a dict of its fields, or ``None`` for the defaults.
    Parameters are validated before anything runs; the same parameters and seed give identical frames.
    With ``traffic="trace"`` the whole trace is read first (any bad row raises here) and ``steps``
    may not exceed its number of steps; ``RunResult.params`` then holds the effective parameters
    (``n_nodes`` and ``n_campaigns`` from the trace).
    """
    if isinstance(params, dict):
        params = ModelParams.from_dict(params)
    params = params or ModelParams()
    steps = check_int("steps", steps, 1)
    seed = check_seed(seed)
    if params.traffic == "trace":  # read the whole trace first: a bad row or a too-short trace stops here
        n_steps = load_trace(params).n_steps
        if steps > n_steps:
            raise ValueError(
                f"steps={steps} is out of range; expected an integer with 1 <= x <= {n_steps} "
                f"(the trace trace_path={params.trace_path!r} has {n_steps} steps of "
                + (
                    f"rows_per_step={params.rows_per_step})"
                    if params.rows_per_step
                    else f"step_seconds={params.step_seconds:g})"
                )
            )
    catalog.declared(params.outcomes)  # a researcher's outcome under a built-in's name stops here
    model = ThreatIntelModel(params, rng=seed)
    try:
        for _ in range(steps):
            model.step()
        state = model.state
        campaigns = metrics.campaigns_frame(state)
        return RunResult(
            params=model.params,
            seed=seed,
            n_steps=steps,
            steps=metrics.steps_frame(model.datacollector),
            summary=catalog.summary(state, campaigns, model.params.outcomes),
            signatures=metrics.signatures_frame(state),
            campaigns=campaigns,
            votes=metrics.votes_frame(state),
            ledger_entries=len(model.ledger),
            ledger_head=ledger_head(model.ledger),
        )
    finally:
        model.ledger.close()


def ledger_head(ledger: Ledger) -> str:
    """Hash of the ledger's last entry (64 hex digits); the genesis hash when it is empty."""
    return ledger.head_hash()  # the memory backend answers without signing its pending entries
