"""Prose for a comparison of sharing modes on a replayed trace (notebook 09), computed from results.

:func:`ranking_text` reads a :func:`workbench.analysis.stats.summarize` table (one row per sharing
mode and outcome, with a mean and its replicate interval) and says which mode is best on an
outcome, and whether its interval separates it from the runner-up. Nothing is typed in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from workbench.analysis.structural import fmt_by_definition
from workbench.model.outcomes.catalog import outcome as declared_outcome


def _declared_higher(name: str) -> bool:
    """Whether more of the declared outcome ``name`` is better; ``ValueError`` for one without a direction."""
    try:
        higher = declared_outcome(name).higher_is_better
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]}; say higher_is_better") from None
    if higher is None:
        raise ValueError(f"{name!r} is a count without a direction; say higher_is_better")
    return higher


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
    higher_is_better: bool | None = None,
    percent: bool = True,
) -> str:
    """One sentence: the best ``by`` group on ``outcome`` with its interval, and whether the interval
    separates it from the next best (non-overlapping intervals) or not.

    ``table``: columns ``by``, ``outcome``, ``n``, ``mean``, ``ci_low``, ``ci_high``. Groups whose mean
    is NaN (the outcome undefined in every run) are listed as such. ``higher_is_better``: by default the
    declared outcome's direction (:func:`workbench.model.outcomes.catalog.outcome`).
    """
    rows = table[table["outcome"] == outcome]
    if rows.empty:
        raise ValueError(f"outcome={outcome!r} is not in the table; outcomes: {sorted(set(table['outcome']))}")
    if higher_is_better is None:
        higher_is_better = _declared_higher(outcome)
    defined = rows[rows["mean"].notna()].sort_values("mean", ascending=not higher_is_better, kind="stable")
    undefined = list(rows.loc[rows["mean"].isna(), by])
    tail = f" It is undefined for {', '.join(map(str, undefined))} (no run had a case to count)." if undefined else ""
    if defined.empty:
        return f"{label}: undefined for every {by} mode.{tail}"

    def cell(row: pd.Series) -> str:
        if pd.notna(row.get("structural", float("nan"))):
            return fmt_by_definition(float(row["structural"]))
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


# --------------------------------------------------------------------------------------------
# several outcomes at once
# --------------------------------------------------------------------------------------------


def _better(a: pd.Series, b: pd.Series, higher_is_better: bool) -> bool:
    """``a`` is better than ``b`` with non-overlapping intervals (a difference these runs separate)."""
    if not all(math.isfinite(x) for x in (a["ci_low"], a["ci_high"], b["ci_low"], b["ci_high"])):
        return False
    return a["ci_low"] > b["ci_high"] if higher_is_better else a["ci_high"] < b["ci_low"]


def design_ranking(
    table: pd.DataFrame, outcomes: Mapping[str, bool] | Sequence[str], *, by: str = "sharing"
) -> pd.DataFrame:
    """Every design on several outcomes at once, from a :func:`~workbench.analysis.stats.summarize` table.

    ``outcomes``: outcome names, each ranked in its declared direction (:mod:`workbench.model.outcomes`), or
    a mapping of outcome name -> whether higher is better. One row per ``by`` group with, per
    outcome, its mean and ``rank_<outcome>``: 1 + the number of groups *separated* better (95%
    intervals that do not overlap), so groups the runs do not tell apart share a rank. A group is
    ``dominated_by`` another that is separated better on some outcome and separated worse on none;
    ``pareto`` marks the groups nobody dominates. Outcomes undefined (NaN) for a group leave it
    unranked there (NaN rank) and never count for or against it.
    """
    if not isinstance(outcomes, Mapping):
        outcomes = {name: _declared_higher(name) for name in outcomes}
    groups = list(dict.fromkeys(table[by]))
    cells = {(g, o): r for (g, o), r in table.set_index([by, "outcome"]).iterrows() if o in outcomes}
    out = pd.DataFrame({by: groups})
    for outcome, higher in outcomes.items():
        means, ranks = [], []
        for g in groups:
            row = cells.get((g, outcome))
            means.append(float(row["mean"]) if row is not None else float("nan"))
            if row is None or not math.isfinite(row["mean"]):
                ranks.append(float("nan"))
                continue
            others = [cells[(h, outcome)] for h in groups if h != g and (h, outcome) in cells]
            ranks.append(1 + sum(_better(o, row, higher) for o in others))
        out[outcome] = means
        out[f"rank_{outcome}"] = ranks
    dominated = []
    for g in groups:
        by_whom = []
        for h in groups:
            if h == g:
                continue
            pairs = [(cells.get((h, o)), cells.get((g, o)), hi) for o, hi in outcomes.items()]
            pairs = [(a, b, hi) for a, b, hi in pairs if a is not None and b is not None]
            wins = any(_better(a, b, hi) for a, b, hi in pairs)
            losses = any(_better(b, a, hi) for a, b, hi in pairs)
            if wins and not losses:
                by_whom.append(h)
        dominated.append(", ".join(by_whom))
    out["dominated_by"] = dominated
    out["pareto"] = [d == "" for d in dominated]
    return out


def ranking_summary(ranking: pd.DataFrame, labels: dict[str, str], *, by: str = "sharing") -> str:
    """Sentences on a :func:`design_ranking`: which designs nobody dominates, and on which outcomes
    the best design is not separated from the others."""
    front = list(ranking.loc[ranking["pareto"], by])
    parts = []
    if len(front) == len(ranking):
        parts.append(
            f"No {by} mode is better than another on one outcome without being worse on another, by "
            "non-overlapping 95% intervals: these runs do not rank them overall."
        )
    else:
        losers = ranking.loc[~ranking["pareto"]]
        beaten = "; ".join(f"{r[by]} (by {r['dominated_by']})" for _, r in losers.iterrows())
        parts.append(
            f"Not dominated on these outcomes together: **{', '.join(front)}**; dominated: {beaten} "
            "(better on some outcome and worse on none, by non-overlapping 95% intervals)."
        )
    for outcome, label in labels.items():
        ranks = ranking[f"rank_{outcome}"]
        if ranks.isna().all():
            parts.append(f"{label}: undefined for every mode (no run had a case to count).")
            continue
        tied = list(ranking.loc[ranks == 1, by])
        if len(tied) > 1:
            parts.append(f"{label}: {', '.join(tied)} are not separated at the top.")
    return " ".join(parts)
