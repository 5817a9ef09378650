"""Study 05's design: every sharing design (mode with its quorum, gossip fanout and vote deadline) under
one adversary, one sweep block per sharing mode crossing the factors that matter for it."""

from __future__ import annotations

from typing import Any

from workbench.analysis.studies.common import check_size
from workbench.analysis.studies.protocol import StudyDesign
from workbench.experiments import Sweep
from workbench.model.params import ModelParams

FACTORS = ("quorum", "gossip_fanout", "vote_deadline_steps", "central_quorum")

SIZES: dict[str, dict[str, Any]] = {
    # gossip 2x2x2 + ledger 2x2 + central 2x2 + none = 17 designs x 3 replicates = 51 runs
    "small": {
        "quorum": [0.6, 0.8],
        "gossip_fanout": [1, 3],
        "vote_deadline_steps": [2, 6],
        "central_quorum": [1, 3],
        "replicates": 3,
        "base": {"n_nodes": 20, "flows_per_node": 20},
    },
    # gossip 4x3x3 + ledger 4x3 + central 3x3 + none = 58 designs x 30 replicates = 1,740 runs
    "full": {
        "quorum": [0.55, 0.67, 0.8, 0.9],
        "gossip_fanout": [1, 2, 4],
        "vote_deadline_steps": [2, 4, 8],
        "central_quorum": [1, 2, 4],
        "replicates": 30,
        "base": {"n_nodes": 30, "flows_per_node": 20},
    },
}


def design(
    size: str = "small", seed: int = 0, base: dict[str, Any] | None = None, replicates: int | None = None
) -> StudyDesign:
    """One sweep per sharing mode, crossing the factors that matter for it, and their labels.

    gossip: ``quorum`` x ``gossip_fanout`` x ``vote_deadline_steps`` (supermajority); ledger: ``quorum`` x
    ``vote_deadline_steps``; central: ``central_quorum`` x ``vote_deadline_steps`` (the aggregator's report
    window); none: one design, the isolated reference. ``base`` (e.g. the adversary) applies to all.
    Every run lasts ``steps_covering_windows`` steps, so each campaign's evaluation window is complete.
    """
    plan = SIZES[check_size(size)]
    common = {**plan["base"], **(base or {})}
    resolved = ModelParams(**common)
    steps = resolved.steps_covering_windows or resolved.eval_window_steps
    blocks = {
        "gossip": ({"consensus": "supermajority"}, ["quorum", "gossip_fanout", "vote_deadline_steps"]),
        "ledger": ({"consensus": "supermajority"}, ["quorum", "vote_deadline_steps"]),
        "central": ({}, ["central_quorum", "vote_deadline_steps"]),
        "none": ({}, []),
    }
    sweeps: list[Sweep] = []
    labels: list[dict[str, Any]] = []
    for sharing, (extra, factors) in blocks.items():
        sweeps.append(
            Sweep(
                {**common, **extra, "sharing": sharing},
                {f: plan[f] for f in factors},
                replicates=replicates or plan["replicates"],
                steps=steps,
                seed=seed,
                keep=["campaigns"],
                name=f"05_frontier_{size}_{sharing}",
            )
        )
        labels.append({"sharing": sharing})
    return StudyDesign(size, sweeps, labels)


def describe(design: StudyDesign) -> str:
    """The design in Markdown: runs, replicates, seeds, the adversary (``base``'s malicious fraction and
    behaviour), the evaluation window, then a line per block with its factors."""
    first, base = design.sweeps[0], design.base
    lines = [
        f"- **{lab['sharing']}**: " + (", ".join(f"`{k}` in {list(v)}" for k, v in s.factors.items()) or "one design")
        for s, lab in zip(design.sweeps, design.labels)
    ]
    return (
        "**Design.** " + f"{design.runs} runs: {first.replicates} replicate(s) per "
        f"design of {first.steps} steps on {base.n_nodes} nodes, seeds spawned from root seed "
        f"{first.seed} (common random numbers across designs); adversary: {base.malicious_fraction:.0%} "
        f"`{base.malicious_behavior}` nodes; evaluation window {base.eval_window_steps} steps.\n\n" + "\n".join(lines)
    )
