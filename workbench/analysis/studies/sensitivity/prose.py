"""Study 08's prose (:mod:`workbench.analysis.sensitivity_report`) and headline, every number taken from its
findings."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.analysis.sensitivity_report import indices_text, prim_text
from workbench.analysis.studies.protocol import Headline
from workbench.analysis.studies.sensitivity.analysis import SensitivityFindings


def _forgery_label(found: SensitivityFindings) -> str:
    return f"more than {found.forgery_threshold:.0%} of forged signatures reaching honest blocklists"


def indices_prose(found: SensitivityFindings) -> str:
    """A paragraph per outcome on its indices, and the outcomes that were skipped."""
    return indices_text(found.indices)


def second_order(found: SensitivityFindings, top: int = 5) -> dict[str, pd.DataFrame]:
    """The ``top`` largest second-order Sobol indices of every outcome (Sobol designs only; else empty)."""
    if found.method != "sobol":
        return {}
    return {
        outcome: result.attrs["S2"].sort_values("S2", ascending=False).head(top).round(3)
        for outcome, result in found.indices.items()
    }


def prim_prose(found: SensitivityFindings) -> str:
    """PRIM's box in a paragraph, or why PRIM was not run."""
    if found.discovery is None:
        return f"PRIM was not run: {found.prim_error}"
    return prim_text(found.discovery, label=_forgery_label(found))


def headline(found: SensitivityFindings) -> Headline:
    """The report card: the share of design points where forgeries get through, and the coverage and density
    of PRIM's box for them; where PRIM could not run, that share (when known) and the factor that matters most
    for the security and the protection outcomes by feature score."""
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    result = found.discovery
    if result is None:
        if found.points_of_interest is None or not found.points_of_interest[1]:
            values["forgery_points"], labels["forgery_points"] = "PRIM not run", "design points with forgeries through"
            return Headline(values, labels)
        k, n = found.points_of_interest
        values["forgery_points"] = k / n
        labels["forgery_points"] = f"share of design points with {_forgery_label(found)} (of {n}; PRIM not run)"
        for role in ("security", "protection"):
            column = found.outcomes.get(role)
            if column in found.scores.columns and found.scores[column].notna().any():
                values[f"top_factor_{role}"] = str(found.scores[column].idxmax())
                labels[f"top_factor_{role}"] = f"factor with the highest feature score for {column}"
        return Headline(values, labels)
    values["forgery_points"] = result.n_of_interest / result.n_cases
    labels["forgery_points"] = f"share of design points with {_forgery_label(found)} (of {result.n_cases})"
    values["box_coverage"] = result.box.coverage
    labels["box_coverage"] = "PRIM box: share of those points inside it (coverage)"
    values["box_density"] = result.box.density
    labels["box_density"] = "PRIM box: share of its points that are such cases (density)"
    return Headline(values, labels)
