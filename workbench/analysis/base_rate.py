"""The base-rate problem (Axelsson 2000): how precise blocking is when attacks are a small share of traffic.

A detector's per-flow precision at an attack base rate ``b`` (attack flows / all flows), with recall
``r`` and false-positive rate ``f``, is

    precision = r b / (r b + f (1 - b)),

so at a fixed ``f`` it falls towards 0 as ``b`` does: at ``f = 1.7%`` and ``r = 0.7`` precision is 0.82 at
``b = 10%`` and 0.04 at ``b = 0.1%``. A network that blocks what its detectors flag inherits the problem
unless rules (a source prefix, a protocol, ranges of features) and votes filter the false positives out.

The study sweeps ``attack_share`` (the expected share of a targeted node's flows per step that are one
campaign's; each targeted node's count is ``Binomial(flows_per_node, attack_share)`` from the model's
Generator, so a share of 0.1% of 50 flows is a flow in about one targeted node-step in 20, never a
rounded-off zero; see :meth:`workbench.model.traffic.TrafficGenerator.overlay_attacks`) for every sharing
design, and reports per run, from the per-step counts at honest nodes:

* ``base_rate``: attack flows / all flows;
* ``detector_recall`` and ``fpr``: flagged attack flows / attack flows, flagged benign flows / benign flows;
* ``detector_precision``: flagged attack flows / flagged flows (the formula above, measured);
* ``blocking_precision``: blocked attack flows / blocked flows (NaN where nothing was blocked);
* ``blocking_recall``: blocked attack flows / attack flows;
* ``benign_blocked_frac``: blocked benign flows / benign flows.

:func:`table` gives their means over replicates with Student-t 95% intervals clipped to [0, 1] (every
outcome is a share), per design and share.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.headline import HeadlineValue
from workbench.analysis.stats import mean_ci
from workbench.analysis.studies.common import check_size, join_words
from workbench.analysis.studies.protocol import Headline, StudyDesign
from workbench.experiments import Sweep
from workbench.model.params import ModelParams

SHARING = ["none", "central", "ledger", "gossip"]
OUTCOMES = (
    "base_rate",
    "detector_recall",
    "fpr",
    "detector_precision",
    "blocking_precision",
    "blocking_recall",
    "benign_blocked_frac",
)

SIZES: dict[str, dict[str, Any]] = {
    # 4 designs x 3 shares x 3 replicates = 36 runs of 20 nodes, 35 steps (a few seconds on one core)
    "small": {
        "shares": [0.1, 0.01, 0.001],
        "replicates": 3,
        "base": {"n_nodes": 20, "flows_per_node": 50, "n_campaigns": 2, "eval_window_steps": 20},
    },
    # 4 designs x 5 shares x 10 replicates = 200 runs of 50 nodes, 55 steps
    "full": {
        "shares": [0.1, 0.03, 0.01, 0.003, 0.001],
        "replicates": 10,
        "base": {"n_nodes": 50, "flows_per_node": 50},
    },
}


def design(size: str = "small", seed: int = 0, base: dict[str, Any] | None = None) -> StudyDesign:
    """``sharing`` x ``attack_share`` in the realistic world (``base`` overrides model fields), run for as
    many steps as every campaign's window needs, with the per-step counts kept."""
    plan = SIZES[check_size(size)]
    params = {**plan["base"], **(base or {})}
    steps = ModelParams.from_dict(params).steps_covering_windows or 1
    sweep = Sweep(
        params,
        {"sharing": SHARING, "attack_share": plan["shares"]},
        replicates=plan["replicates"],
        steps=steps,
        seed=seed,
        keep=["steps"],
        name=f"13_base_rate_{size}",
    )
    return StudyDesign(size, [sweep], [{}])


def per_run(steps: pd.DataFrame, warmup_steps: int) -> pd.DataFrame:
    """One row per run (``sharing``, ``attack_share``, ``replicate``) with the :data:`OUTCOMES`, from the
    kept steps frames: counts summed over the steps after the warm-up (warm-up traffic carries its own
    contamination, ``warmup_contamination``, and nothing is blocked then)."""
    counts = ["attack_flows", "benign_flows", "attack_flagged", "benign_flagged"]
    counts += ["attack_flows_blocked", "benign_flows_blocked"]
    steps = steps[steps.step > warmup_steps]
    runs = steps.groupby(["sharing", "attack_share", "replicate"], sort=False)[counts].sum().reset_index()

    def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
        return (num / den.where(den > 0)).astype(float)

    return runs.assign(
        base_rate=ratio(runs.attack_flows, runs.attack_flows + runs.benign_flows),
        detector_recall=ratio(runs.attack_flagged, runs.attack_flows),
        fpr=ratio(runs.benign_flagged, runs.benign_flows),
        detector_precision=ratio(runs.attack_flagged, runs.attack_flagged + runs.benign_flagged),
        blocking_precision=ratio(runs.attack_flows_blocked, runs.attack_flows_blocked + runs.benign_flows_blocked),
        blocking_recall=ratio(runs.attack_flows_blocked, runs.attack_flows),
        benign_blocked_frac=ratio(runs.benign_flows_blocked, runs.benign_flows),
    )


def table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per design and share: each outcome's mean over replicates and its Student-t 95% interval clipped to
    [0, 1], the range of a share (``<outcome>_low``, ``<outcome>_high``), and ``runs_blocking``, the replicates in which anything was blocked (the others
    have no blocking precision)."""
    rows = []
    for (sharing, share), group in runs.groupby(["sharing", "attack_share"], sort=False):
        row: dict[str, Any] = {"sharing": sharing, "attack_share": share, "replicates": len(group)}
        for outcome in OUTCOMES:
            row[outcome], row[f"{outcome}_low"], row[f"{outcome}_high"] = mean_ci(group[outcome], bounds=(0.0, 1.0))
        row["runs_blocking"] = int(group.blocking_precision.notna().sum())
        rows.append(row)
    out = pd.DataFrame(rows)
    rank = out.sharing.map({s: i for i, s in enumerate(SHARING)})
    return (
        out.assign(_rank=rank)
        .sort_values(["attack_share", "_rank"], ascending=[False, True])
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def expected_precision(recall: float, fpr: float, base_rate: float) -> float:
    """``r b / (r b + f (1 - b))``: a detector's precision at base rate ``b`` (Axelsson 2000)."""
    hit, false = recall * base_rate, fpr * (1 - base_rate)
    return hit / (hit + false) if hit + false > 0 else float("nan")


def headline(found: pd.DataFrame) -> Headline:
    """The detector's precision at isolated nodes at the highest and the lowest attack share, and the
    largest share of attack flows any design blocks at the lowest."""
    high = found[(found.attack_share == found.attack_share.max()) & (found.sharing == "none")].iloc[0]
    low = found[found.attack_share == found.attack_share.min()]
    best = low.sort_values("blocking_recall", ascending=False).iloc[0]

    def ci(row: pd.Series, name: str) -> HeadlineValue:
        value = row[name]
        return None if np.isnan(value) else (float(value), float(row[f"{name}_low"]), float(row[f"{name}_high"]))

    none = low[low.sharing == "none"].iloc[0]
    return Headline(
        {
            "precision_high": ci(high, "detector_precision"),
            "precision_low": ci(none, "detector_precision"),
            "blocking_recall": ci(best, "blocking_recall"),
        },
        labels={
            "precision_high": f"flagged flows that are attacks, attack share {high.attack_share:.1%}",
            "precision_low": f"flagged flows that are attacks, attack share {none.attack_share:.1%}",
            "blocking_recall": f"attack flows blocked at {none.attack_share:.1%} (best design: {best.sharing})",
        },
        units={"precision_high": "share", "precision_low": "share", "blocking_recall": "share"},
    )


def prose(found: pd.DataFrame) -> str:
    """What the table shows, in numbers computed from it."""
    none = found[found.sharing == "none"].set_index("attack_share")
    high, low = none.index.max(), none.index.min()
    lines = [
        f"Among flows at honest nodes after the warm-up, attacks are {none.base_rate[high]:.1%} at attack share "
        f"{high:.1%} and {none.base_rate[low]:.2%} at {low:.1%}. The detector's precision (flagged flows that are "
        f"attacks) falls from {none.detector_precision[high]:.2f} to {none.detector_precision[low]:.2f}: the "
        "base-rate problem, with the detector unchanged: at the recall and false-positive rate measured at "
        f"{high:.1%} ({none.detector_recall[high]:.2f}, {none.fpr[high]:.2%}) the formula r b / (r b + f (1 - b)) "
        f"predicts {expected_precision(none.detector_recall[high], none.fpr[high], none.base_rate[low]):.2f} at "
        f"{none.base_rate[low]:.2%} attacks."
    ]
    for share, group in found.groupby("attack_share", sort=False):
        blocked = group[group.runs_blocking > 0]
        if blocked.empty:
            lines.append(
                f"At {share:.1%} no design blocked any flow in any replicate: no node collected enough flagged "
                "flows from one prefix to propose a rule, so blocking is neither wrong nor useful."
            )
            continue
        worst = blocked.sort_values("blocking_precision").iloc[0]
        top = group.blocking_recall.max()
        best = join_words(group.sharing[group.blocking_recall == top])
        lines.append(
            f"At {share:.1%} the most attack flows blocked are {top:.2%} ({best}); the lowest blocking "
            f"precision is {worst.sharing}'s "
            f"({worst.blocking_precision:.3f}, over the {int(worst.runs_blocking)} of {int(worst.replicates)} "
            "replicates that blocked anything)."
        )
    return "\n\n".join(lines)
