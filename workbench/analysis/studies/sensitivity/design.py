"""Study 08's design: every main parameter varied together over its range, sharing fixed, in a design made
for global sensitivity analysis (Morris screening at the small size, Sobol with second-order indices at the
full size; SALib's samplers through :class:`~workbench.experiments.Sweep`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workbench.analysis.studies.common import check_size
from workbench.analysis.studies.protocol import StudyDesign
from workbench.experiments import Sweep
from workbench.model.params import ModelParams

SIZES: dict[str, dict[str, Any]] = {
    # Morris: 20 trajectories of D + 1 runs (160 runs for the notebook's 7 factors); two campaigns measured over
    # 20 steps, so that 35 steps complete every window
    "small": {
        "design": "morris",
        "samples": 20,
        "replicates": 1,
        "steps": 35,
        "base": {"n_nodes": 20, "flows_per_node": 20, "n_campaigns": 2, "eval_window_steps": 20},
    },
    # Sobol with second-order indices: N = 256 base samples, N(2D + 2) runs (4,096 for 7 factors); the default
    # three campaigns' windows are complete from step 55
    "full": {
        "design": "sobol",
        "samples": 256,
        "replicates": 1,
        "steps": 60,
        "base": {"n_nodes": 40, "flows_per_node": 30},
    },
}
# against colluders, who vote together for forgeries: the adversary whose success PRIM looks for
STUDY_BASE = {"consensus": "supermajority", "malicious_behavior": "collude"}


def valid_bounds(base: Mapping[str, Any], name: str, bounds: Sequence[float]) -> tuple[Any, Any]:
    """``bounds`` of factor ``name`` with an integer low end raised to the smallest value the fixed ``base``
    parameters accept (the other factors at their base values): e.g. with ``sharing="ledger"`` a
    ``vote_deadline_steps`` below the ledger's minimum (``max(1, L) + L`` for latency ``L``) is refused by
    the channel, so a range starting at 1 starts at that minimum. ``ValueError`` (the parameters' own
    message) when no value of the range is valid; a float low end that is refused is left to the sweep,
    which refuses it naming the design point."""
    low, high = bounds
    if not (isinstance(low, int) and isinstance(high, int)) or isinstance(low, bool):
        return low, high
    error: ValueError | None = None
    for value in range(low, high + 1):
        try:
            ModelParams.from_dict({**base, name: value})
        except ValueError as exc:
            error = error or exc
            continue
        return value, high
    raise ValueError(f"factor {name} in [{low}, {high}]: no value is valid with the study's fixed parameters: {error}")


def design(
    size: str = "small", seed: int = 0, sharing: str = "gossip", factors: Mapping[str, Sequence[float]] | None = None
) -> StudyDesign:
    """One sweep over ``factors`` (name -> ``(low, high)``; integer parameters are sampled over the integers
    in the range, from the smallest value the fixed parameters accept: :func:`valid_bounds`) with ``sharing``
    fixed, on the size's design. Its runs cover every campaign's evaluation window (a factor that moves the
    windows past the size's steps is refused naming the steps needed). The label ``raised`` holds the factors
    whose low end was raised, name -> ``(given, used)``."""
    plan = SIZES[check_size(size)]
    if not factors:
        raise ValueError("factors is empty; give at least one factor with its (low, high) range")
    base = {**plan["base"], "sharing": sharing, **STUDY_BASE}
    space = {name: valid_bounds(base, name, bounds) for name, bounds in factors.items()}
    raised = {name: (factors[name][0], space[name][0]) for name in space if space[name][0] != factors[name][0]}
    sweep = Sweep(
        base=base,
        factors=space,
        design=plan["design"],
        samples=plan["samples"],
        replicates=plan["replicates"],
        steps=plan["steps"],
        seed=seed,
        name=f"08_sensitivity_{size}_{sharing}",
    )
    return StudyDesign(size, [sweep], [{"raised": raised} if raised else {}])


def describe(design: StudyDesign) -> str:
    """The sweep and its number of runs, in one line, and each factor whose low end was raised to the
    smallest value the fixed parameters accept."""
    sweep = design.sweeps[0]
    raised = design.labels[0].get("raised", {})
    notes = "".join(
        f"; `{name}` sampled from {used}, not {given}: below {used} the fixed parameters (sharing "
        f"{sweep.base.sharing!r}) are refused"
        for name, (given, used) in raised.items()
    )
    return f"{sweep!r}: {len(sweep)} runs{notes}"
