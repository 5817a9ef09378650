"""Study 12's analysis: what each design gives up against the ideal ledger under each failure. Paired
differences ``design - ideal`` on the primary outcomes per (scenario, malicious fraction), with Student-t 95%
intervals over the replicates' differences (every cell runs the same replicate seeds;
:func:`workbench.analysis.paired.paired_difference`).

A value fixed by the design (the ideal ledger's ``conflicting_entries``, forged harm where no behaviour forges)
is not an estimate: it is reported by definition, without interval (:mod:`workbench.analysis.structural`,
from what the outcomes declare), and a difference of two such values is one too. The ledger outcomes are
undefined (NaN) for the central aggregator and gossip, which keep no log: their differences are ``"not
defined"``. A measured value that is the same in every run of a cell (the BFT ledger's 0 conflicting entries at
the fault bound) is marked ``constant``: its t interval has width zero and says nothing, so it is reported as
"0 in all 20 runs" instead (:func:`level_table`).

Some answers are decided by how the runs are set up rather than measured, and :func:`run_counts` and
:func:`quorum_presence` say so: a fork happens only in the runs whose leader is an equivocating node (a mean
over the replicates mixes them with runs without a fork); a ledger that commits nothing in a run
(``signatures_confirmed == 0``) has a longest entry wait equal to the run's length after warm-up (entries still
waiting at the end count with their wait so far), not a wait; under churn the ordered ledgers' replica set stays
the ``N`` positions, so a block needs a quorum of them present, which the churn law gives
(``docs/churn.md``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _stats

from workbench.analysis.paired import paired_difference
from workbench.analysis.stats import mean_ci
from workbench.analysis.structural import group_structural_value
from workbench.analysis.studies.ledger.design import DESIGNS, REFERENCE, SCENARIOS, steps_covering
from workbench.analysis.studies.protocol import StudyDesign
from workbench.model.churn import present_probability
from workbench.model.ledger_protocols import bft as _bft
from workbench.model.ledger_protocols import crash_tolerant as _crash_tolerant
from workbench.model.outcomes import MAXIMIZE
from workbench.model.outcomes.catalog import outcome as declared_outcome
from workbench.model.params import ModelParams

_PARAM_FIELDS = {f.name for f in dataclasses.fields(ModelParams) if f.init}


@dataclass(frozen=True)
class Primary:
    """A primary outcome: its summary column, a short label, its unit, whether more is better and whether it
    is defined for ledgers only."""

    column: str
    label: str
    unit: str
    higher_is_better: bool
    ledger_only: bool = False


def _primary(column: str, label: str, unit: str, ledger_only: bool = False) -> Primary:
    return Primary(column, label, unit, declared_outcome(column).direction == MAXIMIZE, ledger_only)


PRIMARY: list[Primary] = [
    _primary("protected_time_frac_mean", "protection over time", "share of honest nodes"),
    _primary("attack_blocked_frac", "attack flows blocked", "share"),
    _primary("forged_benign_blocked_frac", "forged harm (benign blocked by forgeries)", "share"),
    _primary("benign_blocked_frac", "benign flows blocked", "share"),
    _primary("messages_per_node_step", "messages", "per node per step"),
    _primary("bytes_per_node_step", "bytes", "per node per step"),
    _primary("conflicting_entries", "conflicting log entries", "log positions", ledger_only=True),
    _primary("entry_commit_delay_max_steps", "longest entry wait", "steps", ledger_only=True),
]
KEYS = ["scenario", "level", "design"]


def cells_frame(results: pd.DataFrame) -> pd.DataFrame:
    """The runs that finished (``status == "ok"``), with ``level`` (the value of the scenario's axis: the malicious
    fraction, or what :attr:`~workbench.analysis.studies.ledger.design.Scenario.axis` names) and ``replicate``."""
    ok = results[results["status"] == "ok"] if "status" in results.columns else results
    axis = ok["scenario"].map(lambda s: SCENARIOS[s].axis if s in SCENARIOS else "malicious_fraction")
    level = pd.Series(np.nan, index=ok.index)
    for field in axis.unique():
        mine = axis == field
        level[mine] = pd.to_numeric(ok.loc[mine, field])
    return ok.assign(level=level.round(6)).reset_index(drop=True)


def structural_of(group: pd.DataFrame, outcome: str, base: Mapping[str, Any] | None) -> float | None:
    """The value ``outcome`` takes by definition in every run of ``group`` (one cell), or ``None``."""
    return group_structural_value(group, outcome, base)


def level_table(
    cells: pd.DataFrame, outcomes: Sequence[Primary], base: Mapping[str, Any] | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """Mean and t interval over replicates per (scenario, level, design, outcome). ``structural``: the value
    by definition (then ``mean`` is it and there is no interval), NaN for an estimate; ``defined``: whether any
    run measured the outcome (the ledger outcomes are NaN without a ledger); ``constant``: an estimate that
    took the same value in every one of its ``n >= 2`` runs (its t interval has width zero: prose reports it as
    "0 in all 20 runs", not as an interval)."""
    rows = []
    for (scenario, level, design), group in cells.groupby(KEYS, sort=False):
        for o in outcomes:
            values = pd.to_numeric(group[o.column], errors="coerce").to_numpy(dtype=float)
            fixed = structural_of(group, o.column, base)
            if fixed is not None:
                mean, low, high = float(fixed), np.nan, np.nan
            else:
                mean, low, high = mean_ci(values, confidence)
            finite = values[np.isfinite(values)]
            constant = fixed is None and finite.size >= 2 and bool(np.all(finite == finite[0]))
            rows.append(
                dict(scenario=scenario, level=level, design=design, outcome=o.column)
                | dict(n=int(finite.size), mean=mean, ci_low=low, ci_high=high)
                | dict(structural=np.nan if fixed is None else float(fixed), defined=bool(finite.size))
                | dict(constant=constant)
            )
    return pd.DataFrame(rows, columns=LEVEL_COLUMNS)


LEVEL_COLUMNS = [
    "scenario",
    "level",
    "design",
    "outcome",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "structural",
    "defined",
    "constant",
]


def run_counts(cells: pd.DataFrame, scenario: str, level: float, design: str) -> dict[str, Any]:
    """In one cell of one design: ``runs``; ``forked``, the runs with a conflicting log entry (an equivocating
    node led) and ``forked_mean`` their mean conflicting entries (NaN without one); ``stalled``, the runs in
    which the ledger confirmed no signature (its longest entry wait is then the run's length after warm-up).
    Counts of a column the frame lacks are 0."""
    mine = cells[(cells["scenario"] == scenario) & (cells["level"] == level) & (cells["design"] == design)]

    def count(column: str, test: Any) -> int:
        if column not in mine.columns:
            return 0
        values = pd.to_numeric(mine[column], errors="coerce")
        return int(test(values[values.notna()]).sum())

    conflicts = pd.to_numeric(mine.get("conflicting_entries", pd.Series(dtype=float)), errors="coerce")
    forks = conflicts[conflicts > 0]
    return dict(
        runs=len(mine),
        forked=count("conflicting_entries", lambda v: v > 0),
        forked_mean=float(forks.mean()) if len(forks) else float("nan"),
        stalled=count("signatures_confirmed", lambda v: v == 0),
    )


def ordered_quorums(n_nodes: int) -> dict[str, int]:
    """Replicas of the ``N`` positions a block needs: the crash-tolerant ledger's majority ``floor(N / 2) + 1``
    and the BFT ledger's quorum ``ceil((N + f + 1) / 2)`` (``docs/ledger-protocols.md``)."""
    return {"crash_tolerant": _crash_tolerant.majority(n_nodes), "bft": _bft.quorum(n_nodes)}


def quorum_presence(n_nodes: int, leave: float, join: float, first_step: int, last_step: int) -> dict[str, float]:
    """Per ordered ledger, the expected share of steps ``first_step..last_step`` at which at least its quorum
    (:func:`ordered_quorums`) of the ``N`` positions is occupied, under churn's exact law ``K_t ~ Binomial(N, p_t)``
    (:func:`workbench.model.churn.present_probability`). A departed replica counts as crashed and the replica set
    does not change, so this is an upper bound on the share of steps at which a block can commit (the leader
    must be present too, and a block takes several steps)."""
    t = np.arange(first_step, last_step + 1)
    p = present_probability(t, leave, join)
    return {name: float(np.mean(_stats.binom.sf(q - 1, n_nodes, p))) for name, q in ordered_quorums(n_nodes).items()}


def paired_differences(
    levels: pd.DataFrame,
    cells: pd.DataFrame,
    outcomes: Sequence[Primary],
    reference: str = REFERENCE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """``design - reference`` per (scenario, level, outcome), paired on ``replicate``.

    ``status``: ``"estimate"``; ``"by definition"`` when both arms' values are structural (``diff`` their
    difference, no interval, never significant); ``"not defined"`` when the design never measures the outcome
    (a ledger outcome of central or gossip); ``"no pairs"`` when no replicate has both values. ``verdict``:
    ``"better"`` / ``"worse"`` (by the outcome's direction) when the interval excludes zero, else ``"no
    difference shown"`` (or the status)."""
    fixed = levels.set_index(["scenario", "level", "design", "outcome"])
    rows = []
    for (scenario, level), cell in cells.groupby(["scenario", "level"], sort=False):
        ref = cell[cell["design"] == reference].set_index("replicate")
        for design, arm in cell[cell["design"] != reference].groupby("design", sort=False):
            arm = arm.set_index("replicate")
            common = arm.index.intersection(ref.index)
            for o in outcomes:
                row = dict(scenario=scenario, level=level, design=design, reference=reference, outcome=o.column)
                mine = fixed.loc[(scenario, level, design, o.column)]
                theirs = fixed.loc[(scenario, level, reference, o.column)]
                if not mine["defined"]:
                    rows.append(row | _fixed_row("not defined", np.nan, 0))
                elif np.isfinite(mine["structural"]) and np.isfinite(theirs["structural"]):
                    diff = float(mine["structural"] - theirs["structural"])
                    rows.append(row | _fixed_row("by definition", diff, len(common)))
                else:
                    pair = paired_difference(arm[o.column], ref[o.column], confidence)  # paired on replicate
                    if not pair.n:
                        rows.append(row | _fixed_row("no pairs", np.nan, 0))
                        continue
                    significant = pair.excludes_zero
                    better = (pair.diff > 0) == o.higher_is_better
                    verdict = ("better" if better else "worse") if significant else "no difference shown"
                    rows.append(
                        row
                        | dict(n_pairs=pair.n, diff=pair.diff, ci_low=pair.ci_low, ci_high=pair.ci_high)
                        | dict(status="estimate", significant=significant, verdict=verdict)
                    )
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def _fixed_row(status: str, diff: float, n: int) -> dict[str, Any]:
    return dict(n_pairs=n, diff=diff, ci_low=np.nan, ci_high=np.nan, status=status, significant=False, verdict=status)


DIFF_COLUMNS = [
    "scenario",
    "level",
    "design",
    "reference",
    "outcome",
    "n_pairs",
    "diff",
    "ci_low",
    "ci_high",
    "status",
    "significant",
    "verdict",
]


@dataclass(frozen=True)
class LedgerFindings:
    """What study 12 found: the runs (one row each), every design's value per cell (:func:`level_table`),
    the paired differences against the ideal ledger (:func:`paired_differences`), the primary outcomes, the
    scenarios and designs in order, the network size and the fault bound; ``steps`` and ``warmup_steps``: a
    run's length and warm-up (an entry still waiting at the end has waited at most ``steps - warmup_steps - 1``
    steps; 0: unknown)."""

    cells: pd.DataFrame
    levels: pd.DataFrame
    vs_ideal: pd.DataFrame
    outcomes: list[Primary]
    scenarios: list[str]
    designs: list[str]
    n_nodes: int
    fault_bound: int
    steps: int = 0
    warmup_steps: int = 0


def analyse(
    design: StudyDesign, results: pd.DataFrame, outcomes: Sequence[Primary] | None = None, confidence: float = 0.95
) -> LedgerFindings:
    """Cells, per-cell values and paired differences of ``results`` (``design.run(...)``)."""
    from workbench.model.ledger_protocols.bft import fault_bound

    return findings_of(
        results, design.base.to_dict(), list(outcomes or PRIMARY), fault_bound(design.base.n_nodes), confidence
    )


def findings_of(
    results: pd.DataFrame,
    base: Mapping[str, Any] | None,
    outcomes: Sequence[Primary],
    fault_bound: int,
    confidence: float = 0.95,
) -> LedgerFindings:
    """:func:`analyse` from a results frame and the study's base parameters (``base``: a dict of fields)."""
    cells = cells_frame(results)
    levels = level_table(cells, outcomes, base, confidence)
    present = set(cells["design"])
    n_nodes = int((base or {}).get("n_nodes", 0))
    params = ModelParams.from_dict({k: v for k, v in (base or {}).items() if k in _PARAM_FIELDS})
    return LedgerFindings(
        cells=cells,
        levels=levels,
        vs_ideal=paired_differences(levels, cells, outcomes, confidence=confidence),
        outcomes=list(outcomes),
        scenarios=list(dict.fromkeys(cells["scenario"])),
        designs=[d for d in DESIGNS if d in present],
        n_nodes=n_nodes,
        fault_bound=fault_bound,
        steps=steps_covering(params),
        warmup_steps=params.warmup_steps,
    )
