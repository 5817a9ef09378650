"""Study 10's analysis: does sharing pay, and where? Paired differences of every design against ``none``
and against ``central`` on the primary outcomes, per level of every factor that could flip the answer.

Every cell (block, level, sharing mode) runs the same replicate seeds, so the difference of two designs
is taken replicate by replicate (same seed, same traffic and campaigns up to what the designs change) and
its 95% interval is a Student-t interval over the replicates' differences. A difference is *significant*
when its interval excludes zero; the outcome's direction says whether it is then better or worse.

A value that is zero by definition is not an estimate (:data:`STRUCTURAL`): the messages of ``none``
(an isolated node sends nothing), forged harm where there is no malicious node. Such a value is
reported as a structural zero, without interval; a difference of two structural zeros is one too, and is
never counted as a difference or as a design being better.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis.protection_time import PROTECTED_TIME, with_protected_time
from workbench.analysis.stats import mean_ci
from workbench.analysis.studies.protocol import StudyDesign
from workbench.analysis.studies.sharing.design import BASE_BLOCK, SHARING, base_level
from workbench.model.outcomes import MAXIMIZE
from workbench.model.outcomes.catalog import outcome as declared_outcome


@dataclass(frozen=True)
class Primary:
    """A primary outcome: its summary column, a short label, its unit and whether more is better."""

    column: str
    label: str
    unit: str
    higher_is_better: bool


def primary_outcomes(columns: Sequence[str]) -> list[Primary]:
    """The study's primary outcomes, in the order the figure shows them. Forged harm is
    ``forged_benign_blocked_frac`` (benign flows blocked by forged rules over benign flows at honest
    nodes) where the model reports it, else ``forged_reach_frac`` (forged rules that reached an honest
    blocklist, over forged rules)."""
    harm = "forged_benign_blocked_frac" if "forged_benign_blocked_frac" in columns else "forged_reach_frac"
    harm_label = "forged harm (benign blocked by forgeries)" if harm.startswith("forged_benign") else "forged reach"
    return [
        Primary(PROTECTED_TIME, "protection over time", "share of honest nodes", higher_is_better(PROTECTED_TIME)),
        Primary("attack_blocked_frac", "attack flows blocked", "share", higher_is_better("attack_blocked_frac")),
        Primary(harm, harm_label, "share", higher_is_better(harm)),
        Primary("benign_blocked_frac", "benign flows blocked", "share", higher_is_better("benign_blocked_frac")),
        Primary("messages_per_node_step", "messages", "per node per step", higher_is_better("messages_per_node_step")),
    ]


def higher_is_better(name: str) -> bool:
    """The declared outcome's direction (:mod:`workbench.model.outcomes`). Protection over time, computed
    from kept frames where the model does not declare it, is better higher, as the window-end protection."""
    try:
        declared = declared_outcome(name)
    except KeyError:
        if name != PROTECTED_TIME:
            raise
        declared = declared_outcome("protected_frac_mean")
    return bool(declared.direction == MAXIMIZE)


def _no_messages(runs: pd.DataFrame) -> np.ndarray:
    return (runs["sharing"] == "none").to_numpy(dtype=bool)


def _no_malice(runs: pd.DataFrame) -> np.ndarray:
    return (pd.to_numeric(runs["malicious_fraction"]) == 0.0).to_numpy(dtype=bool)


# outcome column -> rule on runs (one row each): True where the outcome is zero (or undefined) by definition
STRUCTURAL: dict[str, Callable[[pd.DataFrame], np.ndarray]] = {
    "messages_per_node_step": _no_messages,
    "forged_benign_blocked_frac": _no_malice,
    "forged_reach_frac": _no_malice,
}


def structural_mask(cells: pd.DataFrame, outcome: str) -> np.ndarray:
    """True for the rows of ``cells`` whose ``outcome`` is a structural zero (:data:`STRUCTURAL`)."""
    rule = STRUCTURAL.get(outcome)
    if rule is None or len(cells) == 0:
        return np.zeros(len(cells), dtype=bool)
    return np.asarray(rule(cells), dtype=bool)


# parameters the structural rules read, filled in from a block's base where it does not vary them
PARAM_COLUMNS = ("malicious_fraction",)


def with_base_values(runs: pd.DataFrame, base: dict[str, object], columns: Sequence[str]) -> pd.DataFrame:
    """``runs`` with each of ``columns`` present: a block that does not vary a parameter has no column for it
    (or NaN where blocks were stacked), so its value is the block's ``base`` value."""
    filled = {c: runs[c].where(runs[c].notna(), base[c]) if c in runs.columns else base[c] for c in columns}
    return runs.assign(**filled)


def cells_frame(design: StudyDesign, results: pd.DataFrame) -> pd.DataFrame:
    """One row per (block, level, sharing, replicate): ``results`` (with ``block`` and ``factor`` labels)
    with a ``level`` column, the block's factor value. The base block's runs are added to every block
    that shares them (:func:`base_level`), at the base value of the block's factor."""
    ok = results[results["status"] == "ok"] if "status" in results.columns else results
    sweeps = {label["block"]: sweep for sweep, label in zip(design.sweeps, design.labels)}
    parts = []
    for label in design.labels[1:]:
        block, factor = label["block"], label["factor"]
        own = with_base_values(ok[ok["block"] == block], sweeps[block].base.to_dict(), [factor, *PARAM_COLUMNS])
        levels = list(sweeps[block].factors[factor])
        # stacked blocks turn integer levels into floats: give each row its level as the design wrote it
        parts.append(own.assign(level=[next((lv for lv in levels if lv == v), v) for v in own[factor]]))
        at = base_level(design, block)
        if at is not None:
            base = with_base_values(
                ok[ok["block"] == BASE_BLOCK], sweeps[BASE_BLOCK].base.to_dict(), [factor, *PARAM_COLUMNS]
            )
            parts.append(base.assign(block=block, factor=factor, level=[at] * len(base)))
    frame = pd.concat(parts, ignore_index=True) if parts else ok.iloc[0:0].assign(level=[])
    return frame


def level_table(cells: pd.DataFrame, outcomes: Sequence[str], confidence: float = 0.95) -> pd.DataFrame:
    """Mean and t interval over replicates per (block, factor, level, sharing, outcome); ``structural``
    True (and no interval, ``mean`` 0) where the value is zero by definition."""
    rows = []
    for (block, factor, level, sharing), group in cells.groupby(["block", "factor", "level", "sharing"], sort=False):
        for outcome in outcomes:
            structural = bool(structural_mask(group, outcome).all()) if len(group) else False
            if structural:
                mean, low, high, n = 0.0, np.nan, np.nan, len(group)
            else:
                values = pd.to_numeric(group[outcome], errors="coerce").to_numpy(dtype=float)
                mean, low, high = mean_ci(values, confidence)
                n = int(np.isfinite(values).sum())
            rows.append(
                {
                    "block": block,
                    "factor": factor,
                    "level": level,
                    "sharing": sharing,
                    "outcome": outcome,
                    "n": n,
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "structural": structural,
                }
            )
    return pd.DataFrame(rows)


def paired_differences(
    cells: pd.DataFrame,
    outcomes: Sequence[Primary],
    reference: str,
    designs: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """``design - reference`` per (block, level, outcome), paired on ``replicate``.

    Columns: ``block, factor, level, design, reference, outcome, n_pairs, diff, ci_low, ci_high, status,
    significant, verdict, design_mean, reference_mean``. ``status``: ``"estimate"``; ``"structural zero"``
    when both arms are zero by definition (``diff`` 0, no interval, never significant); ``"no pairs"``
    when no replicate has both values. ``verdict``: ``"better"``/``"worse"`` (by the outcome's direction)
    when the interval excludes zero, else ``"no difference shown"`` (or the structural status).
    """
    designs = [d for d in (designs or SHARING) if d != reference]
    direction = {o.column: o.higher_is_better for o in outcomes}
    long = long_values(cells, [o.column for o in outcomes])
    keys = ["block", "factor", "level", "replicate", "outcome"]
    ref = long[long["sharing"] == reference].drop(columns="sharing")
    arms = long[long["sharing"].isin(designs)].rename(columns={"sharing": "design"})
    pairs = arms.merge(ref, on=keys, suffixes=("", "_ref"))
    rows = []
    for (block, factor, level, design, outcome), group in pairs.groupby(
        ["block", "factor", "level", "design", "outcome"], sort=False
    ):
        row = {"block": block, "factor": factor, "level": level, "design": design, "reference": reference}
        row["outcome"] = outcome
        a, r = group["value"].to_numpy(float), group["value_ref"].to_numpy(float)
        if group["structural"].all() and group["structural_ref"].all():
            rows.append(
                row
                | dict(n_pairs=len(group), diff=0.0, ci_low=np.nan, ci_high=np.nan, status="structural zero")
                | dict(significant=False, verdict="structural zero", design_mean=0.0, reference_mean=0.0)
            )
            continue
        d = a - r
        finite = np.isfinite(d)
        if not finite.any():
            rows.append(
                row
                | dict(n_pairs=0, diff=np.nan, ci_low=np.nan, ci_high=np.nan, status="no pairs")
                | dict(significant=False, verdict="no pairs", design_mean=np.nan, reference_mean=np.nan)
            )
            continue
        mean, low, high = mean_ci(d[finite], confidence)
        significant = bool(np.isfinite(low) and (low > 0 or high < 0))
        better = (mean > 0) == direction[outcome]
        verdict = ("better" if better else "worse") if significant else "no difference shown"
        rows.append(
            row
            | dict(n_pairs=int(finite.sum()), diff=mean, ci_low=low, ci_high=high, status="estimate")
            | dict(significant=significant, verdict=verdict)
            | dict(design_mean=float(a[finite].mean()), reference_mean=float(r[finite].mean()))
        )
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


DIFF_COLUMNS = [
    "block",
    "factor",
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
    "design_mean",
    "reference_mean",
]


def long_values(cells: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """One row per (cell row, outcome): ``block, factor, level, sharing, replicate, outcome, value,
    structural``; a structural zero's value is 0 whatever the run recorded (e.g. NaN for an undefined rate)."""
    keys = cells[["block", "factor", "level", "sharing", "replicate"]].reset_index(drop=True)
    parts = []
    for outcome in outcomes:
        structural = structural_mask(cells, outcome)
        values = pd.to_numeric(cells[outcome], errors="coerce").to_numpy(dtype=float)
        parts.append(keys.assign(outcome=outcome, value=np.where(structural, 0.0, values), structural=structural))
    return pd.concat(parts, ignore_index=True) if parts else keys.assign(outcome=[], value=[], structural=[])


@dataclass(frozen=True)
class SharingFindings:
    """What study 10 found: the cells (one row per run and panel), the per-design values per level
    (:func:`level_table`), the paired differences against ``none`` and against ``central``
    (:func:`paired_differences`), the primary outcomes, and the factors' order and base levels."""

    cells: pd.DataFrame
    levels: pd.DataFrame
    vs_none: pd.DataFrame
    vs_central: pd.DataFrame
    outcomes: list[Primary]
    blocks: list[str]
    base_levels: dict[str, object]
    placeholder: list[str]


def analyse(
    design: StudyDesign,
    results: pd.DataFrame,
    steps: pd.DataFrame | None = None,
    campaigns: pd.DataFrame | None = None,
    confidence: float = 0.95,
) -> SharingFindings:
    """Cells, per-level values and paired differences of ``results`` (``design.run(...)``). Where the
    model's summary has no ``protected_time_frac_mean``, it is computed from the kept ``steps`` and
    ``campaigns`` frames (:func:`workbench.analysis.protection_time.with_protected_time`)."""
    placeholder = []
    if PROTECTED_TIME not in results.columns:
        if steps is None or campaigns is None:
            raise ValueError(f"results have no {PROTECTED_TIME!r}; pass the kept steps and campaigns frames")
        results = with_protected_time(results, steps, campaigns)
        placeholder.append(PROTECTED_TIME)
    outcomes = primary_outcomes(list(results.columns))
    cells = cells_frame(design, results)
    columns = [o.column for o in outcomes]
    blocks = [lab["block"] for lab in design.labels[1:]]
    return SharingFindings(
        cells=cells,
        levels=level_table(cells, columns, confidence),
        vs_none=paired_differences(cells, outcomes, "none", confidence=confidence),
        vs_central=paired_differences(cells, outcomes, "central", confidence=confidence),
        outcomes=outcomes,
        blocks=blocks,
        base_levels={b: base_level(design, b) for b in blocks},
        placeholder=placeholder,
    )
