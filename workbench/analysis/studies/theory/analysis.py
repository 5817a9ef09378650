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
