"""Study 05 (``notebooks/05_frontier``): what does protection cost? The frontier of sharing designs over
protection over time, benign flows blocked, forged harm and messages. The stages of the study protocol (:mod:`workbench.analysis.studies`): :func:`design`,
:func:`analyse`, :func:`plot_frontier`, :func:`front_listing`, :func:`prose`, :func:`headline`."""

from workbench.analysis.studies.frontier.analysis import (
    OBJECTIVES,
    FrontierFindings,
    analyse,
    design_labels,
    design_table,
    merge_identical,
    structural_zeros,
)
from workbench.analysis.studies.frontier.design import FACTORS, SIZES, describe, design
from workbench.analysis.studies.frontier.figures import plot_frontier
from workbench.analysis.studies.frontier.prose import front_listing, headline, listing, prose

__all__ = [
    "FACTORS",
    "OBJECTIVES",
    "SIZES",
    "FrontierFindings",
    "analyse",
    "describe",
    "design",
    "design_labels",
    "design_table",
    "front_listing",
    "headline",
    "listing",
    "merge_identical",
    "plot_frontier",
    "prose",
    "structural_zeros",
]
