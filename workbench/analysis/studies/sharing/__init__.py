"""Study 10 (``notebooks/10_when_sharing_pays``): when does sharing pay? Paired differences of every design
against ``none`` and against ``central`` on the primary outcomes, over the factors that could flip the
answer. The stages of the study protocol (:mod:`workbench.analysis.studies`): :func:`design`,
:func:`analyse`, :func:`plot_differences`, :func:`prose`, :func:`headline`."""

from workbench.analysis.studies.sharing.analysis import (
    STRUCTURAL,
    Primary,
    SharingFindings,
    analyse,
    cells_frame,
    level_table,
    paired_differences,
    primary_outcomes,
    structural_mask,
)
from workbench.analysis.studies.sharing.design import (
    BASE_BLOCK,
    SHARING,
    SIZES,
    Factor,
    base_level,
    describe,
    design,
    factors,
    steps_covering,
)
from workbench.analysis.studies.sharing.figures import plot_differences
from workbench.analysis.studies.sharing.prose import (
    base_table,
    diff_text,
    headline,
    pays_count,
    prose,
    structural_text,
)

__all__ = [
    "BASE_BLOCK",
    "SHARING",
    "SIZES",
    "STRUCTURAL",
    "Factor",
    "Primary",
    "SharingFindings",
    "analyse",
    "base_level",
    "base_table",
    "cells_frame",
    "describe",
    "design",
    "diff_text",
    "factors",
    "headline",
    "level_table",
    "paired_differences",
    "pays_count",
    "plot_differences",
    "primary_outcomes",
    "prose",
    "steps_covering",
    "structural_mask",
    "structural_text",
]
