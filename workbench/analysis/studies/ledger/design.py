"""Study 12's design: five sharing designs (the ideal, crash-tolerant and Byzantine-tolerant ledgers, the
central aggregator and gossip) under the failures an ordering protocol exists for: an equivocating leader,
a censoring leader, a leader crash, and Sybil identities. Every cell runs the same replicate seeds (common
random numbers), so that each design is compared with the ideal ledger replicate by replicate.

A block is one (scenario, design) pair; its sweep runs the scenario's levels of its axis
(:func:`scenario_levels`): for the malicious scenarios ``malicious_fraction`` just below and just above N/3 in
whole nodes (the BFT ledger's fault bound ``f = floor((N - 1) / 3)``: ``f / N`` and ``(f + 1) / N``), for the
leader crash none (0), for churn the leave rates :data:`CHURN_LEAVE_RATES` at the join rate
:data:`CHURN_JOIN_RATE` (``workbench.model.churn``). Every block runs for :func:`steps_covering` steps, so that
every campaign's evaluation window is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.analysis.studies.common import check_size, join_words
from workbench.analysis.studies.protocol import StudyDesign
from workbench.experiments import Sweep
from workbench.model.ledger_protocols.bft import fault_bound
from workbench.model.params import ModelParams

REFERENCE = "ideal"

# design label -> the fields that make it
DESIGNS: dict[str, dict[str, Any]] = {
    "ideal": {"sharing": "ledger", "ledger_protocol": "ideal"},
    "crash_tolerant": {"sharing": "ledger", "ledger_protocol": "crash_tolerant"},
    "bft": {"sharing": "ledger", "ledger_protocol": "bft"},
    "central": {"sharing": "central", "ledger_protocol": "ideal"},
    "gossip": {"sharing": "gossip", "ledger_protocol": "ideal"},
}
LEDGERS = ["ideal", "crash_tolerant", "bft"]
# the fields a block's labels carry (so that each run's design, and what is zero by definition in it, is known
# from its row: :func:`workbench.analysis.structural.group_structural_value`)
LABEL_FIELDS = ("sharing", "ledger_protocol", "malicious_behavior", "sybil_identities", "aggregator")


@dataclass(frozen=True)
class Scenario:
    """One failure: what it stands for, the fields it sets (``crash``: the leader crash, set from the size's
    crash step) and whether it is run at malicious fractions around N/3 (``malicious``) or with none."""

    meaning: str
    fields: dict[str, Any]
    malicious: bool = True
    crash: bool = False
    #: the field the scenario's levels set (``malicious_fraction`` unless it sweeps another) and those levels
    #: (``None``: the malicious fractions around N/3, or none malicious)
    axis: str = "malicious_fraction"
    levels: tuple[float, ...] | None = None
    #: how a level reads in prose (``None``: as malicious nodes); ``{level:g}`` is the level
    level_text: str | None = None


# churn: a new node takes an empty position with probability CHURN_JOIN_RATE per step; present nodes leave at
# each of CHURN_LEAVE_RATES (the present share tends to j / (j + l): 0.83 and 0.5; docs/churn.md)
CHURN_JOIN_RATE = 0.1
CHURN_LEAVE_RATES = (0.02, 0.1)

SCENARIOS: dict[str, Scenario] = {
    "equivocate": Scenario(
        "an equivocating leader (different blocks to the two halves of the honest replicas)",
        {"malicious_behavior": "equivocate"},
    ),
    "censor": Scenario(
        "a censoring leader (only malicious nodes' entries in its blocks; withheld votes as a replica)",
        {"malicious_behavior": "censor"},
    ),
    "leader_crash": Scenario(
        "the leader of the moment crashes (the central aggregator goes down at the same step)", {}, False, True
    ),
    "sybil": Scenario(
        "colluding nodes with Sybil identities (each malicious node votes under 3 identities, no admission control)",
        {"malicious_behavior": "collude", "sybil_identities": 2, "admission_control": "none"},
    ),
    "churn": Scenario(
        f"churn with no malicious node: new nodes take empty positions at {CHURN_JOIN_RATE:g} per step and catch up "
        f"from their channel, present nodes leave at {' or '.join(f'{r:g}' for r in CHURN_LEAVE_RATES)} per step",
        {"churn_join_rate": CHURN_JOIN_RATE},
        malicious=False,
        axis="churn_leave_rate",
        levels=CHURN_LEAVE_RATES,
        level_text=f"nodes leaving at {{level:g}} per step (joining at {CHURN_JOIN_RATE:g})",
    ),
}

SIZES: dict[str, dict[str, Any]] = {
    # 5 designs x (3 malicious scenarios x 2 fractions + 1 crash + 2 churn levels) x 3 replicates = 135 runs of 10
    # nodes and 20 steps (one campaign, a 15-step window): about 17 s on one core (load 4)
    "small": {
        "replicates": 3,
        "base": {"n_nodes": 10, "flows_per_node": 30, "n_campaigns": 1, "eval_window_steps": 15},
    },
    # 5 designs x 9 cells x 20 replicates = 900 runs of 31 nodes (f = 10) and 50 steps (three campaigns)
    "full": {"replicates": 20, "base": {"n_nodes": 31, "flows_per_node": 50, "eval_window_steps": 25}},
}
# every design: ordered protocols need vote_deadline_steps >= 8 at ledger_latency_steps = 1
# (docs/ledger-protocols.md, Deadlines); the others run with the same deadline, so that only the channel differs
COMMON: dict[str, Any] = {"vote_deadline_steps": 8, "ledger_latency_steps": 1}


def fractions_around_bound(n_nodes: int) -> list[float]:
    """``[f / N, (f + 1) / N]`` with ``f = floor((N - 1) / 3)``: the most faulty replicas the BFT ledger
    tolerates and one more, in whole nodes (``ModelParams.n_malicious`` rounds ``fraction * N``)."""
    f = fault_bound(n_nodes)
    return [f / n_nodes, (f + 1) / n_nodes]


def scenario_levels(scenario: str, n_nodes: int) -> dict[str, list[float]]:
    """The sweep axis of a scenario's blocks: its field and levels (module docstring)."""
    sc = SCENARIOS[scenario]
    if sc.levels is not None:
        return {sc.axis: list(sc.levels)}
    return {sc.axis: fractions_around_bound(n_nodes) if sc.malicious else [0.0]}


def crash_step(params: ModelParams) -> int:
    """The step the leader crashes at: the step after the first campaign starts (``warmup_steps + 2``), so
    that the crash falls inside the first evaluation window."""
    return params.warmup_steps + 2


def steps_covering(params: ModelParams) -> int:
    """The fewest steps in which every campaign's evaluation window is complete
    (``ModelParams.steps_covering_windows``; ``eval_window_steps`` without campaigns)."""
    return params.steps_covering_windows or params.eval_window_steps


def block_fields(scenario: str, design_name: str, base: ModelParams) -> dict[str, Any]:
    """The fields a (scenario, design) block sets besides the study's base."""
    sc = SCENARIOS[scenario]
    fields = {**DESIGNS[design_name], **sc.fields}
    if sc.crash:
        fields["leader_crash_step"] = crash_step(base)
        if DESIGNS[design_name]["sharing"] == "central":
            fields |= {"aggregator": "down", "aggregator_down_step": crash_step(base)}
    return fields


def design(
    size: str = "small",
    seed: int = 0,
    base: dict[str, Any] | None = None,
    replicates: int | None = None,
    scenarios: list[str] | None = None,
) -> StudyDesign:
    """One sweep per (scenario, design), each crossing ``malicious_fraction`` with the scenario's levels.

    ``base`` overrides model parameters of every run; ``scenarios`` a subset of :data:`SCENARIOS`. Labels:
    ``{"block", "scenario", "design"}`` and the fields of :data:`LABEL_FIELDS` (the run's design).
    """
    plan = SIZES[check_size(size)]
    unknown = sorted(set(scenarios or []) - set(SCENARIOS))
    if unknown:
        raise ValueError(f"scenarios={unknown} names no scenario; choose among {sorted(SCENARIOS)}")
    common = {**plan["base"], **COMMON, **(base or {})}
    root = ModelParams.from_dict(common)
    reps = replicates or plan["replicates"]
    sweeps: list[Sweep] = []
    labels: list[dict[str, Any]] = []
    for scenario in SCENARIOS:
        if scenarios is not None and scenario not in scenarios:
            continue
        for name in DESIGNS:
            params = {**common, **block_fields(scenario, name, root)}
            run_params = ModelParams.from_dict(params)
            sweeps.append(
                Sweep(
                    params,
                    scenario_levels(scenario, root.n_nodes),
                    replicates=reps,
                    steps=steps_covering(run_params),
                    seed=seed,
                    keep=["steps", "campaigns"],
                    name=f"12_ledger_{size}_{scenario}_{name}",
                    allow_partial_windows=False,
                )
            )
            as_run = run_params.to_dict()
            labels.append(
                {"block": f"{scenario}/{name}", "scenario": scenario, "design": name}
                | {k: as_run[k] for k in LABEL_FIELDS}
            )
    return StudyDesign(size, sweeps, labels)


def describe(design: StudyDesign) -> str:
    """The design in Markdown: runs, replicates, seeds, network, fractions, then a line per scenario."""
    first, base = design.sweeps[0], design.base
    fractions = fractions_around_bound(base.n_nodes)
    f = fault_bound(base.n_nodes)
    scenarios = list(dict.fromkeys(lab["scenario"] for lab in design.labels))
    lines = [f"- **{s}**: {SCENARIOS[s].meaning}" for s in scenarios]
    return (
        f"**Design.** {design.runs} runs: {join_words(f'`{d}`' for d in DESIGNS)} under {len(scenarios)} "
        f"scenarios, {first.replicates} replicate(s) per cell, seeds spawned from root seed {first.seed} (replicate "
        f"r has the same seed in every cell: common random numbers, so every design is compared with the ideal "
        f"ledger pairwise). {base.n_nodes} nodes, {base.flows_per_node} flows per node-step, the realistic world's "
        f"defaults otherwise; `vote_deadline_steps` = {base.vote_deadline_steps} and `ledger_latency_steps` = "
        f"{base.ledger_latency_steps} for every design; {base.n_campaigns} campaign(s), each measured over a "
        f"complete {base.eval_window_steps}-step window ({first.steps} steps per run). The malicious scenarios run "
        f"at {fractions[0]:.3g} ({f} nodes, the BFT ledger's fault bound f = floor((N - 1) / 3)) and {fractions[1]:.3g} "
        f"({f + 1} nodes, above N/3) of the nodes malicious; the leader crash at step {crash_step(base)} "
        f"and churn with no malicious node:\n\n" + "\n".join(lines)
    )
