"""Study 07's verdict and headline, every number taken from its findings."""

from __future__ import annotations

import pandas as pd

from workbench.analysis.studies.protocol import Headline
from workbench.analysis.studies.theory.analysis import TheoryFindings


def prose(found: TheoryFindings) -> str:
    """How many checks agree, each disagreement with its numbers, and how many disagreements chance explains."""
    checks, agree = found.checks, found.agree
    lines = [
        f"{agree} of {len(checks)} checks agree with their formula (observed value inside the formula's 99% band)."
    ]
    for row in checks[~checks["agrees"]].itertuples():
        lines.append(
            f"- Disagrees: {row.name}: observed {row.observed:.4g} (95% {row.obs_low:.4g} to {row.obs_high:.4g}), "
            f"formula {row.expected:.4g}, band {row.band_low:.4g} to {row.band_high:.4g}, n = {row.n}."
        )
    if len(checks) > agree:
        lines.append(
            f"With {len(checks)} checks at about 99% each, about {0.01 * len(checks):.2f} disagreements are "
            "expected by chance alone; rerun with another `seed` before reading one as a model error."
        )
    return "\n\n".join(lines)


def headline(found: TheoryFindings) -> Headline:
    """The report card: checks inside their band, of checks run."""
    return Headline(
        {"checks_agree": found.agree, "checks": len(found.checks)},
        labels={"checks_agree": "checks inside the formula's 99% band", "checks": "checks run"},
    )


def demers_prose(table: pd.DataFrame) -> str:
    """Per measure, how many of the (table, k) cells agree with Demers et al.'s printed value, each disagreement
    with its numbers, and how many agree with the same process simulated without the model's code."""
    lines = []
    for measure, rows in table.groupby("measure", sort=False):
        agree = int(rows["agrees"].sum())
        line = f"- `{measure}`: {agree} of {len(rows)} cells agree with the published value."
        off = rows[~rows["agrees"]]
        if len(off):
            line += " Off: " + "; ".join(
                f"{r.table} k={r.k}: {r.observed:.4g} (95% {r.obs_low:.4g} to {r.obs_high:.4g}) vs {r.published:g}"
                for r in off.itertuples()
            )
            line += "."
        referenced = rows[rows["reference"].notna()] if "reference" in rows else rows.iloc[:0]
        if len(referenced):
            line += (
                f" The model matches the independent simulation of the process in {int(referenced.matches_reference.sum())}"
                f" of {len(referenced)}; the published value lies within 2.58 standard errors of that simulation's mean"
                f" plus half a printed unit in"
                f" {int(referenced.published_in_reference.sum())} of {len(referenced)}"
            )
            far = referenced[~referenced.published_in_reference]
            if len(far):
                line += (
                    " (process: " + "; ".join(f"{r.table} k={r.k}: {r.reference:.4g}" for r in far.itertuples()) + ")"
                )
            line += "."
        lines.append(line)
    censored = table.drop_duplicates(["table", "k"])["censored"].sum()
    lines.append(f"Rumours still spreading at the end of their run (left out): {int(censored)}.")
    return "\n".join(lines)
