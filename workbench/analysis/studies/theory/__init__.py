"""Study 07 (``notebooks/07_theory_check``): does the model reproduce every closed form it is tested
against? The simulate-and-compare functions are :mod:`workbench.analysis.theory_check` (which the tests
assert on); the stages of the study protocol (:mod:`workbench.analysis.studies`): :func:`design` (the
checks to run; ``design(...).run()`` runs them), :func:`analyse`, :func:`plot_group`, :func:`prose`,
:func:`headline`."""

from workbench.analysis.studies.theory.analysis import TheoryFindings, analyse, demers_comparison, demers_wide
from workbench.analysis.studies.theory.design import TheoryDesign, design
from workbench.analysis.studies.theory.figures import plot_checks, plot_group
from workbench.analysis.studies.theory.prose import demers_prose, headline, prose

__all__ = [
    "TheoryDesign",
    "TheoryFindings",
    "analyse",
    "demers_comparison",
    "demers_prose",
    "demers_wide",
    "design",
    "headline",
    "plot_checks",
    "plot_group",
    "prose",
]
