"""Study 08 (``notebooks/08_sensitivity``): which parameters drive protection, security, false blocks and
cost, and where in parameter space do forgeries get through? The methods are
:mod:`workbench.analysis.sensitivity`, :mod:`workbench.analysis.prim` and their figures and prose helpers;
the stages of the study protocol (:mod:`workbench.analysis.studies`): :func:`design`, :func:`analyse`,
the ``plot_*`` functions, :func:`indices_prose`, :func:`prim_prose`, :func:`headline`."""

from workbench.analysis.studies.sensitivity.analysis import SensitivityFindings, analyse
from workbench.analysis.studies.sensitivity.design import SIZES, STUDY_BASE, describe, design
from workbench.analysis.studies.sensitivity.figures import (
    plot_indices,
    plot_morris_planes,
    plot_prim_box,
    plot_prim_trajectory,
    plot_scores,
)
from workbench.analysis.studies.sensitivity.prose import headline, indices_prose, prim_prose, second_order

__all__ = [
    "SIZES",
    "STUDY_BASE",
    "SensitivityFindings",
    "analyse",
    "describe",
    "design",
    "headline",
    "indices_prose",
    "plot_indices",
    "plot_morris_planes",
    "plot_prim_box",
    "plot_prim_trajectory",
    "plot_scores",
    "prim_prose",
    "second_order",
]
