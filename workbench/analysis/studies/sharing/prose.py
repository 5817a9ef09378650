"""Study 10's prose and headline, every number taken from its findings: for each design, where it pays
against ``none`` (and against ``central``) on protection over time, where it does not and what the
isolated node (or central) reaches there, and what it costs in benign flows blocked, forged harm and
messages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.studies.common import fmt_interval, join_words
from workbench.analysis.studies.protocol import Headline
from workbench.analysis.studies.sharing.analysis import SharingFindings
from workbench.analysis.studies.sharing.design import SHARING

# below this share of honest nodes protected over time (both arms), a cell has no protection to share
NEITHER = 0.05


def cell_name(block: str, level: Any) -> str:
    """``"attacker_prefixes = 1"`` (a whole number stored as a float is written as one)."""
    if isinstance(level, float) and level.is_integer():
        level = int(level)
    return f"{block} = {level}"


def off_base(found: SharingFindings, diffs: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``diffs`` off the base point (the base cell is repeated in every block sharing it)."""
    is_base = [
        found.base_levels.get(b) is not None and lv == found.base_levels[b]
        for b, lv in zip(diffs["block"], diffs["level"])
    ]
    return diffs[~np.asarray(is_base, dtype=bool)]


def base_rows(found: SharingFindings, diffs: pd.DataFrame) -> pd.DataFrame:
    """The base point's rows of ``diffs`` (taken from the first block that shares the base runs)."""
    shared = [b for b in found.blocks if found.base_levels.get(b) is not None]
    if not shared:
        return diffs.iloc[0:0]
    first = shared[0]
    return diffs[(diffs["block"] == first) & (diffs["level"] == found.base_levels[first])]


def diff_text(row: pd.Series, digits: int = 3) -> str:
    """``"+0.312 (0.270 to 0.350)"``, or ``"structural zero"``."""
    if row["status"] == "structural zero":
        return "0 (structural zero: no interval)"
    if row["status"] == "no pairs":
        return "n/a (no paired values)"
    text = fmt_interval(row["diff"], row["ci_low"], row["ci_high"], digits=digits)
    return ("+" if row["diff"] > 0 else "") + text


def verdict_cells(found: SharingFindings, diffs: pd.DataFrame, design: str, outcome: str, verdict: str) -> pd.DataFrame:
    """Off-base cells of ``design`` on ``outcome`` with the given verdict, largest effect first."""
    rows = off_base(found, diffs)
    rows = rows[(rows["design"] == design) & (rows["outcome"] == outcome) & (rows["verdict"] == verdict)]
    return rows.reindex(rows["diff"].abs().sort_values(ascending=False).index)


def _listing(rows: pd.DataFrame, design: str, reference: str, limit: int = 6) -> str:
    items = [
        f"{cell_name(r.block, r.level)} ({design} {r.design_mean:.2f} vs {reference} {r.reference_mean:.2f})"
        for r in rows.head(limit).itertuples()
    ]
    more = len(rows) - limit
    return join_words(items) + (f" and {more} more" if more > 0 else "")


def design_paragraph(found: SharingFindings, diffs: pd.DataFrame, design: str, reference: str) -> str:
    """Where ``design`` pays against ``reference`` on protection over time, where not and why, and its costs."""
    protection = found.outcomes[0]
    base = base_rows(found, diffs)
    base_row = base[(base["design"] == design) & (base["outcome"] == protection.column)]
    cells = off_base(found, diffs)
    mine = cells[(cells["design"] == design) & (cells["outcome"] == protection.column)]
    total = len(mine) + len(base_row)
    parts = [f"**{design} against {reference}.**"]
    if len(base_row):
        r = base_row.iloc[0]
        word = {"better": "pays", "worse": "loses", "no difference shown": "is not shown to differ"}.get(
            r["verdict"], r["verdict"]
        )
        parts.append(
            f"At the base point it {word} on {protection.label}: {diff_text(r)} ({design} {r['design_mean']:.2f}, "
            f"{reference} {r['reference_mean']:.2f})."
        )
    better = verdict_cells(found, diffs, design, protection.column, "better")
    worse = verdict_cells(found, diffs, design, protection.column, "worse")
    none_shown = verdict_cells(found, diffs, design, protection.column, "no difference shown")
    counts = {v: int((pd.concat([mine, base_row])["verdict"] == v).sum()) for v in ("better", "worse")}
    parts.append(
        f"Over all {total} cells it protects better in {counts['better']}, worse in {counts['worse']} and is not "
        f"shown to differ in {total - counts['better'] - counts['worse']}."
    )
    if len(better):
        parts.append(f"Off the base point it pays with {_listing(better, design, reference)}.")
    if len(worse):
        parts.append(f"It protects less with {_listing(worse, design, reference)}.")
    if len(none_shown):
        low = np.maximum(none_shown["design_mean"], none_shown["reference_mean"]) < NEITHER
        neither = none_shown[low]
        high_ref = none_shown[~low & (none_shown["reference_mean"] >= none_shown["design_mean"])]
        small_gain = none_shown[~low & (none_shown["reference_mean"] < none_shown["design_mean"])]
        if len(neither):
            parts.append(
                f"Neither it nor {reference} protects {NEITHER:.0%} of honest nodes over time with "
                f"{_listing(neither, design, reference)}: there is no protection to share."
            )
        if len(high_ref):
            parts.append(
                f"It does not pay where {reference} protects as well: {_listing(high_ref, design, reference)}."
            )
        if len(small_gain):
            parts.append(f"A gain too small for the replicates to show: {_listing(small_gain, design, reference)}.")
    for outcome in found.outcomes[1:]:
        worse_cost = verdict_cells(found, diffs, design, outcome.column, "worse")
        better_cost = verdict_cells(found, diffs, design, outcome.column, "better")
        base_cost = base[(base["design"] == design) & (base["outcome"] == outcome.column)]
        base_text = f" (base point {diff_text(base_cost.iloc[0])})" if len(base_cost) else ""
        if (
            len(worse_cost)
            or len(better_cost)
            or (len(base_cost) and base_cost.iloc[0]["verdict"] in ("better", "worse"))
        ):
            parts.append(
                f"On {outcome.label}{base_text}: worse in {len(worse_cost)} and better in {len(better_cost)} of the "
                f"cells off the base point"
                + (
                    f", most with {cell_name(worse_cost.iloc[0].block, worse_cost.iloc[0].level)} ({diff_text(worse_cost.iloc[0])})"
                    if len(worse_cost)
                    else ""
                )
                + "."
            )
    return " ".join(parts)


def structural_text(found: SharingFindings) -> str:
    """Which values are zero by definition, reported as such."""
    table = found.levels[found.levels["structural"]]
    if not len(table):
        return ""
    groups = table.groupby("outcome")["sharing"].apply(lambda s: sorted(set(s)))
    items = [f"`{outcome}` of {join_words(modes)}" for outcome, modes in groups.items()]
    return (
        "Structural zeros (zero by definition, reported without interval and never counted as a design being "
        f"better): {join_words(items)} (messages of an isolated node; forged harm where no node is malicious)."
    )


def prose(found: SharingFindings, reference: str = "none") -> str:
    """Markdown: a paragraph per design against ``reference``, then the structural zeros and any placeholder."""
    diffs = found.vs_none if reference == "none" else found.vs_central
    paragraphs = [design_paragraph(found, diffs, d, reference) for d in SHARING if d != reference]
    if reference == "none":
        paragraphs.append(structural_text(found))
    if found.placeholder:
        paragraphs.append(
            f"{join_words(f'`{c}`' for c in found.placeholder)} was computed from the kept per-step frames "
            "(the mean over each campaign's window of its protected share), the model's summary having no such outcome."
        )
    return "\n\n".join(p for p in paragraphs if p)


def pays_count(found: SharingFindings, design: str, reference: str = "none") -> tuple[int, int]:
    """``(cells where design protects significantly better than reference, cells)``, the base cell once."""
    diffs = found.vs_none if reference == "none" else found.vs_central
    column = found.outcomes[0].column
    rows = pd.concat([off_base(found, diffs), base_rows(found, diffs)])
    rows = rows[(rows["design"] == design) & (rows["outcome"] == column)]
    return int((rows["verdict"] == "better").sum()), len(rows)


def headline(found: SharingFindings) -> Headline:
    """The report card, three items: for each sharing design, the cells where it protects better than
    ``none`` (the base point's paired differences with their intervals are in :func:`base_table`)."""
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for design in SHARING[1:]:
        k, n = pays_count(found, design)
        values[f"{design}_pays"] = f"{k} of {n}"
        labels[f"{design}_pays"] = f"cells where {design} protects better than none (95%)"
    return Headline(values, labels)


def base_table(found: SharingFindings) -> pd.DataFrame:
    """Every design's paired difference against ``none`` and against ``central`` at the base point, one row
    per (design, reference, outcome), as ``diff (low to high)`` text (structural zeros said as such)."""
    labels = {o.column: o.label for o in found.outcomes}
    rows = []
    for diffs in (found.vs_none, found.vs_central):
        for r in base_rows(found, diffs).itertuples():
            rows.append(
                {
                    "comparison": f"{r.design} - {r.reference}",
                    "outcome": labels[r.outcome],
                    "paired difference (95%)": diff_text(pd.Series(r._asdict())),
                    "verdict": r.verdict,
                    "pairs": r.n_pairs,
                }
            )
    return pd.DataFrame(rows)
