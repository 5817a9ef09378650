"""Study 04's prose and headline, every number taken from its findings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.studies.breakdown.analysis import DESIGN, BreakdownFindings
from workbench.analysis.studies.common import fmt_interval, join_words
from workbench.analysis.studies.protocol import Headline


def f_star_text(row: pd.Series) -> str:
    """A breakdown point as text: ``"0.31 (0.27 to 0.35)"``, ``"≤ 0.15"`` (left-censored) or ``"not reached (…)"``."""
    if not row["reached"]:
        low = row["ci_low"]
        bound = f"; 95% lower bound {low:.2f}" if np.isfinite(low) else ""
        return f"not reached{bound}"
    if row["left_censored"]:
        return f"≤ {row['estimate']:.2f} (already at the smallest level)"
    return fmt_interval(row["estimate"], row["ci_low"], row["ci_high"])


def display_table(found: BreakdownFindings) -> pd.DataFrame:
    """The f* table for reading: one text column per breakdown point, analytic thresholds beside it."""
    table = found.table
    out = table[[*DESIGN, "outcome"]].copy()
    out["f_star (95% CI)"] = [f_star_text(row) for _, row in table.iterrows()]
    out["analytic"] = table["analytic"].map(lambda x: "—" if np.isnan(x) else f"{x:.2f}")
    out["collusion formula"] = table["collusion_formula"].map(lambda x: "—" if np.isnan(x) else f"{x:.2f}")
    out["runs"] = table["n_runs"]
    return out


def prose(found: BreakdownFindings) -> str:
    """The study's findings as Markdown, every number taken from ``found.table`` (:func:`breakdown_table`).

    Designs already across the threshold at the smallest swept fraction (``left_censored``, e.g. an isolated
    network that never protects half its nodes) are named apart: they do not break down, they never held.
    """
    table = found.table
    lines = []
    for outcome, what in (
        ("security", "forged signatures reaching honest blocklists exceed"),
        ("protection", "the share of honest nodes protected falls below"),
    ):
        sub = table[table["outcome"] == outcome]
        if sub.empty:
            continue
        threshold = sub["threshold"].iloc[0]
        never_held = sub[sub["reached"] & sub["left_censored"]]
        reached = sub[sub["reached"] & ~sub["left_censored"]].sort_values("estimate")
        never = sub[~sub["reached"]]
        text = f"**{outcome.capitalize()}** (f* = smallest malicious fraction at which {what} {threshold:.0%}): "
        if len(reached):
            worst, best = reached.iloc[0], reached.iloc[-1]
            text += (
                f"{len(reached)} of {len(sub)} design-behaviour pairs break down inside the swept range; the "
                f"earliest is {worst['sharing']} / {worst['rule']} against `{worst['malicious_behavior']}` at "
                f"f* = {f_star_text(worst)}, the latest {best['sharing']} / {best['rule']} against "
                f"`{best['malicious_behavior']}` at {f_star_text(best)}. "
            )
        if len(never_held):
            names = join_words(f"{r.sharing} / {r.rule} (`{r.malicious_behavior}`)" for r in never_held.itertuples())
            smallest = never_held["estimate"].min()
            text += f"Already across the threshold at the smallest fraction swept ({smallest:g}): {names}. "
        if len(never):
            names = join_words(f"{r.sharing} / {r.rule} (`{r.malicious_behavior}`)" for r in never.itertuples())
            text += f"Not reached within the swept fractions: {names}. "
        with_theory = reached[np.isfinite(reached["analytic"])]
        if len(with_theory):
            inside = (with_theory["ci_low"] <= with_theory["analytic"]) & (
                with_theory["analytic"] <= with_theory["ci_high"]
            )
            below = with_theory["ci_high"] < with_theory["analytic"]
            text += (
                f"Of the {len(with_theory)} crossings with an analytic threshold, {int(inside.sum())} have the "
                f"threshold inside their 95% interval, {int(below.sum())} break down *before* it (the interval "
                f"lies below), {int((~inside & ~below).sum())} after it."
            )
        lines.append(text)
    return "\n\n".join(lines)


def headline(found: BreakdownFindings) -> Headline:
    """The report card: the earliest security and protection breakdown points (with their intervals, the
    design named in the label), as shares of nodes."""
    table = found.table
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for outcome in ("security", "protection"):
        # designs across the threshold with no malice at all never held: they are not breakdown points
        sub = table[(table["outcome"] == outcome) & table["reached"] & ~table["left_censored"]]
        sub = sub.sort_values("estimate")
        key = f"f_star_{outcome}_min"
        if sub.empty:
            values[key], labels[key] = "not reached", f"earliest {outcome} f*"
        else:
            row = sub.iloc[0]
            values[key] = (float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"]))
            labels[key] = f"earliest {outcome} f* ({row['sharing']} / {row['rule']} / {row['malicious_behavior']})"
    return Headline(values, labels, {k: "of nodes" for k in values})
