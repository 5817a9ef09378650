"""Scenario discovery with PRIM (Friedman & Fisher's Patient Rule Induction Method, 1999).

PRIM looks for a box in factor space (an interval per numeric factor, a set of levels per categorical one)
where the cases of interest (an outcome above or below a threshold) are concentrated. It starts from the
box holding every case and *peels*: at each step it considers removing, for every numeric factor, the
``alpha`` share of the cases in the box with the lowest or the highest values, and for every categorical
factor one level; it takes the peel with the best objective and records the box. This gives the *peeling
trajectory* of nested boxes, from high coverage and low density to low coverage and high density.
Optionally the chosen box is then *pasted*: widened again, one ``alpha`` share at a time, while that
raises its density.

Measures of a box (as EMA Workbench reports them):

- coverage = cases of interest inside / cases of interest overall (share of the failures the box explains),
- density = cases of interest inside / cases inside (how pure the box is),
- mass = cases inside / all cases,
- restricted dimensions = factors whose limits are narrower than the data's range.

This is a small implementation written for the workbench (EMA Workbench's PRIM resolves next to our pins but
brings eight more packages (statsmodels, seaborn, platypus-opt, formulaic, patsy, ...; ~80 MB) and a 10-20 s
import; on the same data both find the same box, coverage equal and density within a few points). It follows
EMA's defaults: ``alpha = 0.05`` peeling and pasting, ``mass_min = 0.05``, the "lenient1" objective.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.sensitivity import check_outcomes, design_of, point_means
from workbench.analysis.stats import factor_columns

OBJECTIVES = ("lenient1", "original")
DIRECTIONS = ("above", "below")


@dataclasses.dataclass(frozen=True)
class PrimBox:
    """One box of a peeling trajectory.

    ``limits`` is indexed by factor with columns ``low``/``high`` (inclusive bounds on a numeric factor's
    values inside the box; NaN for a categorical factor), ``levels`` (the tuple of levels kept, categorical
    factors only, else None), ``restricted`` (narrower than the data's range; ``cut_low``/``cut_high`` say which
    side) and ``qp_value`` (the
    restriction's quasi-p-value, NaN if unrestricted; see :meth:`significant`).
    """

    step: int
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    n: int  # cases inside
    k: int  # cases of interest inside
    pasted: bool = False

    @property
    def restricted(self) -> list[str]:
        """The restricted dimensions: factors whose limits cut the data's range."""
        return [str(name) for name in self.limits.index[self.limits["restricted"].to_numpy(dtype=bool)]]

    def significant(self, max_qp: float = 0.05) -> list[str]:
        """Restricted dimensions whose quasi-p-value is at most ``max_qp`` (the restrictions that matter)."""
        qp = self.limits["qp_value"].to_numpy(dtype=float)
        return [str(name) for name, value in zip(self.limits.index, qp) if value <= max_qp]

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        """Boolean mask of the rows of ``x`` (which holds the factor columns) that lie in the box."""
        inside = np.ones(len(x), dtype=bool)
        for name, row in self.limits.iterrows():
            if row["levels"] is not None:
                inside &= x[name].isin(row["levels"]).to_numpy()
            else:
                values = x[name].to_numpy(dtype=float)
                inside &= (values >= row["low"]) & (values <= row["high"])
        return inside

    def describe(self, digits: int = 3, max_qp: float | None = 0.05) -> str:
        """The restricted limits as text, e.g. ``"0.213 <= malicious_fraction <= 0.5, sharing in {gossip}"``;
        only restrictions with quasi-p-value <= ``max_qp`` (all with ``max_qp=None``)."""
        parts = []
        for name in self.restricted if max_qp is None else self.significant(max_qp):
            row = self.limits.loc[name]
            if row["levels"] is not None:
                parts.append(f"{name} in {{{', '.join(map(str, row['levels']))}}}")
            else:
                low = f"{row['low']:.{digits}g} <= " if row["cut_low"] else ""
                high = f" <= {row['high']:.{digits}g}" if row["cut_high"] else ""
                parts.append(f"{low}{name}{high}")
        return ", ".join(parts) if parts else "(the whole space)"


@dataclasses.dataclass(frozen=True)
class PrimResult:
    """The peeling trajectory of one PRIM search and the box chosen from it.

    ``trajectory`` has one row per box: ``step``, ``coverage``, ``density``, ``mass``, ``n``, ``k``,
    ``res_dim`` (number of restricted dimensions) and ``pasted``. ``boxes[i]`` is the box of row ``i``;
    ``box`` is the chosen one (``chosen``); :meth:`select` picks another.
    """

    trajectory: pd.DataFrame
    boxes: tuple[PrimBox, ...]
    chosen: int
    outcome: str
    threshold: float
    direction: str
    n_cases: int
    n_of_interest: int
    n_dropped: int

    @property
    def box(self) -> PrimBox:
        return self.boxes[self.chosen]

    def select(self, index: int) -> PrimResult:
        """The same trajectory with box ``index`` (a row of ``trajectory``; negative counts from the end)."""
        if not -len(self.boxes) <= index < len(self.boxes):
            raise ValueError(
                f"index={index!r} is out of range; expected an integer with {-len(self.boxes)} <= x < {len(self.boxes)}"
            )
        return dataclasses.replace(self, chosen=index % len(self.boxes))


# --- the algorithm on arrays -----------------------------------------------------------------------
@dataclasses.dataclass
class _Space:
    """Factor data split into numeric columns and categorical codes."""

    names: list[str]
    n: int  # cases
    numeric: dict[str, np.ndarray]
    categorical: dict[str, tuple[np.ndarray, list[Any]]]  # codes per case, levels

    @classmethod
    def of(cls, x: pd.DataFrame) -> _Space:
        numeric, categorical = {}, {}
        for name in x.columns:
            column = x[name]
            if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
                numeric[name] = column.to_numpy(dtype=float)
            else:
                codes, levels = pd.factorize(column, sort=True)
                categorical[name] = (codes, list(levels))
        return cls(list(x.columns), len(x), numeric, categorical)


def _limits(space: _Space, inside: np.ndarray) -> pd.DataFrame:
    """Limits of the box spanned by the cases ``inside`` (tightest bounds on the data)."""
    rows: list[dict[str, Any]] = []
    for name in space.names:
        if name in space.numeric:
            values, everything = space.numeric[name][inside], space.numeric[name]
            low, high = float(values.min()), float(values.max())
            cut_low, cut_high = bool(low > everything.min()), bool(high < everything.max())
            rows.append(
                {
                    "low": low,
                    "high": high,
                    "levels": None,
                    "restricted": cut_low or cut_high,
                    "cut_low": cut_low,
                    "cut_high": cut_high,
                }
            )
        else:
            codes, levels = space.categorical[name]
            kept = np.unique(codes[inside])
            rows.append(
                {
                    "low": np.nan,
                    "high": np.nan,
                    "levels": tuple(levels[c] for c in kept),
                    "restricted": len(kept) < len(np.unique(codes)),
                    "cut_low": False,
                    "cut_high": False,
                }
            )
    return pd.DataFrame(rows, index=pd.Index(space.names, name="factor"))


def _within(space: _Space, limits: pd.DataFrame, skip: str | None = None) -> np.ndarray:
    """Cases inside every limit (but ``skip``'s)."""
    inside = np.ones(space.n, dtype=bool)
    for name in space.names:
        if name == skip:
            continue
        if name in space.numeric:
            values = space.numeric[name]
            inside &= (values >= limits.at[name, "low"]) & (values <= limits.at[name, "high"])
        else:
            codes, levels = space.categorical[name]
            inside &= np.isin(codes, [levels.index(level) for level in limits.at[name, "levels"]])
    return inside


def _qp_values(space: _Space, limits: pd.DataFrame, y: np.ndarray, n: int, k: int) -> np.ndarray:
    """Quasi-p-value of each restriction (as EMA Workbench reports them): the chance that ``n`` cases drawn
    at the density of the box *without* that restriction hold ``k`` or more cases of interest (one-sided
    binomial tail). A large value means the restriction adds little; NaN for unrestricted factors."""
    from scipy.stats import binom

    values = np.full(len(space.names), np.nan)
    for i, name in enumerate(space.names):
        if limits.at[name, "restricted"]:
            relaxed = _within(space, limits, skip=name)
            values[i] = float(binom.sf(k - 1, n, y[relaxed].mean()))
    return values


def _peels(space: _Space, inside: np.ndarray, alpha: float) -> list[np.ndarray]:
    """Candidate boxes one peel smaller: masks of the cases kept by each candidate."""
    candidates = []
    n_in = int(inside.sum())
    m = max(1, int(np.floor(alpha * n_in)))
    for values in space.numeric.values():
        v = values[inside]
        ordered = np.sort(v)
        if ordered[0] == ordered[-1]:
            continue
        # keep values >= the m-th smallest; if ties make that peel nothing, peel the tied minimum
        cut = ordered[m] if ordered[m] > ordered[0] else ordered[ordered > ordered[0]][0]
        candidates.append(inside & (values >= cut))
        cut = ordered[-1 - m] if ordered[-1 - m] < ordered[-1] else ordered[ordered < ordered[-1]][-1]
        candidates.append(inside & (values <= cut))
    for codes, _levels in space.categorical.values():
        present = np.unique(codes[inside])
        if len(present) > 1:
            candidates.extend(inside & (codes != level) for level in present)
    return candidates


def _pastes(space: _Space, inside: np.ndarray, alpha: float) -> list[np.ndarray]:
    """Candidate boxes one paste larger: each limit widened to take in about ``alpha`` of the box's cases
    that lie just outside it (and inside every other limit)."""
    candidates = []
    m = max(1, int(np.floor(alpha * int(inside.sum()))))
    limits = _limits(space, inside)
    for name in space.names:
        others = _within(space, limits, skip=name)
        if name in space.numeric:
            values = space.numeric[name]
            low, high = limits.at[name, "low"], limits.at[name, "high"]
            below = np.sort(values[others & (values < low)])
            if below.size:
                candidates.append(inside | (others & (values >= below[-min(m, below.size)]) & (values < low)))
            above = np.sort(values[others & (values > high)])
            if above.size:
                candidates.append(inside | (others & (values <= above[min(m, above.size) - 1]) & (values > high)))
        else:
            codes = space.categorical[name][0]
            for level in set(np.unique(codes[others])) - set(np.unique(codes[inside])):
                candidates.append(inside | (others & (codes == level)))
    return candidates


def _objective(y: np.ndarray, old: np.ndarray, new: np.ndarray, kind: str) -> float:
    n_old, n_new = int(old.sum()), int(new.sum())
    mean_old, mean_new = y[old].mean(), y[new].mean()
    if kind == "original" or n_old == n_new:
        return float(mean_new)
    # lenient1: density gained per case given up (or taken in, when pasting)
    return float((mean_new - mean_old) / abs(n_old - n_new))


def peel_and_paste(
    x: pd.DataFrame,
    y: np.ndarray,
    *,
    alpha: float = 0.05,
    mass_min: float = 0.05,
    objective: str = "lenient1",
    paste: bool = True,
    paste_alpha: float | None = None,
    min_density: float | None = None,
) -> tuple[pd.DataFrame, list[PrimBox], int]:
    """PRIM on a factor frame ``x`` and a boolean array ``y`` (cases of interest): the trajectory frame,
    its boxes and the index of the chosen box (see :func:`prim`)."""
    space = _Space.of(x)
    y = np.asarray(y, dtype=bool)
    n_total, k_total = len(y), int(y.sum())
    boxes: list[PrimBox] = []

    def record(inside: np.ndarray, pasted: bool = False) -> None:
        n, k = int(inside.sum()), int(y[inside].sum())
        limits = _limits(space, inside)
        limits["qp_value"] = _qp_values(space, limits, y, n, k)
        boxes.append(PrimBox(len(boxes), limits, k / k_total, k / n, n / n_total, n, k, pasted))

    inside = np.ones(n_total, dtype=bool)
    record(inside)
    while y[inside].mean() < 1.0:
        allowed = [c for c in _peels(space, inside, alpha) if c.sum() >= mass_min * n_total and c.any()]
        if not allowed:
            break
        scores = [_objective(y, inside, c, objective) for c in allowed]
        inside = allowed[int(np.argmax(scores))]  # first best: factor order breaks ties, deterministically
        record(inside)
    chosen = _choose(boxes, min_density)
    if paste:
        inside = boxes[chosen].contains(x)
        pasted = False
        while True:
            gains = [
                (float(y[c].mean()) - float(y[inside].mean()), c) for c in _pastes(space, inside, paste_alpha or alpha)
            ]
            gains = [(g, c) for g, c in gains if g > 0]
            if not gains:
                break
            inside = max(gains, key=lambda gc: gc[0])[1]
            pasted = True
        if pasted:
            record(inside, pasted=True)
            chosen = len(boxes) - 1
    trajectory = pd.DataFrame(
        [
            {
                "step": b.step,
                "coverage": b.coverage,
                "density": b.density,
                "mass": b.mass,
                "n": b.n,
                "k": b.k,
                "res_dim": len(b.restricted),
                "pasted": b.pasted,
            }
            for b in boxes
        ]
    )
    return trajectory, boxes, chosen


def _choose(boxes: Sequence[PrimBox], min_density: float | None) -> int:
    """The box with the highest coverage among those at least ``min_density`` dense (the earliest on ties);
    without ``min_density`` or when none is that dense, the densest (the earliest on ties)."""
    densities = np.array([b.density for b in boxes])
    if min_density is not None and (densities >= min_density).any():
        coverage = np.array([b.coverage if b.density >= min_density else -1.0 for b in boxes])
        return int(np.argmax(coverage))
    return int(np.argmax(densities))


# --- the frame-level entry point -------------------------------------------------------------------
def prim(
    frame: pd.DataFrame,
    outcome: str,
    threshold: float,
    *,
    direction: str = "above",
    factors: Sequence[str] | None = None,
    alpha: float = 0.05,
    mass_min: float = 0.05,
    objective: str = "lenient1",
    paste: bool = True,
    min_density: float | None = None,
    aggregate: bool = True,
) -> PrimResult:
    """Scenario discovery: the box of factor space where ``outcome`` is above (``direction="above"``:
    ``outcome > threshold``) or below (``outcome < threshold``) the threshold.

    ``factors`` default to the design's factors (numeric ones get intervals; strings, booleans and
    categoricals get level sets). With ``aggregate`` replicates are averaged per point first; points whose
    outcome is NaN are left out (``n_dropped``). ``alpha`` (0 < alpha < 0.5) is the share of the box's cases
    removed per peel, ``mass_min`` (0..1) the smallest box mass allowed, ``objective`` ``"lenient1"``
    (density gained per case removed, EMA's default) or ``"original"`` (density after the peel).
    The chosen box is the one with the highest coverage among those with density >= ``min_density``, else
    the densest; ``paste`` then widens it while that raises density (the pasted box is the trajectory's
    last row). Raises ``ValueError`` when no case, or every case, is of interest.
    """
    check_outcomes(frame, outcome)
    if direction not in DIRECTIONS:
        raise ValueError(f"direction={direction!r} is not allowed; choose one of {', '.join(map(repr, DIRECTIONS))}")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective={objective!r} is not allowed; choose one of {', '.join(map(repr, OBJECTIVES))}")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha={alpha!r} is out of range; expected a number with 0 < x < 0.5")
    if not 0 <= mass_min < 1:
        raise ValueError(f"mass_min={mass_min!r} is out of range; expected a number with 0 <= x < 1")
    if min_density is not None and not 0 <= min_density <= 1:
        raise ValueError(f"min_density={min_density!r} is out of range; expected a number with 0 <= x <= 1")
    if factors is None:
        problem = design_of(frame).get("problem")
        factors = list(problem["names"]) if isinstance(problem, dict) else factor_columns(frame)
    factors = list(factors)
    missing = [name for name in factors if name not in frame.columns]
    if missing or not factors:
        raise ValueError(f"factor column(s) {missing or '(none)'} not in the frame; columns: {list(frame.columns)}")
    table = point_means(frame, [outcome], factors) if aggregate else frame[[*factors, outcome]]
    values = pd.to_numeric(table[outcome], errors="coerce").to_numpy(dtype=float)
    keep = np.isfinite(values)
    x = table.loc[keep, factors].reset_index(drop=True)
    y = values[keep] > threshold if direction == "above" else values[keep] < threshold
    if not y.any() or y.all():
        raise ValueError(
            f"{'every' if y.all() else 'no'} case has {outcome} {'>' if direction == 'above' else '<'} "
            f"{threshold!r} ({len(y)} cases, outcome range {np.nanmin(values):.4g}..{np.nanmax(values):.4g}); "
            "PRIM needs both cases of interest and others: choose another threshold"
        )
    trajectory, boxes, chosen = peel_and_paste(
        x, y, alpha=alpha, mass_min=mass_min, objective=objective, paste=paste, min_density=min_density
    )
    return PrimResult(
        trajectory, tuple(boxes), chosen, outcome, float(threshold), direction, len(y), int(y.sum()), int((~keep).sum())
    )
