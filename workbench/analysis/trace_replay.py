"""Prose for a comparison of sharing modes on a replayed trace (notebook 09), computed from results.

:func:`ranking_text` reads a :func:`workbench.analysis.stats.summarize` table (one row per sharing
mode and outcome, with a mean and its replicate interval) and says which mode is best on an
outcome, and whether its interval separates it from the runner-up. Nothing is typed in.
"""

from __future__ import annotations

import math

import pandas as pd


def _fmt(value: float, percent: bool) -> str:
    if not math.isfinite(value):
        return "n/a"
    if not percent:
        return f"{value:,.3g}"
    text = f"{value:.2%}" if abs(value) < 0.01 else f"{value:.1%}"
    return text.lstrip("-") if float(text.rstrip("%")) == 0 else text  # no "-0.00%"


def ranking_text(
    table: pd.DataFrame,
    outcome: str,
    label: str,
    *,
    by: str = "sharing",
    higher_is_better: bool = True,
    percent: bool = True,
) -> str:
    """One sentence: the best ``by`` group on ``outcome`` with its interval, and whether the interval
    separates it from the next best (non-overlapping intervals) or not.

    ``table``: columns ``by``, ``outcome``, ``n``, ``mean``, ``ci_low``, ``ci_high``. Groups whose mean
    is NaN (the outcome undefined in every run) are listed as such.
    """
    rows = table[table["outcome"] == outcome]
    if rows.empty:
        raise ValueError(f"outcome={outcome!r} is not in the table; outcomes: {sorted(set(table['outcome']))}")
    defined = rows[rows["mean"].notna()].sort_values("mean", ascending=not higher_is_better, kind="stable")
    undefined = list(rows.loc[rows["mean"].isna(), by])
    tail = f" It is undefined for {', '.join(map(str, undefined))} (no run had a case to count)." if undefined else ""
    if defined.empty:
        return f"{label}: undefined for every {by} mode.{tail}"

    def cell(row: pd.Series) -> str:
        interval = (
            ""
            if not math.isfinite(row["ci_low"])
            else f" (95% interval {_fmt(row['ci_low'], percent)} to {_fmt(row['ci_high'], percent)})"
        )
        return f"{_fmt(row['mean'], percent)}{interval}"

    best = defined.iloc[0]
    word = "highest" if higher_is_better else "lowest"
    tied = defined[defined["mean"] == best["mean"]]
    if len(tied) > 1:
        names = ", ".join(str(x) for x in tied[by])
        return f"{label}: {names} tie for the {word} mean, {cell(best)}, over {int(best['n'])} runs each.{tail}"
    text = f"{label}: **{best[by]}** has the {word} mean, {cell(best)}, over {int(best['n'])} runs"
    if len(defined) > 1:
        second = defined.iloc[1]
        if not (math.isfinite(best["ci_low"]) and math.isfinite(second["ci_low"])):
            text += f"; next is {second[by]} at {cell(second)}, and the intervals cannot be compared"
        else:
            overlap = best["ci_low"] <= second["ci_high"] and second["ci_low"] <= best["ci_high"]
            text += f"; next is {second[by]} at {cell(second)}: " + (
                "the intervals overlap, so these runs do not separate the two."
                if overlap
                else "the intervals do not overlap."
            )
    else:
        text += "."
    return text + tail
