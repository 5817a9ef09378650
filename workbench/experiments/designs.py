"""Design sampling: which factor values each design point takes.

Designs are named choices (:class:`Design`):

- ``grid``: full factorial over value lists, in the order given.
- ``lhs``: Latin hypercube over ``(low, high)`` ranges (``scipy.stats.qmc``), ``samples`` points;
  a categorical field is given as ``{"levels": [...]}``.
- ``sobol``: Saltelli's scheme on a scrambled Sobol' sequence (``SALib.sample.sobol``),
  ``samples`` = SALib's base sample size N: N(2D+2) points with ``calc_second_order=True`` (default),
  N(D+2) without.
- ``morris``: Morris trajectories (``SALib.sample.morris``): ``samples`` = N trajectories of D+1
  points on a ``num_levels`` grid (default 4).

Integer fields take the sampled value rounded (lhs: every integer of the range equally likely);
categorical fields cannot be factors of sobol or morris designs. Every sampler draws from a
generator seeded by the sweep's root seed (no global random state). A :class:`DesignPlan` carries
the points, the design's structure (recorded in the store's manifest, so an analysis can be rerun
from the store alone) and, for sobol and morris, the raw sample matrix before rounding.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workbench.experiments.identity import canonical_json, design_rng
from workbench.validation import Range, check_int, check_number


class Design(str, enum.Enum):  # noqa: UP042 - str(Design.GRID) stays "Design.GRID"; values are what is stored
    """How design points are chosen from the factors."""

    GRID = "grid"
    LHS = "lhs"
    SOBOL = "sobol"
    MORRIS = "morris"


SAMPLED = (Design.LHS, Design.SOBOL, Design.MORRIS)  # designs that need ``samples`` and ranges
# Random streams of the samplers (apart from each other and from the replicate seeds).
_STREAMS = {Design.LHS: 0x1A5, Design.SOBOL: 0x50B, Design.MORRIS: 0x302}


@dataclasses.dataclass(frozen=True)
class DesignPlan:
    """Points in design order, the design's structure, and the raw sample (sobol/morris)."""

    points: list[dict[str, Any]]
    structure: dict[str, Any]
    sample: list[list[float]] | None = None


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars, so values hash and serialise the same way everywhere."""
    return value.item() if isinstance(value, np.generic) else value


def _is_integer(field: dataclasses.Field) -> bool:
    return bool("range" in field.metadata and field.metadata["range"].integer)


def grid_levels(name: str, values: Any) -> list[Any]:
    """A grid factor's levels: a non-empty list without repeats."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | np.ndarray):
        raise ValueError(f"factor {name!r} must be a list of values for design='grid', got {values!r}")
    levels = [_plain(v) for v in values]
    if not levels:
        raise ValueError(f"factor {name!r} is empty; give at least one value")
    seen = set()
    for level in levels:
        key = canonical_json(level)
        if key in seen:
            raise ValueError(f"factor {name!r} lists {level!r} more than once")
        seen.add(key)
    return levels


def _finite_bound(name: str, bound: Any, spec: Any) -> float:
    """A range bound as a float; anything but a finite real number (a bool included) is refused."""
    if isinstance(bound, bool) or not isinstance(bound, numbers.Real) or not math.isfinite(bound):
        raise ValueError(f"factor {name!r} range bounds must be finite numbers, got {spec!r}")
    return float(bound)


def range_factor(name: str, spec: Any, field: dataclasses.Field, design: Design) -> dict[str, Any]:
    """Normalise a sampled factor: ``(low, high)`` / ``{"low":, "high":}``, or (lhs only)
    ``{"levels": [...]}``. Bounds must lie inside the field's declared range."""
    label = f"design={design.value!r}"
    if isinstance(spec, Mapping) and "levels" in spec:
        if design is not Design.LHS:
            raise ValueError(
                f"factor {name!r}: {label} needs a numeric (low, high) range; categorical levels "
                "can only be sampled by design='lhs' (or crossed by design='grid')"
            )
        return {"levels": grid_levels(name, spec["levels"])}
    if isinstance(spec, Mapping):
        low, high = spec.get("low"), spec.get("high")
    elif isinstance(spec, Sequence | np.ndarray) and not isinstance(spec, str):
        if len(spec) == 0:
            raise ValueError(f"factor {name!r} is empty; give a (low, high) range")
        if len(spec) != 2:
            raise ValueError(f"factor {name!r} needs a (low, high) range for {label}, got {spec!r}")
        low, high = spec
    else:
        raise ValueError(f"factor {name!r} needs a (low, high) range for {label}, got {spec!r}")
    if "choices" in field.metadata or "component" in field.metadata:
        hint = (
            "give it as {'levels': [...]}"
            if design is Design.LHS
            else "categorical fields cannot be factors of this design (fix it in the base, or use grid/lhs)"
        )
        raise ValueError(f"factor {name!r} is categorical; {hint} for {label}")
    if not _finite_bound(name, low, spec) < _finite_bound(name, high, spec):
        raise ValueError(f"factor {name!r} range needs low < high, got ({low!r}, {high!r})")
    if "range" in field.metadata:  # the whole range must be valid for the field
        allowed: Range = dataclasses.replace(field.metadata["range"], integer=False)
        for bound in (low, high):
            try:
                check_number(name, bound, allowed)
            except ValueError:
                raise ValueError(
                    f"{name}=({low!r}, {high!r}) is out of range; the factor's range must lie within "
                    f"{field.metadata['range'].describe()}"
                ) from None
    return {"low": _plain(low), "high": _plain(high)}


def normalise_factors(
    design: Design, factors: Mapping[str, Any], fields: Mapping[str, dataclasses.Field]
) -> dict[str, Any]:
    """Factors in canonical form for ``design`` (names already checked against ``fields``)."""
    if design is Design.GRID:
        return {name: grid_levels(name, values) for name, values in factors.items()}
    return {name: range_factor(name, spec, fields[name], design) for name, spec in factors.items()}


def design_options(design: Design, samples: Any, calc_second_order: Any, num_levels: Any) -> dict[str, Any]:
    """Validated ``samples`` and design options, e.g. ``{"samples": 64, "calc_second_order": True}``."""
    if design is Design.GRID:
        if samples is not None:
            raise ValueError("samples is only used with design='lhs', 'sobol' or 'morris'")
        options: dict[str, Any] = {"samples": None}
    else:
        if isinstance(samples, bool) or not isinstance(samples, numbers.Integral) or samples < 1:
            raise ValueError(f"samples={samples!r} is out of range; design={design.value!r} needs an integer >= 1")
        options = {"samples": int(samples)}
    if calc_second_order is not None and design is not Design.SOBOL:
        raise ValueError("calc_second_order is only used with design='sobol'")
    if num_levels is not None and design is not Design.MORRIS:
        raise ValueError("num_levels is only used with design='morris'")
    if design is Design.SOBOL:
        if calc_second_order is None:
            calc_second_order = True
        if not isinstance(calc_second_order, bool):
            raise ValueError(f"calc_second_order={calc_second_order!r} is not allowed; choose one of True, False")
        options["calc_second_order"] = calc_second_order
    if design is Design.MORRIS:
        options["num_levels"] = check_int("num_levels", 4 if num_levels is None else num_levels, 2)
    return options


def problem(factors: Mapping[str, Any]) -> dict[str, Any]:
    """SALib's problem dict: ``num_vars``, ``names``, ``bounds`` (``None`` for categorical factors)."""
    bounds: list[list[Any] | None] = []
    for spec in factors.values():
        if isinstance(spec, Mapping) and "low" in spec:
            bounds.append([spec["low"], spec["high"]])
        else:
            levels = spec["levels"] if isinstance(spec, Mapping) else spec
            numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in levels)
            bounds.append([min(levels), max(levels)] if numeric else None)
    return {"num_vars": len(factors), "names": list(factors), "bounds": bounds}


def _value(spec: Mapping[str, Any], field: dataclasses.Field, x: float) -> Any:
    """A sampled value as run: rounded to the nearest integer of the range for integer fields."""
    if _is_integer(field):
        low, high = math.ceil(spec["low"]), math.floor(spec["high"])
        return int(min(max(round(x), low), high))
    return float(x)


def _lhs(
    factors: Mapping[str, Any], fields: Mapping[str, dataclasses.Field], samples: int, rng: np.random.Generator
) -> list[dict[str, Any]]:
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(factors), rng=rng).random(samples) if factors else np.empty((samples, 0))
    points = []
    for row in unit:
        point = {}
        for u, (name, spec) in zip(row, factors.items()):
            if "levels" in spec:
                levels = spec["levels"]
                point[name] = levels[min(int(u * len(levels)), len(levels) - 1)]
            elif _is_integer(fields[name]):
                # every integer in [low, high] equally likely
                low, high = math.ceil(spec["low"]), math.floor(spec["high"])
                point[name] = min(int(low + math.floor(u * (high - low + 1))), high)
            else:
                point[name] = float(spec["low"] + u * (spec["high"] - spec["low"]))
        points.append(point)
    return points


def sample_design(
    design: Design,
    factors: Mapping[str, Any],
    fields: Mapping[str, dataclasses.Field],
    options: Mapping[str, Any],
    seed: int,
) -> DesignPlan:
    """The design's points (in design order), structure and raw sample."""
    structure: dict[str, Any] = {"design": design.value, "problem": problem(factors), "samples": options["samples"]}
    if design is Design.GRID:
        names = list(factors)
        points = [dict(zip(names, combo)) for combo in itertools.product(*factors.values())]
        structure["samples"] = len(points)
        return DesignPlan(points, structure)
    rng = design_rng(seed, _STREAMS[design])
    if design is Design.LHS:
        return DesignPlan(_lhs(factors, fields, options["samples"], rng), structure)
    if not factors:
        raise ValueError(f"design={design.value!r} needs at least one factor")
    salib_problem = {
        "num_vars": len(factors),
        "names": list(factors),
        "bounds": [[float(s["low"]), float(s["high"])] for s in factors.values()],
    }
    if design is Design.SOBOL:
        import warnings

        from SALib.sample import sobol

        structure["calc_second_order"] = options["calc_second_order"]
        with warnings.catch_warnings():  # SALib's advice on powers of two is in our docs instead
            warnings.filterwarnings("ignore", message=".*Sobol.*", category=UserWarning)
            matrix = sobol.sample(
                salib_problem, options["samples"], calc_second_order=options["calc_second_order"], seed=rng
            )
    else:
        from SALib.sample import morris

        structure["num_levels"] = options["num_levels"]
        matrix = morris.sample(salib_problem, options["samples"], num_levels=options["num_levels"], seed=rng)
    points = [{name: _value(spec, fields[name], x) for x, (name, spec) in zip(row, factors.items())} for row in matrix]
    return DesignPlan(points, structure, [[float(x) for x in row] for row in matrix])
