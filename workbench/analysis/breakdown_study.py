"""Study 04: how much malice does each design survive? Breakdown points of sharing x consensus x behaviour.

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

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from workbench.analysis.breakdown import breakdown_point
from workbench.analysis.intervals import share_table
from workbench.analysis.stats import mean_ci
from workbench.analysis.studies import check_size, fmt_interval, join_words
from workbench.experiments import Sweep
from workbench.model.channels import CHANNELS
from workbench.model.consensus import approvals_needed, collusion_false_acceptance

# consensus rules by label: the ModelParams fields each sets
RULES: dict[str, dict[str, Any]] = {
    "majority": {"consensus": "majority"},
    "super_0.67": {"consensus": "supermajority", "quorum": 2 / 3},
    "super_0.8": {"consensus": "supermajority", "quorum": 0.8},
    "trust_weighted": {"consensus": "trust_weighted"},
}
# the sharing channels whose peers vote (a block per consensus rule); the others are one block each,
# labelled by who decides (the channel's ``decided_by``)
VOTING = [name for name in CHANNELS.names() if CHANNELS.get(name).carries_votes]
FORGED, PROTECTED = "forged_reach_frac", "protected_frac_mean"

SIZES: dict[str, dict[str, Any]] = {
    # 2 sharing modes x 2 rules x 2 behaviours x 5 fractions x 3 replicates = 120 runs (about 30 s on 2 cores)
    "small": {
        "sharing": VOTING,
        "rules": ["majority", "super_0.8"],
        "behaviors": ["collude", "lie"],
        "fractions": [0.0, 0.15, 0.3, 0.45, 0.6],
        "replicates": 3,
        "steps": 30,
        "base": {"n_nodes": 20, "flows_per_node": 20},
    },
    # (2 voting modes x 4 rules + none + central) x 4 behaviours x 13 fractions x 30 replicates = 15,600 runs
    "full": {
        "sharing": list(CHANNELS.names()),
        "rules": list(RULES),
        "behaviors": ["forge", "lie", "collude", "betray"],
        "fractions": [round(f, 2) for f in np.arange(0.0, 0.61, 0.05)],
        "replicates": 30,
        "steps": 30,
        # betrayers turn after a third of the run (the default, 30 steps, would keep them honest to the end)
        "base": {"n_nodes": 20, "flows_per_node": 20, "betray_after_steps": 10},
    },
}


def blocks(size: str) -> list[tuple[str, str]]:
    """The design's blocks ``(sharing, rule)``: every rule for a channel whose peers vote (ledger, gossip),
    one block for the others (none, central), labelled by who decides."""
    plan = SIZES[check_size(size)]
    out: list[tuple[str, str]] = []
    for sharing in plan["sharing"]:
        channel = CHANNELS.get(sharing)
        out += [(sharing, rule) for rule in plan["rules"]] if channel.carries_votes else [(sharing, channel.decided_by)]
    return out


def build_sweeps(
    size: str = "small",
    seed: int = 0,
    base: dict[str, Any] | None = None,
    fractions: list[float] | None = None,
    replicates: int | None = None,
) -> tuple[list[Sweep], list[dict]]:
    """The study's sweeps (one per block, each crossing behaviour x malicious fraction) and their labels.

    ``base`` overrides model parameters of every run; ``fractions``/``replicates`` override the size's.
    """
    plan = SIZES[check_size(size)]
    sweeps, labels = [], []
    for sharing, rule in blocks(size):
        params = {**plan["base"], **(base or {}), "sharing": sharing, **RULES.get(rule, {})}
        sweeps.append(
            Sweep(
                params,
                {"malicious_behavior": plan["behaviors"], "malicious_fraction": fractions or plan["fractions"]},
                replicates=replicates or plan["replicates"],
                steps=plan["steps"],
                seed=seed,
                name=f"04_breakdown_{size}_{sharing}_{rule}",
            )
        )
        labels.append({"sharing": sharing, "rule": rule})
    return sweeps, labels


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


def f_star_text(row: pd.Series) -> str:
    """A breakdown point as text: ``"0.31 (0.27 to 0.35)"``, ``"≤ 0.15"`` (left-censored) or ``"not reached (…)"``."""
    if not row["reached"]:
        low = row["ci_low"]
        bound = f"; 95% lower bound {low:.2f}" if np.isfinite(low) else ""
        return f"not reached{bound}"
    if row["left_censored"]:
        return f"≤ {row['estimate']:.2f} (already at the smallest level)"
    return fmt_interval(row["estimate"], row["ci_low"], row["ci_high"])


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The f* table for reading: one text column per breakdown point, analytic thresholds beside it."""
    out = table[[*DESIGN, "outcome"]].copy()
    out["f_star (95% CI)"] = [f_star_text(row) for _, row in table.iterrows()]
    out["analytic"] = table["analytic"].map(lambda x: "—" if np.isnan(x) else f"{x:.2f}")
    out["collusion formula"] = table["collusion_formula"].map(lambda x: "—" if np.isnan(x) else f"{x:.2f}")
    out["runs"] = table["n_runs"]
    return out


def plot_curves(curve: pd.DataFrame, forged_threshold: float, protected_level: float) -> plt.Figure:
    """Two rows of panels (forged reach, protected share) x one column per behaviour; a line per design,
    with its interval band and the threshold dashed."""
    behaviours = sorted(curve["malicious_behavior"].unique())
    fig, axes = plt.subplots(
        2,
        len(behaviours),
        figsize=(4.2 * len(behaviours), 7),
        squeeze=False,
        sharex=True,
        sharey="row",
        layout="constrained",
    )
    for j, behaviour in enumerate(behaviours):
        sub = curve[curve["malicious_behavior"] == behaviour]
        for (sharing, rule), line in sub.groupby(["sharing", "rule"], sort=True):
            label = f"{sharing} / {rule}"
            for i, (mid, low, high) in enumerate(
                (("forged_share", "forged_low", "forged_high"), ("protected", "protected_low", "protected_high"))
            ):
                ax = axes[i, j]
                shown = line.dropna(subset=[mid])
                (drawn,) = ax.plot(shown["malicious_fraction"], shown[mid], marker="o", ms=3, label=label)
                ax.fill_between(
                    shown["malicious_fraction"],
                    shown[low].clip(0, 1),
                    shown[high].clip(0, 1),
                    color=drawn.get_color(),
                    alpha=0.15,
                    linewidth=0,
                )
        if not np.isfinite(sub["forged_share"].astype(float)).any():
            axes[0, j].text(0.5, 0.5, "no forgery made", ha="center", va="center", transform=axes[0, j].transAxes)
        axes[0, j].axhline(forged_threshold, color="k", ls="--", lw=0.8)
        axes[1, j].axhline(protected_level, color="k", ls="--", lw=0.8)
        axes[0, j].set_title(behaviour)
        axes[1, j].set_xlabel("malicious fraction")
    axes[0, 0].set_ylabel("forged signatures reaching honest blocklists\n(pooled share, Wilson 95%)")
    axes[1, 0].set_ylabel("honest nodes protected per campaign\n(mean, t 95%)")
    for ax in axes.flat:
        ax.set_ylim(-0.02, 1.02)
    handles, names = axes[1, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside right center", fontsize=8)
    return fig


def prose(table: pd.DataFrame) -> str:
    """The study's findings as Markdown, every number taken from ``table`` (:func:`breakdown_table`).

    Designs already across the threshold at the smallest swept fraction (``left_censored``, e.g. an isolated
    network that never protects half its nodes) are named apart: they do not break down, they never held.
    """
    lines = []
    for outcome, what in (
        ("security", "forged signatures reaching honest blocklists exceed"),
        ("protection", "the share of honest nodes protected falls below"),
    ):
        sub = table[table["outcome"] == outcome]
        if sub.empty:
            continue
        threshold = sub["threshold"].iloc[0]
        never_held = sub[sub["reached"] & sub["left_censored"]]
        reached = sub[sub["reached"] & ~sub["left_censored"]].sort_values("estimate")
        never = sub[~sub["reached"]]
        text = f"**{outcome.capitalize()}** (f* = smallest malicious fraction at which {what} {threshold:.0%}): "
        if len(reached):
            worst, best = reached.iloc[0], reached.iloc[-1]
            text += (
                f"{len(reached)} of {len(sub)} design-behaviour pairs break down inside the swept range; the "
                f"earliest is {worst['sharing']} / {worst['rule']} against `{worst['malicious_behavior']}` at "
                f"f* = {f_star_text(worst)}, the latest {best['sharing']} / {best['rule']} against "
                f"`{best['malicious_behavior']}` at {f_star_text(best)}. "
            )
        if len(never_held):
            names = join_words(f"{r.sharing} / {r.rule} (`{r.malicious_behavior}`)" for r in never_held.itertuples())
            smallest = never_held["estimate"].min()
            text += f"Already across the threshold at the smallest fraction swept ({smallest:g}): {names}. "
        if len(never):
            names = join_words(f"{r.sharing} / {r.rule} (`{r.malicious_behavior}`)" for r in never.itertuples())
            text += f"Not reached within the swept fractions: {names}. "
        with_theory = reached[np.isfinite(reached["analytic"])]
        if len(with_theory):
            inside = (with_theory["ci_low"] <= with_theory["analytic"]) & (
                with_theory["analytic"] <= with_theory["ci_high"]
            )
            below = with_theory["ci_high"] < with_theory["analytic"]
            text += (
                f"Of the {len(with_theory)} crossings with an analytic threshold, {int(inside.sum())} have the "
                f"threshold inside their 95% interval, {int(below.sum())} break down *before* it (the interval "
                f"lies below), {int((~inside & ~below).sum())} after it."
            )
        lines.append(text)
    return "\n\n".join(lines)


def headline(table: pd.DataFrame) -> tuple[dict[str, Any], dict[str, str]]:
    """Values and labels for :func:`~workbench.analysis.headline.show_headline`: the earliest security and
    protection breakdown points (with their intervals, the design named in the label)."""
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for outcome in ("security", "protection"):
        # designs across the threshold with no malice at all never held: they are not breakdown points
        sub = table[(table["outcome"] == outcome) & table["reached"] & ~table["left_censored"]]
        sub = sub.sort_values("estimate")
        key = f"f_star_{outcome}_min"
        if sub.empty:
            values[key], labels[key] = "not reached", f"earliest {outcome} f*"
        else:
            row = sub.iloc[0]
            values[key] = (float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"]))
            labels[key] = f"earliest {outcome} f* ({row['sharing']} / {row['rule']} / {row['malicious_behavior']})"
    return values, labels
