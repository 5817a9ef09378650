"""Study 06: do honest voters err independently? Vote correlation, effective voters, and Condorcet's promise.

Condorcet's jury theorem promises that a majority of ``n`` independent voters, each right with
probability ``p > 1/2``, is right with a probability that tends to 1 as ``n`` grows. Evidence voters
share a detector family and overlapping traffic, so their errors on one signature may be correlated.
For each cell of the design (topology x voter kind), using the honest votes of every run:

- the intra-class correlation ``rho`` of votes on the same signature (:func:`vote_correlation`, one
  signature class at a time, so that the difference between classes does not pass for correlation),
  and ``n_eff = n / (1 + (n - 1) rho)`` (:func:`effective_voters`);
- the *observed committee outcome*: the share of signatures on which the honest votes cast meet the
  rule (``approvals >= approvals_needed(votes cast)``), with its Wilson interval;
- three predictions of it, averaged over the same signatures (each with its own number of votes
  ``n_i``): binomial with the pooled approval share ``p`` (independence), the binomial rule on
  ``n_eff_i`` voters, and the fitted beta-binomial (:func:`fit_betabinom`).

Independence "breaks the theory's promise" where the binomial prediction falls outside the observed
interval; the beta-binomial's limit ``P(p_i > 1/2)`` (``Beta(alpha, beta)`` tail) is then the best any
committee size can do.
"""

from __future__ import annotations

import warnings
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from workbench.analysis.confirmation import (
    betabinomial_confirm_prob,
    binomial_confirm_prob,
    effective_confirm_prob,
)
from workbench.analysis.intervals import wilson_interval
from workbench.analysis.studies import check_size, fmt_interval
from workbench.analysis.votes import effective_voters, fit_betabinom, n_effective
from workbench.experiments import Sweep
from workbench.model.consensus import approvals_needed

SIZES: dict[str, dict[str, Any]] = {
    # 2 topologies x (zscore at 2 thresholds + iforest + independent control) x 4 replicates = 32 runs
    "small": {
        "topology": ["complete", "scale_free"],
        "zscore_threshold": [4.0, 6.0],
        "replicates": 4,
        "steps": 30,
        "base": {"n_nodes": 20, "flows_per_node": 20},
    },
    # 3 topologies x 4 voter kinds x 30 replicates = 360 runs
    "full": {
        "topology": ["complete", "small_world", "scale_free"],
        "zscore_threshold": [4.0, 6.0],
        "replicates": 30,
        "steps": 40,
        "base": {"n_nodes": 30, "flows_per_node": 20},
    },
}
# every node holds every signature (ledger) and campaigns come often, so that many signatures get many votes
STUDY_BASE = {
    "sharing": "ledger",
    "consensus": "majority",
    "n_campaigns": 6,
    "campaign_interval_steps": 4,
    "malicious_fraction": 0.0,
}
CONTROL_ACCURACY = 0.7  # independent voters: the control in which the binomial must hold


def build_sweeps(
    size: str = "small", seed: int = 0, base: dict[str, Any] | None = None, replicates: int | None = None
) -> tuple[list[Sweep], list[dict[str, Any]]]:
    """Three blocks crossed with ``topology``: z-score evidence voters at each threshold, isolation-forest
    evidence voters, and independent voters with accuracy :data:`CONTROL_ACCURACY` (the control)."""
    plan = SIZES[check_size(size)]
    common = {**plan["base"], **STUDY_BASE, **(base or {})}
    reps = replicates or plan["replicates"]
    spec: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        (
            "zscore",
            {"detector": "zscore", "validation": "evidence"},
            {"topology": plan["topology"], "zscore_threshold": plan["zscore_threshold"]},
        ),
        ("iforest", {"detector": "iforest", "validation": "evidence"}, {"topology": plan["topology"]}),
        (
            "independent",
            {"validation": "independent", "validator_accuracy": CONTROL_ACCURACY},
            {"topology": plan["topology"]},
        ),
    ]
    sweeps, labels = [], []
    for name, extra, factors in spec:
        sweeps.append(
            Sweep(
                {**common, **extra},
                factors,
                replicates=reps,
                steps=plan["steps"],
                seed=seed,
                keep=["votes"],
                name=f"06_votes_{size}_{name}",
            )
        )
        labels.append({"block": name})
    return sweeps, labels


def voter_kind(frame: pd.DataFrame) -> pd.Series:
    """``"zscore z>4"``, ``"iforest"`` or ``"independent p=0.7"`` from a frame's ``block`` (and threshold)."""

    def one(row: pd.Series) -> str:
        if row["block"] == "zscore":
            return f"zscore z>{row['zscore_threshold']:g}"
        if row["block"] == "independent":
            return f"independent p={CONTROL_ACCURACY:g}"
        return str(row["block"])

    return frame.apply(one, axis=1) if len(frame) else pd.Series([], dtype=object)


def vote_matrix(votes: pd.DataFrame) -> np.ndarray:
    """Signatures x nodes matrix of honest votes (1 approve, 0 reject, NaN no vote) from a votes frame
    (``sig_id``, ``node``, ``vote`` +-1, ``node_malicious``; ``run_id`` when several runs are stacked)."""
    honest = votes[~votes["node_malicious"].astype(bool)]
    if honest.empty:
        return np.empty((0, 0))
    key = honest["run_id"].astype(str) + "/" + honest["sig_id"].astype(str) if "run_id" in honest else honest["sig_id"]
    table = honest.assign(key=key.to_numpy(), approve=(honest["vote"] > 0).astype(float))
    return table.pivot_table(index="key", columns="node", values="approve", aggfunc="first").to_numpy(dtype=float)


def compare(
    matrix: np.ndarray,
    rule: str = "majority",
    quorum: float = 2 / 3,
    confidence: float = 0.95,
    n_boot: int = 499,
    seed: int = 0,
) -> dict[str, Any]:
    """Correlation, effective voters, observed committee outcome and its three predictions for one matrix.

    Keys: ``n_signatures``, ``mean_votes``, ``approve_share``, ``rho``, ``rho_low``, ``rho_high``, ``n_eff``,
    ``n_eff_low``, ``n_eff_high``, ``observed``, ``obs_low``, ``obs_high`` (Wilson), ``binomial``,
    ``effective``, ``betabinomial``, ``bb_rho``, ``bb_limit`` (the beta-binomial's large-committee limit
    ``P(p_i > share)``, ``share`` = 1/2 or the quorum) and ``verdict``.
    """
    cast = (~np.isnan(matrix)).sum(axis=1) if matrix.size else np.zeros(0, int)
    rows = matrix[cast >= 1] if matrix.size else matrix
    n_i = cast[cast >= 1]
    out: dict[str, Any] = {"n_signatures": int(n_i.size)}
    if n_i.size < 3:
        return {**out, "verdict": "too few signatures"}
    approvals = np.nansum(rows, axis=1).astype(int)
    k_i = approvals_needed(n_i, rule, quorum)
    passed = approvals >= k_i
    low, high = wilson_interval(int(passed.sum()), int(passed.size), confidence)
    p = float(approvals.sum() / n_i.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate bootstraps (unanimous votes) give NaN intervals
        ev = effective_voters(rows, confidence=confidence, n_boot=n_boot, seed=seed)
    out.update(
        mean_votes=float(n_i.mean()),
        approve_share=p,
        rho=ev.rho,
        rho_low=ev.correlation.ci_low,
        rho_high=ev.correlation.ci_high,
        n_eff=ev.n_eff,
        n_eff_low=ev.n_eff_low,
        n_eff_high=ev.n_eff_high,
        observed=float(passed.mean()),
        obs_low=float(low),
        obs_high=float(high),
        binomial=float(binomial_confirm_prob(n_i, k_i, p).mean()),
    )
    rho = ev.rho if np.isfinite(ev.rho) else 0.0
    out["effective"] = float(effective_confirm_prob(n_effective(n_i, rho), p, rule, quorum).mean())
    share = quorum if rule == "supermajority" else 0.5
    if 0 < p < 1:
        fit = fit_betabinom(rows)
        out.update(
            betabinomial=float(betabinomial_confirm_prob(n_i, k_i, fit.alpha, fit.beta).mean()),
            bb_rho=fit.rho,
            bb_limit=float(stats.beta.sf(share, fit.alpha, fit.beta)),
        )
    else:
        out.update(betabinomial=np.nan, bb_rho=np.nan, bb_limit=float(p > share))
    if not np.isfinite(ev.rho):
        out["verdict"] = "unanimous: no error to correlate"
    elif out["obs_low"] <= out["binomial"] <= out["obs_high"]:
        out["verdict"] = "consistent with independence"
    else:
        out["verdict"] = "independence fails"
    return out


CLASSES = {"genuine": "genuine", "false positive": "false_positive", "forged": "forged"}


def signature_class(votes: pd.DataFrame) -> pd.Series:
    """``genuine``, ``forged`` or ``false positive`` (honest, matching no campaign) per vote row."""
    return pd.Series(
        np.where(votes["genuine"], "genuine", np.where(votes["forged"], "forged", "false positive")), index=votes.index
    )


def cell_table(
    votes: pd.DataFrame,
    by: list[str],
    rule: str = "majority",
    quorum: float = 2 / 3,
    confidence: float = 0.95,
    n_boot: int = 499,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`compare` per group of ``by`` and signature class, one row each (classes with no vote are absent)."""
    data = votes.assign(sig_class=signature_class(votes).to_numpy())
    rows = []
    for key, group in data.groupby([*by, "sig_class"], sort=True):
        key = key if isinstance(key, tuple) else (key,)
        rows.append(
            {
                **dict(zip([*by, "sig_class"], key)),
                **compare(vote_matrix(group), rule, quorum, confidence, n_boot, seed),
            }
        )
    columns = [
        *by,
        "sig_class",
        "n_signatures",
        "mean_votes",
        "approve_share",
        "rho",
        "rho_low",
        "rho_high",
        "n_eff",
        "n_eff_low",
        "n_eff_high",
        "observed",
        "obs_low",
        "obs_high",
        "binomial",
        "effective",
        "betabinomial",
        "bb_rho",
        "bb_limit",
        "verdict",
    ]
    return pd.DataFrame(rows).reindex(columns=columns)


def plot_observed_vs_predicted(table: pd.DataFrame, by: list[str]) -> plt.Figure:
    """Observed committee outcome (with its Wilson interval) against the three predictions, one row per cell."""
    shown = table[np.isfinite(table["observed"].astype(float))].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(shown), 4) + 1), layout="constrained")
    y = np.arange(len(shown))
    ax.errorbar(
        shown["observed"],
        y,
        xerr=[shown["observed"] - shown["obs_low"], shown["obs_high"] - shown["observed"]],
        fmt="o",
        color="k",
        label="observed (Wilson 95%)",
    )
    for column, marker in (("binomial", "x"), ("effective", "^"), ("betabinomial", "s")):
        ax.scatter(shown[column], y, marker=marker, label=column, zorder=3)
    ax.set_yticks(y, [" / ".join(str(r[c]) for c in [*by, "sig_class"]) for _, r in shown.iterrows()], fontsize=8)
    ax.set_xlabel("share of signatures on which the honest votes meet the rule")
    ax.legend(fontsize=8, loc="lower left")
    return fig


def plot_promise(table: pd.DataFrame, by: list[str], sizes: np.ndarray | None = None) -> plt.Figure:
    """Condorcet's promise against the fitted correlation: predicted committee outcome vs committee size,
    binomial (dashed) and beta-binomial (solid), for each cell with a fitted beta-binomial; odd
    committee sizes by default (an even committee needs one vote more than half, a sawtooth that hides the trend)."""
    sizes = np.arange(1, 62, 2) if sizes is None else sizes
    fitted = table[np.isfinite(table["bb_rho"].astype(float)) & (table["bb_rho"] > 0)]
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for _, row in fitted.iterrows():
        k = approvals_needed(sizes, "majority")
        (line,) = ax.plot(sizes, binomial_confirm_prob(sizes, k, row["approve_share"]), ls="--", lw=1)
        alpha = row["approve_share"] * (1 / row["bb_rho"] - 1)
        beta = (1 - row["approve_share"]) * (1 / row["bb_rho"] - 1)
        ax.plot(
            sizes,
            betabinomial_confirm_prob(sizes, k, alpha, beta),
            color=line.get_color(),
            label=" / ".join(str(row[c]) for c in [*by, "sig_class"]),
        )
    ax.set_xlabel("committee size n (independent: dashed; fitted beta-binomial: solid)")
    ax.set_ylabel("P(majority approves)")
    if len(fitted):
        ax.legend(fontsize=7)
    return fig


def prose(table: pd.DataFrame, by: list[str]) -> str:
    """Findings as Markdown, every number from ``table`` (:func:`cell_table`)."""
    lines = []
    for _, row in table.iterrows():
        cell = " / ".join(str(row[c]) for c in by) + f", {row['sig_class']} signatures"
        if row["verdict"] == "too few signatures":
            lines.append(f"- {cell}: fewer than three signatures with votes; nothing to estimate.")
            continue
        text = (
            f"- {cell}: {row['n_signatures']} signatures, {row['mean_votes']:.1f} honest votes each on average, "
            f"approval share {row['approve_share']:.3f}; "
        )
        if row["verdict"].startswith("unanimous"):
            text += (
                f"every honest vote agreed, so there is no error whose correlation could be measured; the rule was "
                f"met on {row['observed']:.1%} of them."
            )
        else:
            text += (
                f"rho = {fmt_interval(row['rho'], row['rho_low'], row['rho_high'], digits=3)}, "
                f"n_eff = {row['n_eff']:.1f} of {row['mean_votes']:.1f}. Observed "
                f"{fmt_interval(row['observed'], row['obs_low'], row['obs_high'], digits=3)}; binomial predicts "
                f"{row['binomial']:.3f}, n_eff {row['effective']:.3f}, beta-binomial "
                f"{row['betabinomial']:.3f}: **{row['verdict']}**."
            )
            if row["verdict"] == "independence fails" and np.isfinite(row["bb_limit"]):
                text += (
                    f" With this correlation no committee, however large, does better than "
                    f"{row['bb_limit']:.3f} (the beta-binomial limit), where independence promises 1."
                )
        lines.append(text)
    counts = table["verdict"].value_counts()
    summary = ", ".join(f"{n} {v}" for v, n in counts.items())
    return f"Verdicts over {len(table)} cells: {summary}.\n\n" + "\n".join(lines)


def headline(table: pd.DataFrame, by: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Values and labels for the report card: the largest vote correlation measured (with its interval),
    and how many cells break independence."""
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    measured = table[np.isfinite(table["rho"].astype(float))]
    if len(measured):
        top = measured.sort_values("rho").iloc[-1]
        values["rho_max"] = (float(top["rho"]), float(top["rho_low"]), float(top["rho_high"]))
        cell = " / ".join(str(top[c]) for c in [*by, "sig_class"])
        labels["rho_max"] = f"largest vote correlation rho ({cell})"
    else:
        values["rho_max"], labels["rho_max"] = "not measurable (unanimous votes)", "vote correlation rho"
    values["cells_failing"] = int((table["verdict"] == "independence fails").sum())
    labels["cells_failing"] = f"cells where the binomial prediction misses (of {len(table)})"
    return values, labels
