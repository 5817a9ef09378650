"""Study 12 (``notebooks/12_ledger_under_attack``): the ideal, crash-tolerant and Byzantine-tolerant ledgers,
the central aggregator and gossip under an equivocating leader, a censoring leader, a leader crash and Sybil
identities, compared with the ideal ledger replicate by replicate on the primary outcomes. The stages of the
study protocol (:mod:`workbench.analysis.studies`): :func:`design`, :func:`analyse`,
:func:`plot_differences`, :func:`prose`, :func:`headline`."""

from workbench.analysis.studies.ledger.analysis import (
    PRIMARY,
    LedgerFindings,
    Primary,
    analyse,
    cells_frame,
    findings_of,
    level_table,
    paired_differences,
)
from workbench.analysis.studies.ledger.design import (
    DESIGNS,
    LEDGERS,
    REFERENCE,
    SCENARIOS,
    SIZES,
    Scenario,
    crash_step,
    describe,
    design,
    fractions_around_bound,
    steps_covering,
)
from workbench.analysis.studies.ledger.figures import plot_differences
from workbench.analysis.studies.ledger.prose import (
    diff_text,
    headline,
    level_name,
    prose,
    table,
    value_text,
    verdict_counts,
)

__all__ = [
    "DESIGNS",
    "LEDGERS",
    "PRIMARY",
    "REFERENCE",
    "SCENARIOS",
    "SIZES",
    "LedgerFindings",
    "Primary",
    "Scenario",
    "analyse",
    "cells_frame",
    "crash_step",
    "describe",
    "design",
    "diff_text",
    "findings_of",
    "fractions_around_bound",
    "headline",
    "level_name",
    "level_table",
    "paired_differences",
    "plot_differences",
    "prose",
    "steps_covering",
    "table",
    "value_text",
    "verdict_counts",
]
