"""Study 08's design: every main parameter varied together over its range, sharing fixed, in a design made
for global sensitivity analysis (Morris screening at the small size, Sobol with second-order indices at the
full size; SALib's samplers through :class:`~workbench.experiments.Sweep`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workbench.analysis.studies.common import check_size
from workbench.analysis.studies.protocol import StudyDesign
from workbench.experiments import Sweep

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


def design(
    size: str = "small", seed: int = 0, sharing: str = "gossip", factors: Mapping[str, Sequence[float]] | None = None
) -> StudyDesign:
    """One sweep over ``factors`` (name -> ``(low, high)``; integer parameters are sampled over the integers
    in the range) with ``sharing`` fixed, on the size's design. Its runs cover every campaign's evaluation
    window (a factor that moves the windows past the size's steps is refused naming the steps needed)."""
    plan = SIZES[check_size(size)]
    if not factors:
        raise ValueError("factors is empty; give at least one factor with its (low, high) range")
    sweep = Sweep(
        base={**plan["base"], "sharing": sharing, **STUDY_BASE},
        factors={name: tuple(bounds) for name, bounds in factors.items()},
        design=plan["design"],
        samples=plan["samples"],
        replicates=plan["replicates"],
        steps=plan["steps"],
        seed=seed,
        name=f"08_sensitivity_{size}_{sharing}",
    )
    return StudyDesign(size, [sweep], [{}])


def describe(design: StudyDesign) -> str:
    """The sweep and its number of runs, in one line."""
    sweep = design.sweeps[0]
    return f"{sweep!r}: {len(sweep)} runs"
