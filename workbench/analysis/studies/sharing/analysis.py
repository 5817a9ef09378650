"""Study 10's analysis: does sharing pay, and where? Paired differences of every design against ``none``
and against ``central`` on the primary outcomes, per level of every factor that could flip the answer.

Every cell (block, level, sharing mode) runs the same replicate seeds, so the difference of two designs
is taken replicate by replicate (same seed, same traffic and campaigns up to what the designs change) and
its 95% interval is a Student-t interval over the replicates' differences (per cell, not corrected;
:func:`workbench.analysis.paired.paired_difference`).
The pairing is by seed (common seeds), not by identical traffic: one model Generator draws both the
traffic and the sharing, so once two designs differ their draws diverge; the paired intervals remain
valid, only less efficient than with identical traffic.

A difference is *significant* when its Holm-adjusted p value (two-sided paired t test; Holm 1979;
:func:`workbench.analysis.paired.holm`) is below ``1 - confidence``, the family being every cell of one
(design, outcome, reference), the base cell counted once; the outcome's direction says whether it is then
better or worse.

A value that is zero by definition is not an estimate (:data:`STRUCTURAL`): the messages of ``none``
(an isolated node sends nothing), forged harm where no forgery can be made and forged harm of ``none``
(a forgery blocks only at its forger, and the harm counts honest nodes). Which values are structural is
what the outcomes declare (:mod:`workbench.analysis.structural`). Such a value is reported as a
structural zero, without interval; a difference of two structural zeros is one too. A difference of a
measured value against a structural zero is no comparison: the design's own value is reported, with no
verdict (status ``"against structural zero"``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis.paired import holm, paired_difference
from workbench.analysis.protection_time import PROTECTED_TIME, with_protected_time
from workbench.analysis.stats import mean_ci
from workbench.analysis.structural import declared_value
from workbench.analysis.studies.protocol import StudyDesign
from workbench.analysis.studies.sharing.design import (
    BASE_BLOCK,
    SHARING,
    TUNED,
    TUNED_SKIPS,
    arm_of,
    base_level,
    factor_labels,
)
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


# parameters the structural rules read, filled in from a block's base where it does not vary them
PARAM_COLUMNS = (
    "malicious_fraction",
    "malicious_behavior",
    "forge_prob",
    "aggregator",
    "ledger_protocol",
    "vote_deadline_steps",
)


def _declared(outcome: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """True where ``outcome`` is zero by definition in each run's design, as the outcome declares it
    (:func:`workbench.analysis.structural.declared_value` over ``sharing`` and :data:`PARAM_COLUMNS`; the
    tuned isolated arm is ``none``)."""

    def rule(runs: pd.DataFrame) -> np.ndarray:
        fields = [c for c in ("sharing", *PARAM_COLUMNS) if c in runs.columns]
        keys = runs[fields].assign(sharing=runs["sharing"].map(lambda v: "none" if v == TUNED else v))
        designs = keys.drop_duplicates()
        zero = {}
        for row in designs.to_dict("records"):
            try:
                zero[tuple(row.values())] = declared_value(outcome, row) == 0.0
            except (ValueError, KeyError):  # a combination the model refuses cannot be a run
                zero[tuple(row.values())] = False
        return np.asarray([zero[tuple(r)] for r in keys.itertuples(index=False)], dtype=bool)

    return rule


def _no_malice(runs: pd.DataFrame) -> np.ndarray:
    return (pd.to_numeric(runs["malicious_fraction"]) == 0.0).to_numpy(dtype=bool)


def _no_reach(runs: pd.DataFrame) -> np.ndarray:
    """Forged reach is undefined (no forgery) without malice; it is 0 by definition where forgeries stay
    at their forgers (``none``), as the outcome declares."""
    return _no_malice(runs) | _declared("forged_reach_frac")(runs)


# outcome column -> rule on runs (one row each): True where the outcome is zero (or undefined) by definition
STRUCTURAL: dict[str, Callable[[pd.DataFrame], np.ndarray]] = {
    "messages_per_node_step": _declared("messages_per_node_step"),
    "forged_benign_blocked_frac": _declared("forged_benign_blocked_frac"),
    "forged_reach_frac": _no_reach,
}


def structural_mask(cells: pd.DataFrame, outcome: str) -> np.ndarray:
    """True for the rows of ``cells`` whose ``outcome`` is a structural zero (:data:`STRUCTURAL`)."""
    rule = STRUCTURAL.get(outcome)
    if rule is None or len(cells) == 0:
        return np.zeros(len(cells), dtype=bool)
    return np.asarray(rule(cells), dtype=bool)


def with_base_values(runs: pd.DataFrame, base: dict[str, object], columns: Sequence[str]) -> pd.DataFrame:
    """``runs`` with each of ``columns`` present: a block that does not vary a parameter has no column for it
    (or NaN where blocks were stacked), so its value is the block's ``base`` value."""
    filled = {c: runs[c].where(runs[c].notna(), base[c]) if c in runs.columns else base[c] for c in columns}
    return runs.assign(**filled)


def cells_frame(design: StudyDesign, results: pd.DataFrame) -> pd.DataFrame:
    """One row per (block, level, sharing, replicate): ``results`` (with ``block`` and ``factor`` labels)
    with a ``level`` column, the block's factor value. The base block's runs are added to every block
    that shares them (:func:`base_level`), at the base value of the block's factor. Runs of the tuned
    isolated arm (label ``arm``) have ``sharing`` :data:`TUNED`."""
    ok = results[results["status"] == "ok"] if "status" in results.columns else results
    if "arm" in ok.columns:
        ok = ok.assign(sharing=np.where(ok["arm"] == TUNED, TUNED, ok["sharing"]))
    sweeps = {label["block"]: sweep for sweep, label in zip(design.sweeps, design.labels) if arm_of(label) is None}
    parts = []
    for label in factor_labels(design):
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
            if block in TUNED_SKIPS:
                base = base[base["sharing"] != TUNED]
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
    base_levels: dict[str, object] | None = None,
    inert: dict[tuple[str, object, str], object] | None = None,
) -> pd.DataFrame:
    """``design - reference`` per (block, level, outcome), paired on ``replicate``.

    Columns: ``block, factor, level, design, reference, outcome, n_pairs, diff, ci_low, ci_high, status,
    significant, verdict, design_mean, reference_mean, p_value, p_holm``. ``status``: ``"estimate"``;
    ``"structural zero"`` when both arms are zero by definition (``diff`` 0, no interval, never
    significant); ``"against structural zero"`` when one arm is: ``diff``, ``ci_low`` and ``ci_high`` are
    then the measured arm's own mean and t interval (``design_mean``), and there is no verdict; ``"no
    pairs"`` when no replicate has both values. ``p_value``: two-sided paired t test; ``p_holm``: Holm's
    step-down adjustment within each (design, outcome) family over its cells (one reference per call; the
    base cell, repeated in every block that shares it per ``base_levels``, counted once). ``verdict``:
    ``"better"``/``"worse"`` (by the outcome's direction) when ``p_holm < 1 - confidence``, else ``"no
    difference shown"`` (or the status). ``repeats_base`` / ``repeats_level``: both arms' cells repeat
    the same earlier cell of the block (``inert``, :func:`inert_cells`: the base point, or another level
    whose runs are the same), so the row repeats that cell's comparison; it is one member of the Holm
    family with it, and the prose does not count it as a cell of its own. ``inert`` maps ``(block, level,
    sharing)`` to the level repeated.
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
        fixed, fixed_ref = bool(group["structural"].all()), bool(group["structural_ref"].all())
        if fixed and fixed_ref:
            rows.append(
                row
                | dict(n_pairs=len(group), diff=0.0, ci_low=np.nan, ci_high=np.nan, status="structural zero")
                | dict(significant=False, verdict="structural zero", design_mean=0.0, reference_mean=0.0)
                | dict(p_value=np.nan)
            )
            continue
        if fixed or fixed_ref:
            own = a[np.isfinite(a)]
            mean, low, high = mean_ci(own, confidence) if len(own) else (np.nan, np.nan, np.nan)
            status = "against structural zero"
            rows.append(
                row
                | dict(n_pairs=len(own), diff=mean, ci_low=low, ci_high=high, status=status)
                | dict(significant=False, verdict=status, design_mean=mean)
                | dict(reference_mean=float(np.nanmean(r)) if np.isfinite(r).any() else np.nan, p_value=np.nan)
            )
            continue
        pair = paired_difference(a, r, confidence)  # the merge paired the rows on replicate already
        if not pair.n:
            rows.append(
                row
                | dict(n_pairs=0, diff=np.nan, ci_low=np.nan, ci_high=np.nan, status="no pairs")
                | dict(significant=False, verdict="no pairs", design_mean=np.nan, reference_mean=np.nan)
                | dict(p_value=np.nan)
            )
            continue
        rows.append(
            row
            | dict(n_pairs=pair.n, diff=pair.diff, ci_low=pair.ci_low, ci_high=pair.ci_high, status="estimate")
            | dict(significant=False, verdict="no difference shown", p_value=pair.p_value)
            | dict(design_mean=pair.a_mean, reference_mean=pair.b_mean)
        )
    frame = pd.DataFrame(
        rows, columns=[c for c in DIFF_COLUMNS if c not in ("p_holm", "repeats_base", "repeats_level")]
    )
    inert = inert or {}
    missing = object()
    repeated = []
    for b, lv, d in zip(frame["block"], frame["level"], frame["design"]):
        mine, theirs = inert.get((b, lv, d), missing), inert.get((b, lv, reference), missing)
        repeated.append(mine if mine is not missing and theirs is not missing and mine == theirs else None)
    frame["repeats_level"] = pd.Series(repeated, index=frame.index, dtype=object)
    frame["repeats_base"] = frame["repeats_level"].notna()
    frame["p_holm"] = holm_within(frame, base_levels or {})
    alpha = 1.0 - confidence
    significant = (frame["status"] == "estimate") & (frame["p_holm"] < alpha)
    better = (frame["diff"] > 0) == frame["outcome"].map(direction).astype(bool)
    frame["significant"] = significant.astype(bool)
    frame.loc[significant, "verdict"] = np.where(better[significant], "better", "worse")
    return frame[DIFF_COLUMNS]


def holm_within(diffs: pd.DataFrame, base_levels: dict[str, object]) -> pd.Series:
    """Holm-adjusted ``p_value`` within each (design, outcome) of ``diffs`` over its cells; the base cell
    (a block's row at its base level, or a row that repeats it: ``repeats_base``) counts once in the family
    and every copy gets its adjusted value."""
    level = diffs["level"]
    if "repeats_level" in diffs.columns:  # a repeat is one family member with the cell it repeats
        level = diffs["repeats_level"].where(diffs["repeats_level"].notna(), diffs["level"])
    is_base = np.asarray(
        [base_levels.get(b) is not None and lv == base_levels[b] for b, lv in zip(diffs["block"], level)],
        dtype=bool,
    )
    cell = [("base",) if base else (b, str(lv)) for base, b, lv in zip(is_base, diffs["block"], level)]
    out = pd.Series(np.nan, index=diffs.index, dtype=float)
    for _, group in diffs.assign(_cell=cell).groupby(["design", "outcome"], sort=False):
        unique = group.drop_duplicates("_cell")
        adjusted = dict(zip(unique["_cell"], holm(unique["p_value"].to_numpy(dtype=float))))
        out.loc[group.index] = [adjusted[c] for c in group["_cell"]]
    return out


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
    "p_value",
    "p_holm",
    "repeats_base",
    "repeats_level",
]


def inert_cells(
    cells: pd.DataFrame, columns: Sequence[str], base_levels: dict[str, object]
) -> dict[tuple[str, object, str], object]:
    """The cells ``(block, level, sharing)`` whose runs repeat an earlier cell of the same block and design,
    mapped to the level they repeat: for every replicate, every one of ``columns`` equal to that cell's run
    with the same seed (NaN equal to NaN). The block's base level comes first (where it has one), then the
    levels in their order. Every cell runs the same replicate seeds, so a level that does not act on a design
    (the aggregator's levels for the ledger, gossip and isolated nodes; the ledger's ordering for central and
    isolated nodes) gives bit-identical runs; counting such a cell again would count one comparison once per
    level. Detected from the results, not from the factor's name: a level that changes a design's runs at
    all (even only its random draws) is a cell of its own."""
    out: dict[tuple[str, object, str], object] = {}
    keep = [c for c in columns if c in cells.columns]
    if not len(cells) or not keep:
        return out
    for (block, sharing), group in cells.groupby(["block", "sharing"], sort=False):
        at = base_levels.get(block)
        levels = list(dict.fromkeys(group["level"]))
        if at is not None and at in levels:
            levels = [at, *[lv for lv in levels if lv != at]]
        seen: list[tuple[object, pd.Index, np.ndarray]] = []
        for level in levels:
            runs = group[group["level"] == level].set_index("replicate")[keep].sort_index()
            values = runs.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
            for earlier, index, earlier_values in seen:
                if index.equals(runs.index) and np.array_equal(values, earlier_values, equal_nan=True):
                    out[(str(block), level, str(sharing))] = earlier
                    break
            else:
                seen.append((level, runs.index, values))
    return out


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
    (:func:`level_table`), the paired differences against ``none``, against ``central`` and against the
    tuned isolated arm (:data:`TUNED`; empty where the design has none) (:func:`paired_differences`),
    the primary outcomes, and the factors' order and base levels."""

    cells: pd.DataFrame
    levels: pd.DataFrame
    vs_none: pd.DataFrame
    vs_central: pd.DataFrame
    outcomes: list[Primary]
    blocks: list[str]
    base_levels: dict[str, object]
    placeholder: list[str]
    vs_tuned: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=DIFF_COLUMNS))

    def diffs(self, reference: str) -> pd.DataFrame:
        """The paired differences against ``reference`` (``"none"``, ``"central"`` or :data:`TUNED`)."""
        table = {"none": self.vs_none, "central": self.vs_central, TUNED: self.vs_tuned}
        if reference not in table:
            raise ValueError(f"reference={reference!r} is not one of {sorted(table)}")
        return table[reference]


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
    blocks = [lab["block"] for lab in factor_labels(design)]
    base_levels = {b: base_level(design, b) for b in blocks}
    inert = inert_cells(cells, columns, base_levels)

    def vs(reference: str, designs: Sequence[str]) -> pd.DataFrame:
        return paired_differences(cells, outcomes, reference, designs, confidence, base_levels, inert)

    has_tuned = bool((cells["sharing"] == TUNED).any()) if len(cells) else False
    return SharingFindings(
        cells=cells,
        levels=level_table(cells, columns, confidence),
        vs_none=vs("none", SHARING),
        vs_central=vs("central", SHARING),
        outcomes=outcomes,
        blocks=blocks,
        base_levels=base_levels,
        placeholder=placeholder,
        vs_tuned=vs(TUNED, SHARING) if has_tuned else pd.DataFrame(columns=DIFF_COLUMNS),
    )
