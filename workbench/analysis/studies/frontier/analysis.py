"""Study 05's analysis: what does protection cost? The frontier of sharing designs.

Every design (sharing mode with its quorum, gossip fanout and vote deadline) is run under the same
adversary, with common random numbers (replicate ``i`` has the same seed in every design), and measured
on four objectives (:data:`OBJECTIVES`), each a replicate mean with a Student-t interval:

- protection: ``protected_time_frac_mean``, the share of honest nodes protected against a campaign,
  averaged over every step of its window (more is better);
- false blocks: ``benign_blocked_frac``, benign flows blocked at honest nodes, by any rule (less is better);
- forged harm: ``forged_benign_blocked_frac``, benign flows blocked by forged rules (less is better),
  comparable across sharing modes where ``forged_reach_frac`` is not (reported beside it);
- overhead: ``messages_per_node_step`` (less is better).

Four rules make the front mean something:

- a *structural zero* (:func:`structural_zeros`, from :mod:`workbench.analysis.structural`: a value zero
  by definition, such as the messages of an isolated node, which sends nothing) is reported as such, without interval, and makes no design better:
  on that objective the design ties with every other;
- *identical designs* (:func:`merge_identical`: the same outcomes on every replicate, as two parameter
  sets that the model reads the same way give) are one row, labelled with every name;
- a *protection floor*: a design whose protection is below ``protection_floor`` is not on the front;
- a design is kept off the front only when another dominates it *beyond the intervals*
  (:func:`workbench.analysis.pareto.interval_front`, paired by replicate).

The Kaplan-Meier median time to 50% protection and the pooled forged reach are reported beside them,
not ranked (the median ignores protection lost at each rotation; reach counts a forgery once it reaches
one honest blocklist, whatever harm it does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis.intervals import share_table
from workbench.analysis.pareto import interval_front
from workbench.analysis.stats import mean_ci
from workbench.analysis.structural import structural_value
from workbench.analysis.studies.frontier.design import FACTORS
from workbench.analysis.studies.protocol import StudyDesign
from workbench.analysis.survival import km_median_table
from workbench.model.outcomes.catalog import builtin_names, directions
from workbench.model.params import ModelParams

#: The frontier's objectives: short name -> the declared outcome it ranks (its Pareto direction is the
#: outcome's, :mod:`workbench.model.outcomes`).
OBJECTIVES = {
    "protection": "protected_time_frac_mean",
    "benign_blocked": "benign_blocked_frac",
    "forged_harm": "forged_benign_blocked_frac",
    "msgs_node_step": "messages_per_node_step",
}
#: outcomes whose structural values the frontier reads (its objectives and the forged reach beside them)
STRUCTURAL_OUTCOMES = (*OBJECTIVES.values(), "forged_reach_frac")


def design_labels(frame: pd.DataFrame) -> pd.Series:
    """A short name per row: ``"gossip q=0.8 k=3 d=6"`` (only the factors that row's block varies)."""

    def one(row: pd.Series) -> str:
        parts = [str(row["sharing"])]
        for column, short in (
            ("quorum", "q"),
            ("central_quorum", "c"),
            ("gossip_fanout", "k"),
            ("vote_deadline_steps", "d"),
        ):
            value = row.get(column)
            if value is not None and not (isinstance(value, float) and np.isnan(value)):
                parts.append(f"{short}={value:g}")
        return " ".join(parts)

    return frame.apply(one, axis=1) if len(frame) else pd.Series([], dtype=object)


def structural_zeros(runs: pd.DataFrame, base: ModelParams | dict | None = None) -> pd.DataFrame:
    """Boolean frame aligned with ``runs``, a column per outcome of :data:`STRUCTURAL_OUTCOMES`: True for the
    runs of a design where that outcome is a structural value (:func:`workbench.analysis.structural.structural_value`:
    declared so by the design's components, such as an isolated channel that sends no message, and measured
    exactly so in every run of the design). ``runs`` has a ``design`` column and the parameter columns that
    vary; the other parameters are ``base``'s."""
    out = pd.DataFrame(False, index=runs.index, columns=list(STRUCTURAL_OUTCOMES))
    for _, group in runs.groupby("design", sort=False):
        point = group.iloc[0].to_dict()
        for column in STRUCTURAL_OUTCOMES:
            if column in group.columns and structural_value(group[column], column, point, base) is not None:
                out.loc[group.index, column] = True
    return out


def merge_identical(runs: pd.DataFrame, design: str = "design", replicate: str = "replicate") -> pd.DataFrame:
    """``runs`` with identical designs merged: designs whose runs give the same value of every declared
    outcome on every replicate (with common random numbers, designs the model cannot tell apart) keep the
    runs of the first (by name) only, and its ``design`` label lists all of them
    (``"central c=1 d=2 = central c=1 d=6"``). ``same_designs`` counts the names merged into a row."""
    outcomes = [c for c in builtin_names() if c in runs.columns]
    keys: dict[str, tuple] = {}
    for name, group in runs.groupby(design, sort=True):
        values = group.sort_values(replicate)[[replicate, *outcomes]].to_numpy(dtype=float)
        keys[str(name)] = tuple(np.round(np.nan_to_num(values, nan=-1.0), 12).ravel().tolist())
    groups: dict[tuple, list[str]] = {}
    for name, key in keys.items():
        groups.setdefault(key, []).append(name)
    label = {names[0]: " = ".join(names) for names in groups.values()}
    count = {names[0]: len(names) for names in groups.values()}
    kept = runs[runs[design].isin(label)]
    return kept.assign(same_designs=kept[design].map(count).to_numpy(), **{design: kept[design].map(label).to_numpy()})


def _interval_columns(runs: pd.DataFrame, zero: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Replicate mean and t interval per design and objective; a structural zero has no interval."""
    rows = []
    for name, group in runs.groupby("design", sort=True):
        row: dict[str, object] = {"design": name}
        for short, column in OBJECTIVES.items():
            structural = bool(zero.loc[group.index, column].all()) if column in zero.columns else False
            mean, low, high = mean_ci(group[column].to_numpy(dtype=float), confidence)
            row.update(
                {
                    short: 0.0 if structural else mean,
                    f"{short}_low": np.nan if structural else low,
                    f"{short}_high": np.nan if structural else high,
                    f"{short}_structural": structural,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


def design_table(
    runs: pd.DataFrame,
    campaigns: pd.DataFrame,
    protection_floor: float = 0.2,
    confidence: float = 0.95,
    base: ModelParams | dict | None = None,
) -> pd.DataFrame:
    """One row per (merged) design: the objectives with intervals, the front, and what is reported beside.

    ``runs``: one row per run with ``sharing``, ``replicate``, the factor columns present and the
    outcomes (``status`` optional). ``campaigns``: one row per campaign with the same design columns,
    ``t50_steps``, ``t50_reached``. Columns: ``design`` (merged names joined by ``" = "``),
    ``same_designs``, ``sharing``, the factors, for each objective of :data:`OBJECTIVES` its mean,
    ``_low``, ``_high`` and ``_structural``; ``forged_share``, ``forged_low``, ``forged_high``,
    ``forged_made`` (pooled forged reach, Wilson; NaN where structural or no forgery was made);
    ``t50_median``, ``t50_low``, ``t50_high``, ``t50_reached`` (Kaplan-Meier); ``runs``; ``above_floor``
    (protection at least ``protection_floor``), ``pareto`` and ``dominated_by``
    (:func:`~workbench.analysis.pareto.interval_front`).
    """
    ok = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    ok = ok.assign(design=design_labels(ok).to_numpy())
    merged = merge_identical(ok)
    zero = structural_zeros(merged, base)
    table = _interval_columns(merged, zero, confidence)
    factors = [c for c in FACTORS if c in merged.columns]
    first = merged.groupby("design", sort=True).agg(
        sharing=("sharing", "first"),
        **{f: (f, "first") for f in factors},
        same_designs=("same_designs", "first"),
        runs=("sharing", "size"),
    )
    table = first.reset_index().merge(table, on="design")
    # forged reach beside the objectives: pooled counts, Wilson; none where it is zero by definition
    reach = merged.assign(
        forged_reached=np.round(merged["forged_reach_frac"].astype(float) * merged["signatures_forged"].astype(float))
    )
    reach = reach[~zero["forged_reach_frac"].to_numpy()].dropna(subset=["forged_reached"])
    forged = share_table(reach, "forged_reached", "signatures_forged", "design", confidence).rename(
        columns={"share": "forged_share", "ci_low": "forged_low", "ci_high": "forged_high", "trials": "forged_made"}
    )
    table = table.merge(
        forged[["design", "forged_made", "forged_share", "forged_low", "forged_high"]], on="design", how="left"
    )
    # the campaigns of a merged row are those of its first design (the others' are the same)
    camps = campaigns.assign(design=design_labels(campaigns).to_numpy())
    label_of_first = {label.split(" = ")[0]: label for label in table["design"]}
    camps = camps[camps["design"].isin(label_of_first)]
    camps = camps.assign(design=camps["design"].map(label_of_first).to_numpy())
    latency = km_median_table(camps, "t50_steps", "t50_reached", by="design", confidence=confidence).rename(
        columns={"median": "t50_median", "ci_low": "t50_low", "ci_high": "t50_high", "reached": "t50_reached"}
    )
    table = table.merge(
        latency[["design", "t50_median", "t50_low", "t50_high", "t50_reached"]], on="design", how="left"
    )
    table["above_floor"] = table["protection"] >= protection_floor
    dirs = directions(list(OBJECTIVES.values()))
    front = interval_front(
        merged,
        minimize=dirs["minimize"],
        maximize=dirs["maximize"],
        structural=zero,
        eligible=table.set_index("design")["above_floor"],
        confidence=confidence,
    )
    table = table.merge(front[["design", "pareto", "dominated_by"]], on="design", how="left")
    return table.sort_values(
        ["pareto", "above_floor", "protection"], ascending=[False, False, False], kind="stable"
    ).reset_index(drop=True)


@dataclass(frozen=True)
class FrontierFindings:
    """What study 05 found: one row per (merged) design with its objectives and front membership
    (:func:`design_table`), the forged-harm target that makes a design "safe" and the protection floor."""

    table: pd.DataFrame
    forged_target: float
    protection_floor: float


def analyse(
    design: StudyDesign,
    results: pd.DataFrame,
    campaigns: pd.DataFrame,
    forged_target: float = 0.01,
    protection_floor: float = 0.2,
) -> FrontierFindings:
    """The design table of ``results`` and their kept ``campaigns`` (``design.kept(results, "campaigns")``)."""
    table = design_table(results, campaigns, protection_floor, base=design.base)
    return FrontierFindings(table, forged_target, protection_floor)
