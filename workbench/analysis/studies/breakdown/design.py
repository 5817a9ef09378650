"""Study 04's design: every sharing design (mode x consensus rule) against every malicious behaviour,
``malicious_fraction`` swept on a grid and each cell replicated over seeds (:mod:`.analysis` says what is
estimated from it)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.analysis.studies.common import check_size, design_text
from workbench.analysis.studies.protocol import StudyDesign
from workbench.experiments import Sweep
from workbench.model.channels import CHANNELS
from workbench.model.params import ModelParams

# consensus rules by label: the ModelParams fields each sets
RULES: dict[str, dict[str, Any]] = {
    "majority": {"consensus": "majority"},
    "super_0.67": {"consensus": "supermajority", "quorum": 2 / 3},
    "super_0.8": {"consensus": "supermajority", "quorum": 0.8},
    "trust_weighted": {"consensus": "trust_weighted"},
}
# the sharing channels whose peers vote (a block per consensus rule); the others are one block each,
# labelled by who decides (the channel's ``decided_by``)
VOTING = [name for name in CHANNELS.names() if CHANNELS.get(name).carries_votes]

SIZES: dict[str, dict[str, Any]] = {
    # 2 sharing modes x 2 rules x 2 behaviours x 5 fractions x 3 replicates = 120 runs (about 30 s on 2 cores)
    "small": {
        "sharing": VOTING,
        "rules": ["majority", "super_0.8"],
        "behaviors": ["collude", "lie"],
        "max_fraction": 0.6,
        "fraction_step": 0.15,  # 3 nodes of 20
        "replicates": 3,
        "base": {"n_nodes": 20, "flows_per_node": 20},
    },
    # (2 voting modes x 4 rules + none + central) x 4 behaviours x 13 fractions x 30 replicates = 15,600 runs
    "full": {
        "sharing": list(CHANNELS.names()),
        "rules": list(RULES),
        "behaviors": ["forge", "lie", "collude", "betray"],
        "max_fraction": 0.6,
        "fraction_step": 0.05,  # one node of 20
        "replicates": 30,
        # betrayers turn after 10 steps, before the first campaign's window is over (the default, 30
        # steps, would keep them honest through most of the run)
        "base": {"n_nodes": 20, "flows_per_node": 20, "betray_after_steps": 10},
    },
}


def fraction_grid(n_nodes: int, max_fraction: float, step: float) -> list[float]:
    """Malicious fractions ``m / N`` for whole node counts ``m = 0, k, 2k, ...`` up to ``max_fraction * N``,
    with ``k = max(1, round(step * N))`` nodes a step: each level has at least one malicious node more
    than the one before (``ModelParams.n_malicious`` rounds ``f * N``, so ``m / N`` gives exactly ``m``)."""
    if n_nodes < 1:
        raise ValueError(f"n_nodes={n_nodes!r} is out of range; expected an integer with 1 <= x")
    k = max(1, round(step * n_nodes))
    top = int(np.floor(max_fraction * n_nodes + 1e-9))
    return [m / n_nodes for m in range(0, top + 1, k)]


def blocks(size: str) -> list[tuple[str, str]]:
    """The design's blocks ``(sharing, rule)``: every rule for a channel whose peers vote (ledger, gossip),
    one block for the others (none, central), labelled by who decides."""
    plan = SIZES[check_size(size)]
    out: list[tuple[str, str]] = []
    for sharing in plan["sharing"]:
        channel = CHANNELS.get(sharing)
        out += [(sharing, rule) for rule in plan["rules"]] if channel.carries_votes else [(sharing, channel.decided_by)]
    return out


def design(
    size: str = "small",
    seed: int = 0,
    base: dict[str, Any] | None = None,
    fractions: list[float] | None = None,
    replicates: int | None = None,
) -> StudyDesign:
    """The study's sweeps (one per block, each crossing behaviour x malicious fraction) and their labels.

    ``base`` overrides model parameters of every run; ``fractions``/``replicates`` override the size's.
    Fractions default to :func:`fraction_grid` for the network size (whole nodes, at least one more a
    level); every run lasts ``steps_covering_windows`` steps, so each campaign's evaluation window is
    complete.
    """
    plan = SIZES[check_size(size)]
    common = ModelParams(**{**plan["base"], **(base or {})})
    fractions = fractions or fraction_grid(common.n_nodes, plan["max_fraction"], plan["fraction_step"])
    steps = common.steps_covering_windows or common.eval_window_steps
    sweeps: list[Sweep] = []
    labels: list[dict[str, Any]] = []
    for sharing, rule in blocks(size):
        params = {**plan["base"], **(base or {}), "sharing": sharing, **RULES.get(rule, {})}
        sweeps.append(
            Sweep(
                params,
                {"malicious_behavior": plan["behaviors"], "malicious_fraction": fractions},
                replicates=replicates or plan["replicates"],
                steps=steps,
                seed=seed,
                name=f"04_breakdown_{size}_{sharing}_{rule}",
            )
        )
        labels.append({"sharing": sharing, "rule": rule})
    return StudyDesign(size, sweeps, labels)


def describe(design: StudyDesign) -> str:
    """The design in one Markdown paragraph: its blocks, factors, replicates, seeds and network."""
    return (
        "**Design.** Blocks (sharing / rule): "
        + ", ".join(f"{lab['sharing']} / {lab['rule']}" for lab in design.labels)
        + ". "
        + design_text(design.sweeps)
        + f" Network: {design.base.n_nodes} nodes, other parameters at their defaults."
    )
