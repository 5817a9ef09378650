"""Study 06 (``notebooks/06_correlated_votes``): do honest voters err independently? Vote correlation,
effective voters, and Condorcet's promise. The stages of the study protocol
(:mod:`workbench.analysis.studies`): :func:`design`, :func:`analyse`, :func:`plot_observed_vs_predicted`,
:func:`plot_promise`, :func:`prose`, :func:`headline`."""

from workbench.analysis.studies.votes.analysis import (
    BY,
    CLASSES,
    VoteFindings,
    analyse,
    cell_table,
    compare,
    signature_class,
    vote_matrix,
    voter_kind,
)
from workbench.analysis.studies.votes.design import CONTROL_ACCURACY, SIZES, STUDY_BASE, describe, design
from workbench.analysis.studies.votes.figures import plot_observed_vs_predicted, plot_promise
from workbench.analysis.studies.votes.prose import headline, prose

__all__ = [
    "BY",
    "CLASSES",
    "CONTROL_ACCURACY",
    "SIZES",
    "STUDY_BASE",
    "VoteFindings",
    "analyse",
    "cell_table",
    "compare",
    "describe",
    "design",
    "headline",
    "plot_observed_vs_predicted",
    "plot_promise",
    "prose",
    "signature_class",
    "vote_matrix",
    "voter_kind",
]
