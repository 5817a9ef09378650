"""Study 05 (``notebooks/05_frontier``): what does protection cost? The security-latency-overhead frontier
of sharing designs. The stages of the study protocol (:mod:`workbench.analysis.studies`): :func:`design`,
:func:`analyse`, :func:`plot_frontier`, :func:`front_listing`, :func:`prose`, :func:`headline`."""

from workbench.analysis.studies.frontier.analysis import FrontierFindings, analyse, design_labels, design_table
from workbench.analysis.studies.frontier.design import FACTORS, SIZES, describe, design
from workbench.analysis.studies.frontier.figures import plot_frontier
from workbench.analysis.studies.frontier.prose import front_listing, headline, prose

__all__ = [
    "FACTORS",
    "SIZES",
    "FrontierFindings",
    "analyse",
    "describe",
    "design",
    "design_labels",
    "design_table",
    "front_listing",
    "headline",
    "plot_frontier",
    "prose",
]
