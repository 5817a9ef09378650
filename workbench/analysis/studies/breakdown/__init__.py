"""Study 04 (``notebooks/04_breakdown``): how much malice does each design survive? Breakdown points of
sharing x consensus x behaviour, beside the band the model's voter model puts them in. The stages of the
study protocol (:mod:`workbench.analysis.studies`): :func:`design`, :func:`analyse`, :func:`plot_curves`,
:func:`prose`, :func:`headline`."""

from workbench.analysis.studies.breakdown.analysis import (
    COLLUDING,
    DESIGN,
    FORGED,
    PROTECTED,
    BreakdownFindings,
    analyse,
    breakdown_table,
    curves,
    voter_model_band,
    voter_model_f_star,
    with_advantage,
    with_counts,
)
from workbench.analysis.studies.breakdown.design import (
    RULES,
    SIZES,
    VOTING,
    blocks,
    describe,
    design,
    fraction_grid,
)
from workbench.analysis.studies.breakdown.figures import plot_curves
from workbench.analysis.studies.breakdown.prose import display_table, f_star_text, headline, prose

__all__ = [
    "COLLUDING",
    "DESIGN",
    "FORGED",
    "PROTECTED",
    "RULES",
    "SIZES",
    "VOTING",
    "BreakdownFindings",
    "analyse",
    "blocks",
    "breakdown_table",
    "curves",
    "describe",
    "design",
    "display_table",
    "f_star_text",
    "fraction_grid",
    "headline",
    "plot_curves",
    "prose",
    "voter_model_band",
    "voter_model_f_star",
    "with_advantage",
    "with_counts",
]
