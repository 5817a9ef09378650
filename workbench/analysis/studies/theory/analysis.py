"""Study 07's analysis: the checks as tables, one per group and one of all of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.analysis import theory_check as tc


@dataclass(frozen=True)
class TheoryFindings:
    """What study 07 found: one row per check (:func:`workbench.analysis.theory_check.checks_frame`), by
    group and all together."""

    groups: dict[str, pd.DataFrame]
    checks: pd.DataFrame

    @property
    def agree(self) -> int:
        """Checks whose simulated value lies inside the formula's band."""
        return int(self.checks["agrees"].sum())


def analyse(checks: Mapping[str, Sequence[tc.Check]]) -> TheoryFindings:
    """Tables of the checks :meth:`TheoryDesign.run` returned, by group (in their order) and together."""
    groups = {group: tc.checks_frame(found) for group, found in checks.items()}
    return TheoryFindings(groups, tc.checks_frame(c for found in checks.values() for c in found))


def demers_comparison(size: str = "small", seed: int = 0) -> pd.DataFrame:
    """:func:`workbench.analysis.theory_check.demers_table` for study 07: ``"small"``: k = 1..3, one seed (60
    rumours per cell, as the test); ``"full"``: k = 1..5 over seeds ``seed .. seed + 2``."""
    full = size == "full"
    return tc.demers_table(ks=range(1, 6) if full else (1, 2, 3), seeds=range(seed, seed + (3 if full else 1)))


def demers_wide(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison in the paper's layout: a row per table and ``k``, per measure the published value, the
    simulated mean with its 95% interval (``*`` marks a published value outside the stated margin) and the mean
    of the same process simulated without the model's code (``reference``; ``!`` marks a model mean outside
    2.58 standard errors of the difference from it)."""

    def cell(row: pd.Series) -> str:
        mark = "" if row.agrees else " *"
        return f"{row.observed:.4g} [{row.obs_low:.4g}, {row.obs_high:.4g}]{mark}"

    def reference(row: pd.Series) -> str:
        if pd.isna(row.reference):
            return ""
        return f"{row.reference:.4g}" + ("" if row.matches_reference else " !")

    out = table.assign(simulated=table.apply(cell, axis=1), reference=table.apply(reference, axis=1))
    wide = out.pivot_table(
        index=["table", "k"],
        columns="measure",
        values=["published", "simulated", "reference"],
        aggfunc="first",
        sort=False,
    )
    wide.columns = [f"{measure} {what}" for what, measure in wide.columns]
    order = [f"{m} {w}" for m in tc.DEMERS_MEASURES for w in ("published", "simulated", "reference")]
    return wide[order]
