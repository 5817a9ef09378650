"""A researcher's component against the built-ins: paired differences over replicates, a figure, prose.

Takes the tidy frame of a :class:`~workbench.experiments.Sweep` in which one factor (``detector``,
``sharing``, ``malicious_behavior``, ...) lists built-in names and import paths, and compares every level
of that factor with a reference level, replicate by replicate (every cell of a sweep runs the same
replicate seeds, so the pairs share their traffic and attacks). Differences carry a Student-t 95%
interval over replicates (:func:`workbench.analysis.paired.paired_difference`); "shown" when it excludes zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from workbench.analysis.headline import HeadlineValue
from workbench.analysis.paired import PairedDifference, paired_difference
from workbench.analysis.studies.common import run_sweeps, study_provenance
from workbench.analysis.studies.protocol import Headline
from workbench.analysis.studies.sharing.design import steps_covering
from workbench.experiments import Sweep
from workbench.model.outcomes import MAXIMIZE, MINIMIZE
from workbench.model.outcomes.catalog import outcome as declared_outcome
from workbench.model.params import ModelParams
from workbench.validation import check_choice

COLUMNS = ["factor", "level", "reference", "outcome", "n_pairs", "level_mean", "reference_mean", "diff"]
COLUMNS += ["ci_low", "ci_high", "verdict"]


def short_name(level: object) -> str:
    """``"my_defence:KnnDistance"`` -> ``"KnnDistance"``; a registered name stays as it is."""
    text = str(level)
    return text.rsplit(":", 1)[-1].rsplit(".", 1)[-1] if ":" in text else text


def _direction(outcome: str, extra: Sequence[str]) -> str | None:
    try:
        return declared_outcome(outcome, extra).direction
    except (KeyError, ValueError):
        return None  # a column that is not a declared outcome


def _verdict(direction: str | None, pair: PairedDifference) -> str:
    if not pair.excludes_zero:
        return "no difference shown"
    if direction not in (MAXIMIZE, MINIMIZE):
        return "higher" if pair.diff > 0 else "lower"
    return "better" if (pair.diff > 0) == (direction == MAXIMIZE) else "worse"


def paired_against(
    frame: pd.DataFrame,
    factor: str,
    reference: object,
    outcomes: Sequence[str],
    extra_outcomes: Sequence[str] = (),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """``level - reference`` of ``factor`` for each outcome, paired on ``replicate`` (only ``ok`` runs).

    Columns: ``factor, level, reference, outcome, n_pairs, level_mean, reference_mean, diff, ci_low,
    ci_high, verdict``; ``verdict`` is ``better``/``worse`` by the outcome's declared direction when the
    interval excludes zero (``higher``/``lower`` for an outcome without one), else ``no difference shown``.
    ``extra_outcomes``: the import paths of a researcher's outcomes (``ModelParams.outcomes``), for their
    directions. A pair with a NaN value on either side (an empty denominator) is left out of that outcome's
    pairs; a level that ran a replicate twice is refused (:func:`workbench.analysis.paired.paired_difference`)."""
    missing = [c for c in (factor, "replicate", *outcomes) if c not in frame.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the sweep frame; columns: {list(frame.columns)}")
    ok = frame[frame["status"] == "ok"] if "status" in frame.columns else frame
    if reference not in set(ok[factor]):
        raise ValueError(f"reference={reference!r} is not a level of {factor!r}; levels: {sorted(set(ok[factor]))}")
    ref = ok[ok[factor] == reference].set_index("replicate")
    rows = []
    for level in [lv for lv in dict.fromkeys(ok[factor]) if lv != reference]:
        arm = ok[ok[factor] == level].set_index("replicate")
        for outcome in outcomes:
            pair = paired_difference(arm[outcome].astype(float), ref[outcome].astype(float), confidence)
            verdict = _verdict(_direction(outcome, extra_outcomes), pair)
            values = [pair.n, pair.a_mean, pair.b_mean, pair.diff, pair.ci_low, pair.ci_high, verdict]
            rows.append([factor, level, reference, outcome, *values])
    return pd.DataFrame(rows, columns=COLUMNS)


def plot_paired(diffs: pd.DataFrame, title: str = "") -> Figure:
    """One panel per outcome: each level's paired difference from the reference with its 95% interval
    (filled marker: the interval excludes zero), a dashed line at zero."""
    outcomes = list(dict.fromkeys(diffs["outcome"]))
    height = 1.4 + 0.45 * diffs["level"].nunique()
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.2 * len(outcomes), height), layout="constrained")
    axes = np.atleast_1d(axes)
    for ax, outcome in zip(axes, outcomes):
        rows = diffs[diffs["outcome"] == outcome].reset_index(drop=True)
        y = np.arange(len(rows))
        shown = rows["verdict"].isin(["better", "worse", "higher", "lower"]).to_numpy()
        err = np.vstack([rows["diff"] - rows["ci_low"], rows["ci_high"] - rows["diff"]])
        ax.errorbar(rows["diff"], y, xerr=np.nan_to_num(err), fmt="none", ecolor="0.4", capsize=3)
        ax.scatter(rows["diff"][shown], y[shown], color="C0", zorder=3, label="interval excludes 0")
        ax.scatter(rows["diff"][~shown], y[~shown], facecolor="white", edgecolor="C0", zorder=3, label="includes 0")
        ax.axvline(0, color="0.5", linestyle="--", linewidth=1)
        ax.set_yticks(y, [short_name(lv) for lv in rows["level"]])
        ax.set_title(outcome, fontsize=9)
        ax.set_xlabel(f"difference from {short_name(rows['reference'].iloc[0])}", fontsize=8)
    axes[0].legend(loc="upper left", bbox_to_anchor=(0, -0.35), fontsize=7, frameon=False, ncols=2)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def _number(x: float) -> str:
    return f"{x:+.3f}".replace("-0.000", "0.000").replace("+0.000", "0.000")


def prose(diffs: pd.DataFrame) -> str:
    """One sentence per level: where its interval excludes zero against the reference, and where not."""
    lines = []
    for level, rows in diffs.groupby("level", sort=False):
        ref = short_name(rows["reference"].iloc[0])
        said = [
            f"{r.verdict} on `{r.outcome}` ({_number(r.diff)}, 95% CI {_number(r.ci_low)} to {_number(r.ci_high)}, "
            f"{r.n_pairs} pairs)"
            for r in rows.itertuples()
            if r.verdict not in ("no difference shown",)
        ]
        unclear = [f"`{r.outcome}`" for r in rows.itertuples() if r.verdict == "no difference shown"]
        text = f"- **{short_name(level)}** against {ref}: " + ("; ".join(said) if said else "no difference shown")
        if said and unclear:
            text += f"; no difference shown on {', '.join(unclear)}"
        lines.append(text + ".")
    return "\n".join(lines)


SIZES: dict[str, dict[str, Any]] = {
    # 3 replicates of 20 nodes, two campaigns with 20-step windows: the mechanics in a minute or two
    "small": {
        "replicates": 3,
        "base": {"n_nodes": 20, "flows_per_node": 50, "n_campaigns": 2, "eval_window_steps": 20},
    },
    # 20 replicates of 40 nodes at the realistic defaults' campaigns and windows
    "full": {"replicates": 20, "base": {"n_nodes": 40, "flows_per_node": 50}},
}


@dataclass
class ComparisonStudy:
    """Sweeps of one component factor at a time against its reference level (the first level given), at
    ``size`` (``"small"`` or ``"full"``, see :data:`SIZES`), on the same replicate seeds (root ``seed``).

    ``extra_outcomes``: a researcher's outcomes by import path (``ModelParams.outcomes``), added to every
    run. Each run lasts :func:`~workbench.analysis.studies.sharing.design.steps_covering` steps, so every
    campaign's evaluation window is complete. Results go to the engine's default store per sweep
    (``data/sweeps/11_extend_<size>_<factor>/``), so a rerun resumes."""

    size: str = "small"
    seed: int = 0
    extra_outcomes: tuple[str, ...] = ()
    _sweeps: list[Sweep] = field(default_factory=list)
    _stores: list[Any] = field(default_factory=list)
    _diffs: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_choice("size", self.size, SIZES)

    def describe(self) -> str:
        plan = SIZES[self.size]
        base = ", ".join(f"`{k}={v!r}`" for k, v in plan["base"].items())
        return (
            f"**Size `{self.size}`:** {plan['replicates']} replicates per cell at {base} (other parameters at the "
            f"realistic defaults); root seed {self.seed}; extra outcomes: "
            + (", ".join(f"`{o}`" for o in self.extra_outcomes) or "none")
            + "."
        )

    def run(
        self,
        factor: str,
        levels: Sequence[Any],
        base: Mapping[str, Any] | None = None,
        outcomes: Sequence[str] = ("recall",),
        backend: str = "local",
        quiet: bool = False,
        **backend_options: Any,
    ) -> pd.DataFrame:
        """Sweep ``factor`` over ``levels`` (the first is the reference) at the size's base point plus
        ``base``; returns :func:`paired_against`'s frame (kept for :meth:`headline`)."""
        plan = SIZES[self.size]
        params = {**plan["base"], **(base or {}), "outcomes": tuple(self.extra_outcomes)}
        steps = max(steps_covering(ModelParams.from_dict({**params, factor: level})) for level in levels)
        sweep = Sweep(
            params,
            {factor: list(levels)},
            replicates=plan["replicates"],
            steps=steps,
            seed=self.seed,
            name=f"11_extend_{self.size}_{factor}",
        )
        frame = run_sweeps([sweep], backend, None, quiet, **backend_options)
        self._sweeps.append(sweep)
        self._stores.extend(frame.attrs.get("stores") or [])
        diffs = paired_against(frame, factor, levels[0], outcomes, self.extra_outcomes)
        self._diffs[factor] = diffs
        return diffs

    def sweeps(self) -> list[Sweep]:
        return list(self._sweeps)

    def headline(self) -> Headline:
        """The first outcome's paired difference of each block's first challenger against its reference."""
        values: dict[str, HeadlineValue] = {}
        labels: dict[str, str] = {}
        for factor, diffs in self._diffs.items():
            row = diffs.iloc[0]
            key = f"{factor}_{row.outcome}_diff"
            values[key] = (float(row["diff"]), float(row.ci_low), float(row.ci_high))
            labels[key] = f"{short_name(row.level)} - {short_name(row.reference)}: {row.outcome}"
        return Headline(values, labels)

    def provenance(self, notebook: str = "11_extend.ipynb", **fields: Any) -> dict[str, Any]:
        """The provenance record of every sweep run so far (specs, spec hashes, model version, stores)."""
        results = pd.DataFrame()
        results.attrs["stores"] = [str(s) for s in self._stores]
        return study_provenance(notebook, self._sweeps, results, size=self.size, seed=self.seed, **fields)
