"""Study 04 (``notebooks/04_breakdown``): how much malice does each design survive? Breakdown points of
sharing x consensus x behaviour, beside the analytic thresholds. The stages of the study protocol
(:mod:`workbench.analysis.studies`): :func:`design`, :func:`analyse`, :func:`plot_curves`, :func:`prose`,
:func:`headline`."""

from workbench.analysis.studies.breakdown.analysis import (
    DESIGN,
    FORGED,
    PROTECTED,
    BreakdownFindings,
    analyse,
    analytic_thresholds,
    breakdown_table,
    collusion_f_star,
    curves,
    with_counts,
)
from workbench.analysis.studies.breakdown.design import RULES, SIZES, VOTING, blocks, describe, design
from workbench.analysis.studies.breakdown.figures import plot_curves
from workbench.analysis.studies.breakdown.prose import display_table, f_star_text, headline, prose

__all__ = [
    "DESIGN",
    "FORGED",
    "PROTECTED",
    "RULES",
    "SIZES",
    "VOTING",
    "BreakdownFindings",
    "analyse",
    "analytic_thresholds",
    "blocks",
    "breakdown_table",
    "collusion_f_star",
    "curves",
    "describe",
    "design",
    "display_table",
    "f_star_text",
    "headline",
    "plot_curves",
    "prose",
    "with_counts",
]
