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
FORGED, PROTECTED = "forged_reach_frac", "protected_frac_mean"

SIZES: dict[str, dict[str, Any]] = {
    # 2 sharing modes x 2 rules x 2 behaviours x 5 fractions x 3 replicates = 120 runs (about 30 s on 2 cores)
    "small": {
        "sharing": VOTING,
        "rules": ["majority", "super_0.8"],
        "behaviors": ["collude", "lie"],
        "fractions": [0.0, 0.15, 0.3, 0.45, 0.6],
        "replicates": 3,
        "steps": 30,
        "base": {"n_nodes": 20, "flows_per_node": 20},
    },
    # (2 voting modes x 4 rules + none + central) x 4 behaviours x 13 fractions x 30 replicates = 15,600 runs
    "full": {
        "sharing": list(CHANNELS.names()),
        "rules": list(RULES),
        "behaviors": ["forge", "lie", "collude", "betray"],
        "fractions": [round(f, 2) for f in np.arange(0.0, 0.61, 0.05)],
        "replicates": 30,
        "steps": 30,
        # betrayers turn after a third of the run (the default, 30 steps, would keep them honest to the end)
        "base": {"n_nodes": 20, "flows_per_node": 20, "betray_after_steps": 10},
    },
}


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
    """
    plan = SIZES[check_size(size)]
    sweeps: list[Sweep] = []
    labels: list[dict[str, Any]] = []
    for sharing, rule in blocks(size):
        params = {**plan["base"], **(base or {}), "sharing": sharing, **RULES.get(rule, {})}
        sweeps.append(
            Sweep(
                params,
                {"malicious_behavior": plan["behaviors"], "malicious_fraction": fractions or plan["fractions"]},
                replicates=replicates or plan["replicates"],
                steps=plan["steps"],
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
