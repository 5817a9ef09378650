"""Study 04's analysis: how much malice does each design survive? Breakdown points of sharing x consensus x
behaviour.

For every design (sharing mode and consensus rule) and malicious behaviour, ``malicious_fraction`` is
swept and two breakdown points are estimated (:func:`workbench.analysis.breakdown.breakdown_point`):

- *security*: the smallest fraction at which the mean share of forged signatures reaching an honest
  node's blocklist (``forged_reach_frac``) exceeds ``forged_threshold``;
- *protection*: the smallest fraction at which the mean share of honest nodes protected against a
  campaign at the end of its window (``protected_frac_mean``) falls below ``protected_level``.

Beside them, the analytic thresholds where they exist: a majority is safe and live below 1/2; a
supermajority with quorum ``q`` is safe below ``q`` (colluders alone cannot reach ``q``) and live below
``1 - q`` (honest voters alone still reach ``q``); and the finite-N collusion formula
``P(Bin(V - c, e) >= Q - c)`` (:func:`workbench.model.consensus.collusion_false_acceptance`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis.breakdown import breakdown_point
from workbench.analysis.intervals import share_table
from workbench.analysis.stats import mean_ci
from workbench.analysis.studies.breakdown.design import RULES
from workbench.analysis.studies.protocol import StudyDesign
from workbench.model.consensus import approvals_needed, collusion_false_acceptance

FORGED, PROTECTED = "forged_reach_frac", "protected_frac_mean"

DESIGN = ["sharing", "rule", "malicious_behavior"]


def with_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds ``forged_reached`` (forged signatures that reached an honest blocklist): the count behind
    ``forged_reach_frac``, recovered as ``round(frac * signatures_forged)`` so that shares pool over runs."""
    reached = np.round(frame[FORGED].astype(float) * frame["signatures_forged"].astype(float))
    return frame.assign(forged_reached=reached.where(frame["signatures_forged"] > 0))


def curves(frame: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per design x behaviour x fraction: the pooled forged-reach share with its Wilson interval
    (``forged_share``, ``forged_low``, ``forged_high``, ``forged_made``) and the replicate mean of
    ``protected_frac_mean`` with its t interval (``protected``, ``protected_low``, ``protected_high``)."""
    data = with_counts(frame)
    keys = [*DESIGN, "malicious_fraction"]
    forged = share_table(
        data.dropna(subset=["forged_reached"]), "forged_reached", "signatures_forged", keys, confidence
    ).rename(
        columns={"share": "forged_share", "ci_low": "forged_low", "ci_high": "forged_high", "trials": "forged_made"}
    )
    ok = data[data["status"] == "ok"] if "status" in data.columns else data
    rows = []
    for key, group in ok.groupby(keys, sort=True):
        mean, low, high = mean_ci(group[PROTECTED].to_numpy(dtype=float), confidence)
        rows.append(
            {
                **dict(zip(keys, key)),
                "protected": mean,
                "protected_low": low,
                "protected_high": high,
                "runs": len(group),
            }
        )
    protected = pd.DataFrame(rows, columns=[*keys, "protected", "protected_low", "protected_high", "runs"])
    merged = protected.merge(
        forged[[*keys, "forged_made", "forged_share", "forged_low", "forged_high"]], on=keys, how="left"
    )
    return merged.sort_values(keys, kind="stable").reset_index(drop=True)


def analytic_thresholds(rule: str) -> tuple[float, float]:
    """``(safety, liveness)``: the malicious fraction below which colluders cannot confirm a forgery on
    their own votes, and below which honest voters still confirm on theirs (every node voting):
    majority ``(1/2, 1/2)``, supermajority ``q`` ``(q, 1 - q)``; NaN where no vote count decides."""
    params = RULES.get(rule)
    if params is None or params["consensus"] == "trust_weighted":
        return (np.nan, np.nan)
    if params["consensus"] == "majority":
        return (0.5, 0.5)
    q = params["quorum"]
    return (q, 1 - q)


def collusion_f_star(n_nodes: int, rule: str, threshold: float, error: float = 0.0) -> float:
    """Smallest malicious fraction ``m / N`` at which the collusion formula's chance that a forgery is
    confirmed exceeds ``threshold``: every node but the forging origin votes (``V = N - 1``), the other
    ``m - 1`` malicious nodes approve, each honest voter approves with probability ``error``, and
    ``Q = approvals_needed(V)`` approvals confirm. NaN for rules without a count threshold or when even
    ``m = N - 1`` does not cross."""
    params = RULES.get(rule)
    if params is None or params["consensus"] == "trust_weighted":
        return np.nan
    voters = n_nodes - 1
    needed = int(approvals_needed(voters, params["consensus"], params.get("quorum", 2 / 3)))
    for m in range(1, n_nodes):
        if collusion_false_acceptance(voters, m - 1, error, needed) > threshold:
            return m / n_nodes
    return np.nan


def breakdown_table(
    frame: pd.DataFrame,
    forged_threshold: float = 0.1,
    protected_level: float = 0.5,
    n_boot: int = 2000,
    seed: int = 0,
    n_nodes: int | None = None,
) -> pd.DataFrame:
    """f* for both outcomes, one row per design x behaviour x outcome (``"security"``, ``"protection"``).

    Columns: ``sharing, rule, malicious_behavior, outcome, estimate, ci_low, ci_high, reached,
    left_censored, n_levels, n_runs`` (:func:`breakdown_point`, bootstrap over replicates), ``analytic``
    (safety threshold for security, liveness for protection; NaN where there is none) and, for the
    security rows of collusion-type behaviours, ``collusion_formula`` (:func:`collusion_f_star` with
    ``error = 0``; needs ``n_nodes``). A behaviour that made no forgery has no security row.
    """
    parts = []
    for outcome, column, threshold, direction in (
        ("security", FORGED, forged_threshold, "above"),
        ("protection", PROTECTED, protected_level, "below"),
    ):
        table = breakdown_point(
            frame, column, "malicious_fraction", threshold, by=DESIGN, direction=direction, n_boot=n_boot, seed=seed
        )
        parts.append(table.assign(outcome=outcome, threshold=threshold))
    table = pd.concat(parts, ignore_index=True)
    analytic = [analytic_thresholds(r)[0 if o == "security" else 1] for r, o in zip(table["rule"], table["outcome"])]
    formula = [
        collusion_f_star(n_nodes, r, forged_threshold)
        if n_nodes and o == "security" and b in ("collude", "betray")
        else np.nan
        for r, o, b in zip(table["rule"], table["outcome"], table["malicious_behavior"])
    ]
    table = table.assign(analytic=analytic, collusion_formula=formula)
    columns = [
        *DESIGN,
        "outcome",
        "threshold",
        "estimate",
        "ci_low",
        "ci_high",
        "reached",
        "left_censored",
        "analytic",
        "collusion_formula",
        "n_levels",
        "n_runs",
    ]
    return table[columns].sort_values(["outcome", *DESIGN], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class BreakdownFindings:
    """What study 04 found: the outcome curves over the malicious fraction (:func:`curves`), the breakdown
    points (:func:`breakdown_table`) and the thresholds that defined them."""

    curves: pd.DataFrame
    table: pd.DataFrame
    forged_threshold: float
    protected_level: float


def analyse(
    design: StudyDesign,
    results: pd.DataFrame,
    forged_threshold: float = 0.1,
    protected_level: float = 0.5,
    n_boot: int = 2000,
    seed: int = 0,
) -> BreakdownFindings:
    """Curves and breakdown points of ``results`` (the frame ``design.run()`` gave); the collusion formula is
    evaluated for the design's network size."""
    return BreakdownFindings(
        curves(results),
        breakdown_table(
            results, forged_threshold, protected_level, n_boot=n_boot, seed=seed, n_nodes=design.base.n_nodes
        ),
        forged_threshold,
        protected_level,
    )
