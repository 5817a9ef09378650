"""Study 04's analysis: how much malice does each design survive? Breakdown points of sharing x consensus x
behaviour.

For every design (sharing mode and consensus rule) and malicious behaviour, ``malicious_fraction`` is
swept and three breakdown points are estimated (:func:`workbench.analysis.breakdown.breakdown_point`):

- *security*: the smallest fraction at which the mean share of forged signatures reaching an honest
  node's blocklist (``forged_reach_frac``) exceeds ``forged_threshold``;
- *protection*: the smallest fraction at which the mean share of honest nodes protected against a
  campaign, averaged over every step of its window (``protected_time_frac_mean``), falls below
  ``protected_level``.

- *advantage*: the smallest fraction at which a sharing design protects fewer honest nodes over time than
  isolated nodes (``sharing="none"``) with the same seeds: the mean over replicates of the paired difference
  ``protected_time_frac_mean(design) - protected_time_frac_mean(none)`` (same malicious behaviour,
  fraction and seed; common random numbers) falls below 0 (:func:`with_advantage`). Unlike the
  protection level, it does not rest on a fixed threshold that a design may already sit near, or below,
  without malice (the study's curves show where each one starts): it is where sharing stops paying, the
  question the study asks.

Beside the security breakdown point, the band the model's own voter model puts it in
(:func:`voter_model_band`, computed exactly by
:func:`workbench.model.consensus.forgery_confirm_probability`): the voters are the holders of a forgery
but its forging origin (``N - 1`` once every node holds it, as on the ledger), the ``m - 1`` other
malicious nodes approve it, the votes count over those that arrived, with the turnout floor
``min_participation`` and ``min_votes``, and honest evidence voters either all reject (the band's upper
end) or all abstain (its lower end, where colluders alone meet the floor). The textbook thresholds (a
majority safe below 1/2, a supermajority below ``q``) assume every node votes; they are the upper end
only, and evidence voters abstain where their traffic holds no evidence.
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
from workbench.model.consensus import forgery_confirm_probability
from workbench.model.params import ModelParams

FORGED, PROTECTED = "forged_reach_frac", "protected_time_frac_mean"
ADVANTAGE = "protection_advantage"  # protected_time_frac_mean minus the isolated run's with the same seed
REFERENCE = "none"  # the isolated design, the reference of the advantage

DESIGN = ["sharing", "rule", "malicious_behavior"]


def with_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds ``forged_reached`` (forged signatures that reached an honest blocklist): the count behind
    ``forged_reach_frac``, recovered as ``round(frac * signatures_forged)`` so that shares pool over runs."""
    reached = np.round(frame[FORGED].astype(float) * frame["signatures_forged"].astype(float))
    return frame.assign(forged_reached=reached.where(frame["signatures_forged"] > 0))


def with_advantage(frame: pd.DataFrame) -> pd.DataFrame:
    """The runs of every design but the isolated one, with :data:`ADVANTAGE`: the run's
    ``protected_time_frac_mean`` minus that of the isolated run (``sharing`` :data:`REFERENCE`) with the
    same behaviour, fraction and seed (``seed``, else ``replicate``). Empty when ``frame`` has no isolated
    runs; runs with no isolated partner are left out."""
    key = "seed" if "seed" in frame.columns else "replicate"
    on = ["malicious_behavior", "malicious_fraction", key]
    reference = frame[frame["sharing"] == REFERENCE]
    if reference.empty or key not in frame.columns:
        return frame.iloc[0:0].assign(**{ADVANTAGE: []})
    partner = reference[[*on, PROTECTED]].rename(columns={PROTECTED: "_reference"}).drop_duplicates(on)
    paired = frame[frame["sharing"] != REFERENCE].merge(partner, on=on, how="inner")
    values = paired[PROTECTED].astype(float) - paired["_reference"].astype(float)
    return paired.drop(columns="_reference").assign(**{ADVANTAGE: values})


def curves(frame: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per design x behaviour x fraction: the pooled forged-reach share with its Wilson interval
    (``forged_share``, ``forged_low``, ``forged_high``, ``forged_made``) and the replicate mean of
    ``protected_time_frac_mean`` with its t interval (``protected``, ``protected_low``, ``protected_high``)."""
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


#: behaviours whose malicious nodes approve forgeries (the voter model's colluders)
COLLUDING = ("collude", "betray")


def voter_model_f_star(params: ModelParams, rule: str, threshold: float, reject: float, approve: float = 0.0) -> float:
    """Smallest malicious fraction ``m / N`` (``m`` whole nodes) at which a forgery is confirmed with
    probability above ``threshold`` under the model's voter model
    (:func:`~workbench.model.consensus.forgery_confirm_probability`): ``N - 1`` eligible voters (every node
    but the forging origin holds it), ``m - 1`` colluding voters, honest voters rejecting with probability
    ``reject`` and approving with ``approve``, ``params``' turnout floor (``min_participation``) and
    ``min_votes``, and ``rule``'s count. NaN for rules without a count threshold (``trust_weighted``, a
    design that does not vote) and when even ``m = N - 1`` does not cross."""
    fields = RULES.get(rule)
    if fields is None or fields["consensus"] == "trust_weighted":
        return np.nan
    n, eligible = params.n_nodes, params.n_nodes - 1
    for m in range(1, n):
        p = forgery_confirm_probability(
            eligible,
            m - 1,
            reject,
            approve,
            fields["consensus"],
            fields.get("quorum", params.quorum),
            params.min_votes,
            params.min_participation,
        )
        if p > threshold:
            return m / n
    return np.nan


def voter_model_band(params: ModelParams, rule: str, threshold: float) -> tuple[float, float]:
    """``(low, high)``: the voter model's security breakdown points when every honest voter abstains
    (colluders decide alone once they meet the turnout floor) and when every honest voter rejects a
    forgery (the textbook case, every node voting), both by :func:`voter_model_f_star`. An honest
    evidence voter rejects a forgery when its recent traffic matches the forged rule and abstains when
    none does, so a ledger's simulated f* should lie in the band; NaN where the rule has no count."""
    return (voter_model_f_star(params, rule, threshold, 0.0), voter_model_f_star(params, rule, threshold, 1.0))


def breakdown_table(
    frame: pd.DataFrame,
    forged_threshold: float = 0.1,
    protected_level: float = 0.5,
    n_boot: int = 2000,
    seed: int = 0,
    params: ModelParams | None = None,
) -> pd.DataFrame:
    """f* for every outcome, one row per design x behaviour x outcome (``"security"``, ``"protection"`` and,
    where ``frame`` has isolated runs, ``"advantage"``: :func:`with_advantage` falling below 0).

    Columns: ``sharing, rule, malicious_behavior, outcome, estimate, ci_low, ci_high, reached,
    left_censored, n_levels, n_runs`` (:func:`breakdown_point`, bootstrap over replicates) and, for the
    security rows of colluding behaviours (:data:`COLLUDING`) of designs that vote by count,
    ``voter_low``/``voter_high``: the voter model's band (:func:`voter_model_band` for ``params``, the
    study's base parameters; NaN elsewhere or without ``params``). A behaviour that made no forgery has
    no security row. Protection has no such formula (it depends on detection and spread, not only on the
    vote), so its rows have none.
    """
    parts = []
    advantage = with_advantage(frame)
    for outcome, data, column, threshold, direction in (
        ("security", frame, FORGED, forged_threshold, "above"),
        ("protection", frame, PROTECTED, protected_level, "below"),
        ("advantage", advantage, ADVANTAGE, 0.0, "below"),
    ):
        if data.empty:
            continue
        table = breakdown_point(
            data, column, "malicious_fraction", threshold, by=DESIGN, direction=direction, n_boot=n_boot, seed=seed
        )
        parts.append(table.assign(outcome=outcome, threshold=threshold))
    table = pd.concat(parts, ignore_index=True)
    # an outcome with no defined value (no forgery made) leaves object columns after the concat
    table = table.astype({"reached": bool, "left_censored": bool})
    bands = {
        rule: voter_model_band(params, rule, forged_threshold) if params is not None else (np.nan, np.nan)
        for rule in table["rule"].unique()
    }
    applies = (table["outcome"] == "security") & table["malicious_behavior"].isin(COLLUDING)
    table = table.assign(
        voter_low=[bands[r][0] if a else np.nan for r, a in zip(table["rule"], applies)],
        voter_high=[bands[r][1] if a else np.nan for r, a in zip(table["rule"], applies)],
    )
    columns = [
        *DESIGN,
        "outcome",
        "threshold",
        "estimate",
        "ci_low",
        "ci_high",
        "reached",
        "left_censored",
        "voter_low",
        "voter_high",
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
    """Curves and breakdown points of ``results`` (the frame ``design.run()`` gave); the voter model's band
    is computed for the design's base parameters."""
    return BreakdownFindings(
        curves(results),
        breakdown_table(results, forged_threshold, protected_level, n_boot=n_boot, seed=seed, params=design.base),
        forged_threshold,
        protected_level,
    )
