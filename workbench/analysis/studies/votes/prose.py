"""Study 06's prose and headline, every number taken from its findings."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.analysis.studies.common import fmt_interval
from workbench.analysis.studies.protocol import Headline
from workbench.analysis.studies.votes.analysis import VoteFindings


def prose(found: VoteFindings) -> str:
    """Findings as Markdown, every number from ``found.table`` (:func:`cell_table`)."""
    table, by = found.table, found.by
    lines = []
    for _, row in table.iterrows():
        cell = " / ".join(str(row[c]) for c in by) + f", {row['sig_class']} signatures"
        if row["verdict"] == "too few signatures":
            lines.append(f"- {cell}: fewer than three signatures with votes; nothing to estimate.")
            continue
        text = (
            f"- {cell}: {row['n_signatures']} signatures, {row['mean_votes']:.1f} honest votes each on average, "
            f"approval share {row['approve_share']:.3f}; "
        )
        if row["verdict"].startswith("unanimous"):
            text += (
                f"every honest vote agreed, so there is no error whose correlation could be measured; the rule was "
                f"met on {row['observed']:.1%} of them."
            )
        else:
            text += (
                f"rho = {fmt_interval(row['rho'], row['rho_low'], row['rho_high'], digits=3)}, "
                f"n_eff = {row['n_eff']:.1f} of {row['mean_votes']:.1f}. Observed "
                f"{fmt_interval(row['observed'], row['obs_low'], row['obs_high'], digits=3)}; binomial predicts "
                f"{row['binomial']:.3f}, n_eff {row['effective']:.3f}, beta-binomial "
                f"{row['betabinomial']:.3f}: **{row['verdict']}**."
            )
            if row["verdict"] == "independence fails" and np.isfinite(row["bb_limit"]):
                text += (
                    f" With this correlation no committee, however large, does better than "
                    f"{row['bb_limit']:.3f} (the beta-binomial limit), where independence promises 1."
                )
        lines.append(text)
    counts = table["verdict"].value_counts()
    summary = ", ".join(f"{n} {v}" for v, n in counts.items())
    return f"Verdicts over {len(table)} cells: {summary}.\n\n" + "\n".join(lines)


def headline(found: VoteFindings) -> Headline:
    """The report card: the largest vote correlation measured (with its interval), and how many cells break
    independence."""
    table, by = found.table, found.by
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    measured = table[np.isfinite(table["rho"].astype(float))]
    if len(measured):
        top = measured.sort_values("rho").iloc[-1]
        values["rho_max"] = (float(top["rho"]), float(top["rho_low"]), float(top["rho_high"]))
        cell = " / ".join(str(top[c]) for c in [*by, "sig_class"])
        labels["rho_max"] = f"largest vote correlation rho ({cell})"
    else:
        values["rho_max"], labels["rho_max"] = "not measurable (unanimous votes)", "vote correlation rho"
    values["cells_failing"] = int((table["verdict"] == "independence fails").sum())
    labels["cells_failing"] = f"cells where the binomial prediction misses (of {len(table)})"
    return Headline(values, labels)
