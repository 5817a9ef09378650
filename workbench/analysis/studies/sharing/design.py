"""Study 10's design: every sharing design (none, central, ledger, gossip) at one base point of the
realistic world and, one factor at a time, at the other levels of each factor that could flip the
answer "does sharing pay?". Every cell runs the same replicate seeds (common random numbers), so that a
design is compared with ``none`` and with ``central`` replicate by replicate (paired differences).

A block is one factor; its sweep crosses ``sharing`` with the factor's levels other than the base
point's (those runs are the base block's, shared by every panel). A factor whose block needs other base
values (the malicious behaviours, compared at a malicious fraction above zero) runs all its levels.

Besides the four designs, every block (but ``min_flagged``, whose levels set the isolated node's threshold
themselves) runs a reference arm :data:`TUNED`: ``none`` at its best settings (:data:`TUNED_SETTINGS`,
calibrated by ``benchmarks/bench_isolated_tuning.py``), so that sharing is also compared with an isolated
node that is not handicapped by thresholds calibrated for the voting designs.

The ledger runs the idealised protocol (``ledger_protocol="ideal"``, pinned in the base: an ordered log
that cannot fail, docs/ledger-protocols.md); the block ``ledger_protocol`` runs a crash-tolerant
(Raft-like) ledger instead, with ``vote_deadline_steps = 8``, which that protocol needs to outlast its
commit latency (the model refuses a shorter deadline).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from workbench.analysis.studies.common import check_size, join_words
from workbench.analysis.studies.protocol import StudyDesign
from workbench.experiments import Sweep
from workbench.model.params import ModelParams

SHARING = ["none", "central", "ledger", "gossip"]
BASE_BLOCK = "base"

#: The reference arm: ``none`` at its best (min_flagged, proposal_window_steps).
TUNED = "none (tuned)"

#: The isolated node's best settings. Calibration (``PYTHONPATH=. python benchmarks/bench_isolated_tuning.py``:
#: study 10's full base point, 50 nodes x 55 steps, seeds 0-4, means; protection over time / attack flows
#: blocked / benign flows blocked): ``none`` at the defaults (min_flagged 3, window 3) 0.286 / 0.629 / 0.016;
#: min_flagged 2, window 3: 0.397 / 0.751 / 0.021; **min_flagged 2, window 6: 0.405 / 0.759 / 0.024**;
#: min_flagged 2, window 10: 0.403 / 0.760 / 0.031; min_flagged 3, window 10: 0.372 / 0.683 / 0.027;
#: min_flagged 1 (any window): 0.258 / 0.628 / 0.018. The sharing designs at the defaults: central
#: 0.688 / 0.880 / 0.048, ledger 0.555 / 0.834 / 0.014, gossip 0.524 / 0.800 / 0.015. The choice is the best
#: protection over time whose benign flows blocked is within the sharing designs' budget (the largest of
#: theirs, central's 0.048); it blocks more benign flows than ledger and gossip (0.024 against 0.015),
#: which the study reports as its cost.
TUNED_SETTINGS: dict[str, Any] = {"min_flagged": 2, "proposal_window_steps": 6}

#: Blocks without the tuned arm: their factor is the isolated node's own threshold.
TUNED_SKIPS = frozenset({"min_flagged"})


@dataclass(frozen=True)
class Factor:
    """One factor that could flip the answer: the model field it sets, its levels (the base point's value
    among them, unless ``base`` moves the block off the base point), what it stands for, and ``base``:
    fields the block sets besides the study's base (e.g. a malicious fraction for the behaviours)."""

    field: str
    levels: list[Any]
    meaning: str
    base: dict[str, Any] = dataclasses.field(default_factory=dict)


def factors(size: str) -> dict[str, Factor]:
    """The factors by block name, with their levels at ``size`` (``"small"``: two levels each)."""
    small = check_size(size) == "small"

    def lv(short: list[Any], full: list[Any]) -> list[Any]:
        return short if small else full

    return {
        "attacker_prefixes": Factor(
            "attacker_prefixes", lv([1, 4], [1, 2, 4, 8, 16]), "source /16 prefixes an attack campaign spreads over"
        ),
        "prefix_rotation_steps": Factor(
            "prefix_rotation_steps", lv([0, 20], [0, 10, 20, 40]), "steps between attacker prefix rotations (0: never)"
        ),
        "min_flagged": Factor(
            "min_flagged", lv([1, 3], [1, 2, 3, 5]), "flagged flows from one prefix a node needs to propose a rule"
        ),
        "attack_separation": Factor(
            "attack_separation", lv([3.0, 4.5], [3.0, 4.5, 6.0, 9.0]), "detector quality: attack-benign separation"
        ),
        "spread_prob": Factor(
            "spread_prob", lv([0.15, 0.4], [0.05, 0.15, 0.3, 0.6]), "spread speed: per-step chance per neighbour"
        ),
        "n_nodes": Factor("n_nodes", lv([20, 30], [20, 50, 100, 200]), "network size N"),
        "malicious_fraction": Factor(
            "malicious_fraction", lv([0.0, 0.2], [0.0, 0.1, 0.2, 0.3, 0.4]), "share of colluding malicious nodes"
        ),
        # collude at 20% is the malicious_fraction block's 0.2 cell (the same runs): not run twice
        "malicious_behavior": Factor(
            "malicious_behavior",
            lv(["forge"], ["forge", "lie", "betray"]),
            "what malicious nodes do, at 20% of the nodes (collude: malicious_fraction = 0.2)",
            base={"malicious_fraction": 0.2, "betray_after_steps": 15},
        ),
        # a rate (Binomial(flows_per_node, attack_share) attack flows per targeted node-step), so the base point's
        # exactly attack_flows_per_node = 5 of 50 flows is none of its levels: the block runs all of them
        "attack_share": Factor(
            "attack_share",
            lv([0.01, 0.1], [0.001, 0.01, 0.03, 0.1]),
            "attack share: expected share of a targeted node's flows per step that are attack flows",
        ),
        "aggregator": Factor(
            "aggregator",
            ["honest", "down", "compromised"],
            "the central aggregator: honest, down from the second campaign's start, or compromised (forges)",
        ),
        "ledger_protocol": Factor(
            "ledger_protocol",
            lv(["crash_tolerant"], ["ideal", "crash_tolerant"]),
            "the ledger's ordering: idealised log or crash-tolerant leader (at an 8-step vote deadline)",
            base={"vote_deadline_steps": 8},
        ),
    }


# every run: the idealised ledger pinned (not left to a default), and a 'down' aggregator failing when the
# second campaign starts (warmup 5 + 1 + interval 10), so that it fails within every run's windows
PINNED: dict[str, Any] = {"ledger_protocol": "ideal", "aggregator_down_step": 16}

SIZES: dict[str, dict[str, Any]] = {
    # (1 base cell + 13 other levels) x 4 sharing modes x 3 replicates + 13 cells of the tuned arm x 3
    # = 207 runs of 20 nodes; two campaigns with 20-step windows (35 steps a run) keep it about a minute
    "small": {
        "replicates": 3,
        "base": {"n_nodes": 20, "flows_per_node": 50, "n_campaigns": 2, "eval_window_steps": 20, **PINNED},
    },
    # (1 base cell + 34 other levels) x 4 sharing modes + 32 cells of the tuned arm, x 20 replicates
    # = 3,440 runs of 50 nodes
    "full": {"replicates": 20, "base": {"n_nodes": 50, "flows_per_node": 50, **PINNED}},
}


def steps_covering(params: ModelParams) -> int:
    """The fewest steps in which every campaign's evaluation window is complete: the last campaign starts
    at step ``warmup_steps + 1 + (n_campaigns - 1) * campaign_interval_steps`` and its window holds
    ``eval_window_steps`` steps from there."""
    last_start = params.warmup_steps + 1 + max(0, params.n_campaigns - 1) * params.campaign_interval_steps
    return last_start + params.eval_window_steps - 1


def design(
    size: str = "small",
    seed: int = 0,
    base: dict[str, Any] | None = None,
    replicates: int | None = None,
    only: list[str] | None = None,
) -> StudyDesign:
    """The base block (every sharing mode at the base point) and one block per factor (``only``: a subset
    of :func:`factors`' names), each run for :func:`steps_covering` steps so that every window is complete.

    ``base`` overrides model parameters of every run. Labels: ``{"block": name, "factor": field}``.
    """
    plan = SIZES[check_size(size)]
    table = factors(size)
    unknown = sorted(set(only or []) - set(table))
    if unknown:
        raise ValueError(f"only={unknown} names no factor; choose among {sorted(table)}")
    common = {**plan["base"], **(base or {})}
    reps = replicates or plan["replicates"]
    root = ModelParams.from_dict(common).to_dict()

    def sweep(name: str, params: dict[str, Any], crossed: dict[str, list[Any]], arm: str | None = None) -> Sweep:
        steps = max(
            steps_covering(ModelParams.from_dict({**params, **dict(zip(crossed, lv))})) for lv in _corners(crossed)
        )
        if arm is None:
            return Sweep(
                params,
                {"sharing": SHARING, **crossed},
                replicates=reps,
                steps=steps,
                seed=seed,
                keep=["steps", "campaigns"],
                name=f"10_sharing_{size}_{name}",
            )
        return Sweep(
            {**params, **TUNED_SETTINGS, "sharing": "none"},
            dict(crossed),
            replicates=reps,
            steps=steps,
            seed=seed,
            keep=["steps", "campaigns"],
            name=f"10_sharing_{size}_{name}_tuned",
        )

    sweeps = [sweep(BASE_BLOCK, common, {}), sweep(BASE_BLOCK, common, {}, TUNED)]
    labels: list[dict[str, Any]] = [
        {"block": BASE_BLOCK, "factor": BASE_BLOCK},
        {"block": BASE_BLOCK, "factor": BASE_BLOCK, "arm": TUNED},
    ]
    for name, factor in table.items():
        if only is not None and name not in only:
            continue
        params = {**common, **factor.base}
        levels = [v for v in factor.levels if not (not factor.base and v == root[factor.field])]
        if not levels:
            continue
        sweeps.append(sweep(name, params, {factor.field: levels}))
        labels.append({"block": name, "factor": factor.field})
        if name not in TUNED_SKIPS:
            sweeps.append(sweep(name, params, {factor.field: levels}, TUNED))
            labels.append({"block": name, "factor": factor.field, "arm": TUNED})
    return StudyDesign(size, sweeps, labels)


def arm_of(label: dict[str, Any]) -> str | None:
    """The reference arm a sweep label runs (:data:`TUNED`), ``None`` for the four designs' sweep."""
    return label.get("arm")


def factor_labels(design: StudyDesign) -> list[dict[str, Any]]:
    """The labels of the factor blocks' main sweeps (not the base block's, not the tuned arm's), in order."""
    return [lab for lab in design.labels if lab["block"] != BASE_BLOCK and arm_of(lab) is None]


def _corners(crossed: dict[str, list[Any]]) -> list[tuple[Any, ...]]:
    """Every level of the (single) crossed factor, or one empty point."""
    if not crossed:
        return [()]
    ((_, levels),) = crossed.items()
    return [(v,) for v in levels]


def base_level(design: StudyDesign, block: str) -> Any | None:
    """The value of ``block``'s factor at the base point when the block shares the base block's runs
    (its sweep's base equals the base block's), else ``None``."""
    labels = {lab["block"]: (s, lab) for s, lab in zip(design.sweeps, design.labels) if arm_of(lab) is None}
    base_sweep = labels[BASE_BLOCK][0]
    sweep, label = labels[block]
    if sweep.base.to_dict() != base_sweep.base.to_dict():
        return None
    return base_sweep.base.to_dict()[label["factor"]]


def describe(design: StudyDesign) -> str:
    """The design in Markdown: runs, replicates, seeds, the base point, then a line per factor block."""
    table = factors(design.size)
    first, base = design.sweeps[0], design.base
    lines = []
    main = {lab["block"]: s for s, lab in zip(design.sweeps, design.labels) if arm_of(lab) is None}
    for label in factor_labels(design):
        sweep = main[label["block"]]
        factor = table[label["block"]]
        at = base_level(design, label["block"])
        levels = list(sweep.factors[factor.field])
        shown = sorted([*levels, at], key=_order) if at is not None else levels
        extra = f" (block at {join_words(f'`{k}` = {v}' for k, v in factor.base.items())})" if factor.base else ""
        if at is None and not factor.base:  # the base point's value is none of the levels (attack_share: None)
            extra = f" (every level run: the base point has `{factor.field}` = {sweep.base.to_dict()[factor.field]})"
        lines.append(f"- **{factor.meaning}** (`{factor.field}`): {shown}{extra}")
    return (
        f"**Design.** {design.runs} runs: sharing in {SHARING}, {first.replicates} replicate(s) per cell, "
        f"seeds spawned from root seed {first.seed} (replicate r has the same seed in every cell: common random "
        f"numbers, so designs are compared pairwise: the pairing is by seed, not identical traffic, since one "
        f"Generator draws traffic and sharing alike). A reference arm `{TUNED}` (`none` at min_flagged = "
        f"{TUNED_SETTINGS['min_flagged']}, proposal_window_steps = {TUNED_SETTINGS['proposal_window_steps']}, "
        f"its best settings) runs in every block but {join_words(sorted(TUNED_SKIPS))}. Base point: {base.n_nodes} nodes, {base.flows_per_node} "
        f"flows per node-step, the idealised ledger (`ledger_protocol` = `{base.ledger_protocol}`, an ordered log that "
        f"cannot fail: docs/ledger-protocols.md), a 'down' aggregator failing at step "
        f"{base.aggregator_down_step}, the realistic world's defaults otherwise; {base.n_campaigns} campaigns, each "
        f"measured over a complete {base.eval_window_steps}-step window ({first.steps} steps per run). One factor "
        f"at a time is moved off the base point:\n\n" + "\n".join(lines)
    )


def _order(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, (int, float)) else (1, str(value))
