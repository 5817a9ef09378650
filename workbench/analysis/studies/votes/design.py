"""Study 06's design: evidence voters (z-score at two thresholds, isolation forest) and a control of
independent voters, crossed with the topology, every node holding every signature."""

from __future__ import annotations

from typing import Any

from workbench.analysis.studies.common import check_size, design_text
from workbench.analysis.studies.protocol import StudyDesign
from workbench.experiments import Sweep

SIZES: dict[str, dict[str, Any]] = {
    # 2 topologies x (zscore at 2 thresholds + iforest + independent control) x 4 replicates = 32 runs
    "small": {
        "topology": ["complete", "scale_free"],
        "zscore_threshold": [4.0, 6.0],
        "replicates": 4,
        "steps": 30,
        "base": {"n_nodes": 20, "flows_per_node": 20},
    },
    # 3 topologies x 4 voter kinds x 30 replicates = 360 runs
    "full": {
        "topology": ["complete", "small_world", "scale_free"],
        "zscore_threshold": [4.0, 6.0],
        "replicates": 30,
        "steps": 40,
        "base": {"n_nodes": 30, "flows_per_node": 20},
    },
}
# every node holds every signature (ledger) and campaigns come often, so that many signatures get many votes;
# the study reads votes, not protection, so each campaign is measured until the next one starts (4 steps): the
# last window (from step 26) ends at step 29, inside both sizes' runs (a window changes no vote, only what a
# run's summary covers)
STUDY_BASE = {
    "sharing": "ledger",
    "consensus": "majority",
    "n_campaigns": 6,
    "campaign_interval_steps": 4,
    "eval_window_steps": 4,
    "malicious_fraction": 0.0,
}
CONTROL_ACCURACY = 0.7  # independent voters: the control in which the binomial must hold


def design(
    size: str = "small", seed: int = 0, base: dict[str, Any] | None = None, replicates: int | None = None
) -> StudyDesign:
    """Three blocks crossed with ``topology``: z-score evidence voters at each threshold, isolation-forest
    evidence voters, and independent voters with accuracy :data:`CONTROL_ACCURACY` (the control)."""
    plan = SIZES[check_size(size)]
    common = {**plan["base"], **STUDY_BASE, **(base or {})}
    reps = replicates or plan["replicates"]
    spec: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        (
            "zscore",
            {"detector": "zscore", "validation": "evidence"},
            {"topology": plan["topology"], "zscore_threshold": plan["zscore_threshold"]},
        ),
        ("iforest", {"detector": "iforest", "validation": "evidence"}, {"topology": plan["topology"]}),
        (
            "independent",
            {"validation": "independent", "validator_accuracy": CONTROL_ACCURACY},
            {"topology": plan["topology"]},
        ),
    ]
    sweeps: list[Sweep] = []
    labels: list[dict[str, Any]] = []
    for name, extra, factors in spec:
        sweeps.append(
            Sweep(
                {**common, **extra},
                factors,
                replicates=reps,
                steps=plan["steps"],
                seed=seed,
                keep=["votes"],
                name=f"06_votes_{size}_{name}",
            )
        )
        labels.append({"block": name})
    return StudyDesign(size, sweeps, labels)


def describe(design: StudyDesign) -> str:
    """The design in one Markdown paragraph: blocks, factors, replicates, seeds, what is held fixed."""
    return (
        "**Design.** "
        + design_text(design.sweeps, [lab["block"] for lab in design.labels])
        + f" Fixed: {STUDY_BASE}, {design.base.n_nodes} nodes."
    )
