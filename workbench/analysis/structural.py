"""Values that are zero or one by definition: reported as such, never as estimates with an interval.

Isolated nodes send no message, so ``messages_total`` is 0 in every run of ``sharing="none"``; a Wilson or
t interval around it ("0.0% (0.0% to 10.7%)") would present a fact of the design as a measurement, and a
Pareto front would call the design optimal for it. An outcome declares the designs in which it is
structural (:attr:`workbench.model.outcomes.Outcome.structural`, read from what the design's components
declare: a channel that sends no message, a behaviour that never forges); a value counts as structural
here only when it is declared so for the design AND every run of the design measured exactly that value
(:func:`structural_value`). Nothing is guessed from data alone: a value identical across seeds but not
declared is an estimate.

Use::

    value = structural_value(group[outcome], outcome, {"sharing": "none"}, base=sweep.base)
    text = fmt_by_definition(value) if value is not None else fmt_interval(mean, low, high)
    # or for a summarize() table: mark_structural(table, results, base=sweep.base)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from workbench.model.outcomes.catalog import outcome as declared_outcome
from workbench.model.params import ModelParams

BY_DEFINITION = "by definition"
_FIELDS = {f.name for f in dataclasses.fields(ModelParams) if f.init}


def design_params(
    design: Mapping[str, Any] | ModelParams, base: Mapping[str, Any] | ModelParams | None = None
) -> ModelParams:
    """The parameters of a design: ``base`` (a sweep's base; default the defaults) with the fields of ``design``
    (a row or a group key of a results frame: columns that are not parameter fields, such as ``seed`` or a
    block label, are ignored; NaN, a factor another block varies, too)."""
    if isinstance(design, ModelParams):
        return design
    values = dict(base.to_dict() if isinstance(base, ModelParams) else (base or {}))
    for name, value in design.items():
        if name in _FIELDS and not (isinstance(value, float) and np.isnan(value)):
            values[name] = value.item() if isinstance(value, np.generic) else value
    return ModelParams.from_dict({k: v for k, v in values.items() if k in _FIELDS})


def declared_value(
    outcome: str,
    design: Mapping[str, Any] | ModelParams,
    base: Mapping[str, Any] | ModelParams | None = None,
    extra: Iterable[str] = (),
) -> float | None:
    """The value ``outcome`` takes by definition in ``design`` (see :func:`design_params`), or ``None`` where it
    is measured (also for a name that is not a declared outcome, a column derived elsewhere)."""
    try:
        declared = declared_outcome(outcome, extra)
    except KeyError:
        return None
    return declared.structural_value(design_params(design, base))


def structural_value(
    values: ArrayLike,
    outcome: str,
    design: Mapping[str, Any] | ModelParams,
    base: Mapping[str, Any] | ModelParams | None = None,
    extra: Iterable[str] = (),
) -> float | None:
    """The structural value of ``outcome`` in ``design`` when ``values`` (its value in every run, every seed, of
    the design) are all exactly the value the outcome declares for the design; ``None`` otherwise (an estimate:
    report it with its interval). NaN or no values are never structural."""
    expected = declared_value(outcome, design, base, extra)
    if expected is None:
        return None
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0 or not np.all(x == expected):
        return None
    return expected


def fmt_by_definition(value: float) -> str:
    """``"0 (by definition)"``, ``"1 (by definition)"``: a structural value, no interval."""
    return f"{value:g} ({BY_DEFINITION})"


def group_structural_value(
    group: pd.DataFrame,
    outcome: str,
    base: Mapping[str, Any] | ModelParams | None = None,
    extra: Iterable[str] = (),
) -> float | None:
    """:func:`structural_value` over the runs of a results frame (rows of one or several designs): each run's
    design is ``base`` with the parameter fields among the frame's columns (its factors), and the value is
    structural only when every design in ``group`` declares the same value and every run measured it."""
    if outcome not in group.columns or len(group) == 0:
        return None
    fields = [c for c in group.columns if c in _FIELDS]
    designs = group[fields].drop_duplicates() if fields else group.iloc[:1][[]]
    expected = {declared_value(outcome, row, base, extra) for row in designs.to_dict("records")}
    if len(expected) != 1 or None in expected:
        return None
    return structural_value(group[outcome], outcome, designs.iloc[0].to_dict() if fields else {}, base, extra)


def mark_structural(
    table: pd.DataFrame,
    frame: pd.DataFrame,
    base: Mapping[str, Any] | ModelParams | None = None,
    by: list[str] | None = None,
    extra: Iterable[str] = (),
) -> pd.DataFrame:
    """A :func:`workbench.analysis.stats.summarize` table (``*by, outcome, n, mean, std, ci_low, ci_high``) with a
    ``structural`` column: the value by definition (:func:`group_structural_value` over the runs of ``frame`` in
    that row's group), NaN where the row is an estimate; where it is structural the interval and ``std`` are NaN
    (there is nothing to estimate). ``base``: the sweep's base parameters (default ``frame.attrs["base"]``, as
    :func:`workbench.experiments.load` records it, else the defaults); ``by`` defaults to the table's columns
    before ``outcome``."""
    by = list(table.columns[: table.columns.get_loc("outcome")]) if by is None else list(by)
    base = base if base is not None else frame.attrs.get("base")
    ok = frame[frame["status"] == "ok"] if "status" in frame.columns else frame
    groups = (
        {(k if isinstance(k, tuple) else (k,)): g for k, g in ok.groupby(by, sort=False, dropna=False)}
        if by
        else {(): ok}
    )
    values = []
    for row in table.to_dict("records"):
        group = _group(groups, tuple(row[c] for c in by))
        value = None if group is None else group_structural_value(group, row["outcome"], base, extra)
        values.append(np.nan if value is None else value)
    out = table.copy()
    out["structural"] = pd.Series(values, index=out.index, dtype=float)
    fixed = out["structural"].notna()
    out.loc[fixed, [c for c in ("std", "ci_low", "ci_high") if c in out.columns]] = np.nan
    return out


def _group(groups: dict[tuple, pd.DataFrame], key: tuple) -> pd.DataFrame | None:
    if key in groups:
        return groups[key]
    for candidate, group in groups.items():  # NaN keys never compare equal
        if len(candidate) == len(key) and all(x == y or (pd.isna(x) and pd.isna(y)) for x, y in zip(candidate, key)):
            return group
    return None
