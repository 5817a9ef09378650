"""Global sensitivity analysis of sweep results: Sobol and Morris indices (SALib) and tree-ensemble
feature scores (as EMA Workbench's ``feature_scoring``).

The input is a sweep frame as :func:`workbench.experiments.load` returns it: one row per run, in design
order; ``point`` is the row index into SALib's sample matrix; factor columns hold the sampled values;
outcome columns hold scalars; and ``frame.attrs["design"]`` describes the design::

    {"design": "sobol" | "morris" | "grid" | "lhs",
     "problem": {"num_vars": D, "names": [...], "bounds": [[lo, hi], ...]},
     "samples": N, "calc_second_order": bool (sobol), "num_levels": int (morris)}

With several replicates per point, the outcome is averaged per point first (the indices then describe
the expected outcome as a function of the factors; seed noise shrinks by the number of replicates).

Every bootstrap is seeded (``seed=``) through SALib's own argument: no global random state is used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.stats import factor_columns

SENSITIVITY_DESIGNS = ("sobol", "morris")


# --- shared checks and helpers --------------------------------------------------------------------
def design_of(frame: pd.DataFrame) -> dict[str, Any]:
    """``frame.attrs["design"]`` (an empty dict when the frame does not describe its design)."""
    design = frame.attrs.get("design")
    return dict(design) if isinstance(design, Mapping) else {}


def check_outcomes(frame: pd.DataFrame, outcomes: str | Sequence[str]) -> list[str]:
    """The outcome names as a list; ``ValueError`` naming the frame's columns if one is missing."""
    names = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    if not names:
        raise ValueError("outcomes is empty; name at least one outcome column")
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise ValueError(f"outcome(s) {missing} not in the frame; columns: {list(frame.columns)}")
    return names


def _problem(frame: pd.DataFrame, problem: Mapping[str, Any] | None, kind: str) -> dict[str, Any]:
    """The SALib problem: the one given, else the frame's design (which must be a ``kind`` design)."""
    design = design_of(frame)
    if problem is None:
        if design.get("design") != kind:
            found = design.get("design", "none recorded in frame.attrs['design']")
            raise ValueError(
                f"{kind}() needs a {kind!r} design (Sweep(..., design={kind!r})); this frame's "
                f"design is {found!r}. Pass problem= only if the rows are a {kind} sample."
            )
        problem = design.get("problem")
    if not isinstance(problem, Mapping) or "names" not in problem or "bounds" not in problem:
        raise ValueError(f"problem must be a mapping with 'names' and 'bounds', got {problem!r}")
    names = list(problem["names"])
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise ValueError(f"factor column(s) {missing} of the problem not in the frame; columns: {list(frame.columns)}")
    return {"num_vars": len(names), "names": names, "bounds": [list(map(float, b)) for b in problem["bounds"]]}


def point_means(frame: pd.DataFrame, outcomes: Sequence[str], factors: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per design point, in point order: the factor values and the outcomes averaged over
    replicates (NaN if any replicate of the point is NaN, so that gaps are never hidden).

    Without a ``point`` column every row is its own point.
    """
    factors = list(factor_columns(frame) if factors is None else factors)
    columns = list(dict.fromkeys([*factors, *outcomes]))
    if "point" not in frame.columns:
        return frame[columns].reset_index(drop=True)
    values = frame[["point", *columns]].copy()
    for outcome in outcomes:
        values[outcome] = pd.to_numeric(values[outcome], errors="coerce").astype(float)
    grouped = values.groupby("point", sort=True)
    # a point with a failed replicate stays NaN and is reported, not averaged away (vectorised skipna=False)
    means = grouped[list(outcomes)].mean()
    means = means.mask(values[list(outcomes)].isna().groupby(values["point"], sort=True).any())
    first = grouped[factors].first()
    return pd.concat([first, means], axis=1).reset_index()


NAN_POLICIES = ("raise", "drop")


def _finite_outcome(points: pd.DataFrame, outcome: str, block: int, nan: str) -> tuple[np.ndarray, np.ndarray]:
    """The outcome per point, and a mask of the points kept.

    ``nan="raise"``: a NaN anywhere raises ``ValueError`` naming how many points and which. ``nan="drop"``: the
    design's independent units that hold a NaN are dropped whole (``block`` consecutive points: a Sobol base
    sample of N(2D+2)/N points, a Morris trajectory of D + 1); the estimators stay valid on the units left,
    but if undefined outcomes cluster in one region the indices describe the rest of the space.
    """
    if nan not in NAN_POLICIES:
        raise ValueError(f"nan={nan!r} is not allowed; choose one of {', '.join(map(repr, NAN_POLICIES))}")
    y = points[outcome].to_numpy(dtype=float)
    bad = ~np.isfinite(y)
    if bad.any() and nan == "drop":
        keep = np.repeat(~bad.reshape(-1, block).any(axis=1), block)
        if not keep.any():
            raise ValueError(
                f"outcome {outcome!r} is NaN in every design unit of {block} points; nothing is left "
                "after dropping them"
            )
        return y, keep
    if bad.any():
        where = points["point"].to_numpy()[bad] if "point" in points.columns else np.flatnonzero(bad)
        shown = ", ".join(str(int(p)) for p in where[:10]) + (", ..." if bad.sum() > 10 else "")
        raise ValueError(
            f"outcome {outcome!r} is NaN or infinite at {int(bad.sum())} of {len(y)} design points "
            f"(points {shown}); failed runs or undefined outcomes leave holes that Sobol and Morris "
            "estimators cannot skip. Rerun the failed runs, choose another outcome, or pass "
            "nan='drop' to drop the design units (base samples, trajectories) that hold them."
        )
    return y, np.ones(len(y), dtype=bool)


def _salib_seed(seed: int) -> int:
    """A non-zero seed for SALib: its Sobol analysis treats ``seed=0`` as "unseeded" and falls back to
    numpy's global state, so every seed is mapped (one-to-one in practice) through a SeedSequence."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r} is out of range; expected an integer with x >= 0")
    return int(np.random.SeedSequence(int(seed)).generate_state(1, dtype=np.uint32)[0]) | 1


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} is out of range; expected a number with 0 < x < 1")


def _check_count(
    frame: pd.DataFrame, points: pd.DataFrame, design: Mapping[str, Any], expected: int, kind: str, formula: str
) -> None:
    if len(points) != expected:
        raise ValueError(
            f"a {kind} design of samples={design.get('samples')} over {design['problem']['num_vars']} "
            f"factors has {formula} = {expected} points; the frame has {len(points)} "
            f"({len(frame)} rows). Load the whole sweep (every point, in design order)."
        )


# --- Sobol -----------------------------------------------------------------------------------------
def sobol(
    frame: pd.DataFrame,
    outcome: str,
    problem: Mapping[str, Any] | None = None,
    *,
    calc_second_order: bool | None = None,
    confidence: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 0,
    nan: str = "raise",
) -> pd.DataFrame:
    """Sobol indices of ``outcome`` (Saltelli/Jansen estimators of ``SALib.analyze.sobol``).

    Returns a frame indexed by factor (``factor``) with ``S1``, ``S1_conf``, ``ST``, ``ST_conf``: first-order
    and total indices (shares of the outcome's variance, 0..1 up to estimation error) and the half-widths of
    their ``confidence`` bootstrap intervals (``num_resamples`` resamples, seeded by ``seed``). With second-order
    indices, ``result.attrs["S2"]`` is a long frame, one row per factor pair (``factor_i``, ``factor_j``,
    ``S2``, ``S2_conf``); it is empty otherwise.

    ``problem`` defaults to ``frame.attrs["design"]["problem"]`` and must then come from a Sobol design;
    ``calc_second_order`` defaults to the design's. Replicates are averaged per point first; a point whose
    outcome is NaN (a failed run, an undefined outcome) raises ``ValueError`` naming the points, unless
    ``nan="drop"``: then every base sample (block of 2D+2, or D+2, points) holding a NaN is dropped and the
    indices are estimated on the others (``attrs["n_units"]``, ``attrs["n_units_dropped"]``).
    """
    from SALib.analyze import sobol as salib_sobol

    check_outcomes(frame, outcome)
    problem = _problem(frame, problem, "sobol")
    _check_confidence(confidence)
    design = design_of(frame)
    second = bool(design.get("calc_second_order", True) if calc_second_order is None else calc_second_order)
    points = point_means(frame, [outcome], problem["names"])
    d = problem["num_vars"]
    per_base = 2 * d + 2 if second else d + 2
    if design.get("samples") is not None and design.get("design") == "sobol":
        _check_count(
            frame,
            points,
            {**design, "problem": problem},
            int(design["samples"]) * per_base,
            "Sobol",
            f"N({'2D+2' if second else 'D+2'})",
        )
    elif len(points) % per_base:
        raise ValueError(
            f"a Sobol sample over {d} factors has a multiple of {per_base} points; the frame has {len(points)}"
        )
    y, keep = _finite_outcome(points, outcome, per_base, nan)
    y = y[keep]
    if np.ptp(y) == 0:
        raise ValueError(f"outcome {outcome!r} is constant ({y[0]!r}) over the design; it has no variance to apportion")
    result = salib_sobol.analyze(
        problem,
        y,
        calc_second_order=second,
        num_resamples=num_resamples,
        conf_level=confidence,
        print_to_console=False,
        seed=_salib_seed(seed),
    )
    indices = pd.DataFrame(
        {key: np.asarray(result[key], dtype=float) for key in ("S1", "S1_conf", "ST", "ST_conf")},
        index=pd.Index(problem["names"], name="factor"),
    )
    rows = []
    if second:
        for i in range(d):
            for j in range(i + 1, d):
                rows.append(
                    {
                        "factor_i": problem["names"][i],
                        "factor_j": problem["names"][j],
                        "S2": float(result["S2"][i, j]),
                        "S2_conf": float(result["S2_conf"][i, j]),
                    }
                )
    indices.attrs.update(
        S2=pd.DataFrame(rows, columns=["factor_i", "factor_j", "S2", "S2_conf"]),
        outcome=outcome,
        method="sobol",
        confidence=confidence,
        n_points=len(points),
        n_units=len(points) // per_base,
        n_units_dropped=int((~keep).sum()) // per_base,
    )
    return indices


# --- Morris ----------------------------------------------------------------------------------------
def _morris_inputs(points: pd.DataFrame, names: list[str]) -> np.ndarray:
    """The sample matrix X, rebuilt from the factor columns in point order; every step of a trajectory
    must move exactly one factor (SALib reads which one, and its direction, from X)."""
    x = points[names].to_numpy(dtype=float)
    d = len(names)
    steps = np.diff(x.reshape(-1, d + 1, d), axis=1)
    moved = (steps != 0).sum(axis=2)
    if (moved != 1).any():
        trajectory, step = map(int, np.argwhere(moved != 1)[0])
        raise ValueError(
            f"Morris trajectory {trajectory} step {step} moves {int(moved[trajectory, step])} factors "
            "instead of exactly one; the factor columns must hold the design's sampled values "
            "(e.g. not rounded so that a step vanishes)"
        )
    return x


def morris(
    frame: pd.DataFrame,
    outcome: str,
    problem: Mapping[str, Any] | None = None,
    *,
    num_levels: int | None = None,
    confidence: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 0,
    nan: str = "raise",
) -> pd.DataFrame:
    """Morris elementary-effects screening of ``outcome`` (``SALib.analyze.morris``).

    Returns a frame indexed by factor (``factor``) with ``mu`` (mean elementary effect), ``mu_star`` (mean
    absolute effect: the importance ranking), ``sigma`` (standard deviation of the effects: non-linearity or
    interactions) and ``mu_star_conf`` (half-width of the bootstrap ``confidence`` interval of ``mu_star``,
    ``num_resamples`` resamples seeded by ``seed``). Effects are in outcome units per full factor range
    (SALib divides by the grid step ``num_levels / (2 (num_levels - 1))`` of the unit cube).

    ``X`` is rebuilt from the factor columns in point order (trajectories of D + 1 points). ``problem`` and
    ``num_levels`` default to the frame's Morris design. NaN outcomes raise ``ValueError`` unless
    ``nan="drop"``, which drops the trajectories that hold them (``attrs["n_units_dropped"]``).
    """
    from SALib.analyze import morris as salib_morris

    check_outcomes(frame, outcome)
    problem = _problem(frame, problem, "morris")
    _check_confidence(confidence)
    design = design_of(frame)
    levels = int(design.get("num_levels", 4) if num_levels is None else num_levels)
    if levels < 2:
        raise ValueError(f"num_levels={levels!r} is out of range; expected an integer with x >= 2")
    points = point_means(frame, [outcome], problem["names"])
    d = problem["num_vars"]
    if design.get("samples") is not None and design.get("design") == "morris":
        _check_count(
            frame, points, {**design, "problem": problem}, int(design["samples"]) * (d + 1), "Morris", "N(D+1)"
        )
    elif len(points) % (d + 1):
        raise ValueError(
            f"a Morris sample over {d} factors has trajectories of {d + 1} points; the frame has {len(points)} points"
        )
    y, keep = _finite_outcome(points, outcome, d + 1, nan)
    x = _morris_inputs(points, problem["names"])
    x, y = x[keep], y[keep]
    result = salib_morris.analyze(
        problem,
        x,
        y,
        num_resamples=num_resamples,
        conf_level=confidence,
        print_to_console=False,
        num_levels=levels,
        seed=_salib_seed(seed),
    )
    indices = pd.DataFrame(
        {key: np.asarray(result[key], dtype=float) for key in ("mu", "mu_star", "sigma", "mu_star_conf")},
        index=pd.Index(problem["names"], name="factor"),
    )
    indices.attrs.update(
        outcome=outcome,
        method="morris",
        confidence=confidence,
        n_points=len(points),
        n_units=len(points) // (d + 1),
        n_units_dropped=int((~keep).sum()) // (d + 1),
    )
    return indices


# --- feature scores --------------------------------------------------------------------------------
def _encode(x: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Numeric design matrix: numeric/bool factors as they are, categorical ones one-hot (one column per
    level, named ``factor=level``); also the factor each column belongs to."""
    parts, owners = [], []
    for name in x.columns:
        column = x[name]
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            parts.append(column.astype(float).rename(name))
            owners.append(name)
        else:
            dummies = pd.get_dummies(column.astype(str), prefix=name, prefix_sep="=", dtype=float)
            parts.append(dummies)
            owners.extend([name] * dummies.shape[1])
    return pd.concat(parts, axis=1), owners


def feature_scores(
    frame: pd.DataFrame,
    outcomes: str | Sequence[str],
    factors: Sequence[str] | None = None,
    *,
    method: str = "extra_trees",
    n_estimators: int = 250,
    seed: int = 0,
    aggregate: bool = True,
) -> pd.DataFrame:
    """Tree-ensemble importance of each factor for each outcome, as EMA Workbench's feature scoring.

    Fits a scikit-learn ``ExtraTreesRegressor`` (``method="extra_trees"``, EMA's default) or
    ``RandomForestRegressor`` (``"random_forest"``) of ``n_estimators`` trees, seeded by ``seed``, per
    outcome; a boolean outcome is fitted with the matching classifier when ``aggregate=False`` (averaged
    per point it becomes a fraction, fitted by the regressor). Scores are the impurity-based
    importances, summing to 1 per outcome. Categorical factors are one-hot encoded and the importances of
    their level columns are summed back into one score per factor (so a categorical factor is neither
    split into levels nor given an arbitrary order).

    Works on any design (grid, LHS, Sobol, Morris). ``factors`` defaults to the design's factors;
    with ``aggregate`` replicates are averaged per point first. Points whose outcome is NaN are left out
    for that outcome (their count is in ``result.attrs["n_dropped"]``).

    Returns a frame indexed by factor (``factor``), one column per outcome.
    """
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        ExtraTreesRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )

    models = {
        "extra_trees": (ExtraTreesRegressor, ExtraTreesClassifier),
        "random_forest": (RandomForestRegressor, RandomForestClassifier),
    }
    if method not in models:
        raise ValueError(f"method={method!r} is not allowed; choose one of {', '.join(map(repr, models))}")
    if isinstance(n_estimators, bool) or not isinstance(n_estimators, (int, np.integer)) or n_estimators < 1:
        raise ValueError(f"n_estimators={n_estimators!r} is out of range; expected an integer with x >= 1")
    names = check_outcomes(frame, outcomes)
    if factors is None:
        problem = design_of(frame).get("problem")
        factors = list(problem["names"]) if isinstance(problem, Mapping) else factor_columns(frame)
    factors = list(factors)
    missing = [name for name in factors if name not in frame.columns]
    if missing or not factors:
        raise ValueError(f"factor column(s) {missing or '(none)'} not in the frame; columns: {list(frame.columns)}")
    bool_outcomes = {name for name in names if pd.api.types.is_bool_dtype(frame[name])}
    if aggregate:
        table = point_means(frame, names, factors)
    else:
        table = frame[list(dict.fromkeys([*factors, *names]))].reset_index(drop=True)
    x, owners = _encode(table[factors])
    scores, dropped = {}, {}
    for name in names:
        y = pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=float)
        keep = np.isfinite(y)
        dropped[name] = int((~keep).sum())
        if keep.sum() < 2:
            raise ValueError(f"outcome {name!r} has {int(keep.sum())} finite value(s); feature scores need at least 2")
        regressor, classifier = models[method]
        if name in bool_outcomes and aggregate is False:
            model = classifier(n_estimators=n_estimators, random_state=seed)
            target = y[keep].astype(bool)
        else:
            model = regressor(n_estimators=n_estimators, random_state=seed)
            target = y[keep]
        model.fit(x.to_numpy()[keep], target)
        per_column = pd.Series(model.feature_importances_, index=x.columns)
        scores[name] = per_column.groupby(np.asarray(owners), sort=False).sum().reindex(factors)
    result = pd.DataFrame(scores)
    result.index.name = "factor"
    result.attrs.update(method=method, n_estimators=n_estimators, seed=seed, n_dropped=dropped)
    return result
