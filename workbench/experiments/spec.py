"""Sweep specifications: base parameters, factors, design, replicates, seeds, steps, kept outputs.

A specification is pure data. Building one validates everything (every run's :class:`ModelParams`
is constructed) so that a bad factor name, an empty factor, ``replicates < 1`` or an invalid
parameter value raises ``ValueError`` before anything runs or is written.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib
import itertools
import json
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.model.params import ModelParams, field_names

# Per-run frames that may be kept besides the summary row (attributes of the run result).
FRAMES = ("steps", "signatures", "campaigns")


class Design(str, enum.Enum):
    """How design points are chosen from the factors."""

    GRID = "grid"  # full factorial over value lists
    LHS = "lhs"  # Latin hypercube over (low, high) ranges, ``samples`` points (scipy.stats.qmc)


def canonical_json(value: Any) -> str:
    """Deterministic JSON used for hashing (sorted keys, no whitespace)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def short_hash(value: Any, length: int = 16) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:length]


def run_id(params: Mapping[str, Any], seed: int, steps: int, model_version: str) -> str:
    """Identity of one run: a hash of (all parameters, seed, steps, model version)."""
    return short_hash({"params": dict(params), "seed": int(seed), "steps": int(steps),
                       "model_version": str(model_version)})


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """Independent 63-bit seeds, one per replicate, from ``SeedSequence(root).spawn``.

    Replicate ``r`` uses the same seed at every design point (common random numbers), so
    differences between points are not blurred by seed noise, and adding replicates later keeps
    the seeds (and runs) of the existing ones.
    """
    children = np.random.SeedSequence(root).spawn(replicates)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]


def _is_integer_field(name: str) -> bool:
    f = next(f for f in dataclasses.fields(ModelParams) if f.name == name)
    return bool("range" in f.metadata and f.metadata["range"].integer)


def _is_choice_field(name: str) -> bool:
    f = next(f for f in dataclasses.fields(ModelParams) if f.name == name)
    return "choices" in f.metadata


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars, so values hash and serialise the same way everywhere."""
    return value.item() if isinstance(value, np.generic) else value


def _check_factor_names(factors: Mapping[str, Any]) -> None:
    unknown = [name for name in factors if name not in field_names()]
    if unknown:
        raise ValueError(f"unknown factor name(s) {unknown}; factors must be ModelParams fields: "
                         f"{', '.join(field_names())}")


def _grid_levels(name: str, values: Any) -> list[Any]:
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


def _lhs_factor(name: str, spec: Any) -> dict[str, Any]:
    """Normalise an LHS factor: ``(low, high)`` / ``{"low":, "high":}`` or ``{"levels": [...]}``."""
    if isinstance(spec, Mapping) and "levels" in spec:
        return {"levels": _grid_levels(name, spec["levels"])}
    if isinstance(spec, Mapping):
        low, high = spec.get("low"), spec.get("high")
    elif isinstance(spec, Sequence | np.ndarray) and not isinstance(spec, str):
        if len(spec) == 0:
            raise ValueError(f"factor {name!r} is empty; give a (low, high) range")
        if len(spec) != 2:
            raise ValueError(f"factor {name!r} needs a (low, high) range for design='lhs', got {spec!r}")
        low, high = spec
    else:
        raise ValueError(f"factor {name!r} needs a (low, high) range for design='lhs', got {spec!r}")
    if _is_choice_field(name):
        raise ValueError(f"factor {name!r} is categorical; give it as {{'levels': [...]}} for design='lhs'")
    for bound in (low, high):
        if isinstance(bound, bool) or not isinstance(bound, numbers.Real) or not math.isfinite(bound):
            raise ValueError(f"factor {name!r} range bounds must be finite numbers, got {spec!r}")
    if not low < high:
        raise ValueError(f"factor {name!r} range needs low < high, got ({low!r}, {high!r})")
    return {"low": _plain(low), "high": _plain(high)}


def _lhs_points(factors: Mapping[str, dict[str, Any]], samples: int, root: int) -> list[dict[str, Any]]:
    from scipy.stats import qmc

    # The design's randomness comes from the root seed too, on a stream apart from the replicates'.
    rng = np.random.default_rng(np.random.SeedSequence(entropy=root, spawn_key=(0x1A5,)))
    unit = qmc.LatinHypercube(d=len(factors), rng=rng).random(samples) if factors else np.empty((samples, 0))
    points = []
    for row in unit:
        point = {}
        for u, (name, spec) in zip(row, factors.items()):
            if "levels" in spec:
                levels = spec["levels"]
                point[name] = levels[min(int(u * len(levels)), len(levels) - 1)]
            elif _is_integer_field(name):
                # every integer in [low, high] equally likely
                low, high = math.ceil(spec["low"]), math.floor(spec["high"])
                point[name] = min(int(low + math.floor(u * (high - low + 1))), high)
            else:
                point[name] = float(spec["low"] + u * (spec["high"] - spec["low"]))
        points.append(point)
    return points


def resolve_runner(runner: Callable | str | None) -> Callable:
    """The run function: ``None`` -> :func:`workbench.run_model`; ``"module:function"`` is imported."""
    if runner is None:
        from workbench.experiments.execute import default_runner

        return default_runner
    if isinstance(runner, str):
        module_name, _, attr = runner.partition(":")
        if not attr:
            raise ValueError(f"runner={runner!r} must look like 'package.module:function'")
        return getattr(importlib.import_module(module_name), attr)
    if not callable(runner):
        raise ValueError(f"runner={runner!r} is not callable")
    return runner


def runner_name(runner: Callable) -> str:
    return f"{runner.__module__}:{runner.__qualname__}"


def model_source_digest() -> str:
    """Short hash of the model's source files (``workbench/model/**/*.py``).

    Part of the default model version, so that a store never serves runs of older model code
    even when ``MODEL_VERSION`` was not bumped.
    """
    import workbench.model

    root = Path(workbench.model.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_version_of(runner: Callable) -> str:
    """Version string keyed into run ids. Default runner: ``"<MODEL_VERSION>+<source digest>"``;
    a custom runner is its own model (its ``model_version`` attribute, else its import name)."""
    from workbench.experiments.execute import default_runner
    from workbench.model import MODEL_VERSION

    if runner is default_runner:
        return f"{MODEL_VERSION}+{model_source_digest()}"
    return str(getattr(runner, "model_version", runner_name(runner)))


@dataclasses.dataclass(frozen=True)
class PlannedRun:
    """One run of a sweep: a design point, a replicate and the seed and parameters they imply."""

    run_id: str
    point: int
    replicate: int
    seed: int
    factors: dict[str, Any]
    params: dict[str, Any]


class Sweep:
    """A sweep: factors crossed (or Latin-hypercube sampled) over a base, each point replicated.

    Parameters
    ----------
    base : ModelParams or dict of its fields (missing fields take their defaults).
    factors : field name -> list of values (``design="grid"``, full factorial in the given order)
        or field name -> ``(low, high)`` range, or ``{"levels": [...]}`` for a categorical field
        (``design="lhs"``; integer fields are drawn uniformly over the integers in the range).
    replicates : runs per design point (>= 1), with seeds from ``SeedSequence(seed).spawn``.
    steps : model steps per run (>= 1).
    seed : root seed (>= 0) for the replicate seeds and for the LHS design.
    design : ``"grid"`` or ``"lhs"``.  samples : number of LHS points (``design="lhs"`` only).
    keep : per-run frames stored besides the summary row: any of ``"steps"``, ``"signatures"``,
        ``"campaigns"``.
    name : store name under ``data/sweeps/``; defaults to ``sweep-<spec hash>``.
    runner : ``runner(params, seed=, steps=)`` returning an object with ``.summary`` (and the kept
        frames); a module-level callable so that worker processes can import it. Default:
        :func:`workbench.run_model`.
    """

    def __init__(
        self,
        base: ModelParams | Mapping[str, Any] | None = None,
        factors: Mapping[str, Any] | None = None,
        replicates: int = 1,
        steps: int = 100,
        seed: int = 0,
        design: str | Design = "grid",
        samples: int | None = None,
        *,
        keep: Sequence[str] = (),
        name: str | None = None,
        runner: Callable | str | None = None,
    ) -> None:
        try:
            self.design = Design(design)
        except ValueError:
            raise ValueError(f"design={design!r} is not allowed; choose one of "
                             f"{', '.join(repr(d.value) for d in Design)}") from None
        if base is None:
            base = ModelParams()
        elif isinstance(base, Mapping):
            base = ModelParams.from_dict(base)
        elif not isinstance(base, ModelParams):
            raise ValueError(f"base must be a ModelParams or a dict of its fields, got {type(base).__name__}")
        self.base: ModelParams = base
        for label, value, low in (("replicates", replicates, 1), ("steps", steps, 1), ("seed", seed, 0)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
                raise ValueError(f"{label}={value!r} is out of range; expected an integer with x >= {low}")
        self.replicates, self.steps, self.seed = int(replicates), int(steps), int(seed)
        factors = dict(factors or {})
        _check_factor_names(factors)
        if self.design is Design.GRID:
            if samples is not None:
                raise ValueError("samples is only used with design='lhs'")
            self.factors = {name: _grid_levels(name, values) for name, values in factors.items()}
            self.samples = None
        else:
            if isinstance(samples, bool) or not isinstance(samples, numbers.Integral) or samples < 1:
                raise ValueError(f"samples={samples!r} is out of range; design='lhs' needs an integer >= 1")
            self.factors = {name: _lhs_factor(name, spec) for name, spec in factors.items()}
            self.samples = int(samples)
        unknown_keep = [k for k in keep if k not in FRAMES]
        if unknown_keep or isinstance(keep, str):
            raise ValueError(f"keep={keep!r}: choose frames among {FRAMES}")
        self.keep = tuple(dict.fromkeys(keep))
        self.runner = resolve_runner(runner)
        self.model_version = model_version_of(self.runner)
        self.name = name or f"sweep-{self.spec_hash[:8]}"
        self.runs: list[PlannedRun] = self._plan()  # validates every run's parameters

    # --- design -----------------------------------------------------------------------------
    def points(self) -> list[dict[str, Any]]:
        """Factor values of each design point, in design order."""
        if self.design is Design.GRID:
            names = list(self.factors)
            return [dict(zip(names, combo)) for combo in itertools.product(*self.factors.values())]
        return _lhs_points(self.factors, self.samples, self.seed)

    def _plan(self) -> list[PlannedRun]:
        seeds = replicate_seeds(self.seed, self.replicates)
        runs = []
        for index, point in enumerate(self.points()):
            try:
                params = self.base.replace(**point)
            except ValueError as exc:
                raise ValueError(f"design point {index} {point}: {exc}") from None
            values = params.to_dict()
            factors = {name: values[name] for name in self.factors}
            for replicate, seed in enumerate(seeds):
                runs.append(PlannedRun(run_id(values, seed, self.steps, self.model_version),
                                       index, replicate, seed, factors, values))
        return runs

    # --- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The specification as plain data (JSON/YAML-serialisable); ``from_dict`` inverts it."""
        return {
            "base": self.base.to_dict(),
            "factors": {name: (list(v) if isinstance(v, list) else dict(v)) for name, v in self.factors.items()},
            "design": self.design.value,
            "samples": self.samples,
            "replicates": self.replicates,
            "steps": self.steps,
            "seed": self.seed,
            "keep": list(self.keep),
            "runner": runner_name(self.runner),
        }

    @property
    def spec_hash(self) -> str:
        """Hash of what determines the results (not the name): spec plus model version."""
        spec = self.to_dict()
        # factor order sets the design order (point numbers), and JSON hashing sorts keys
        return short_hash({**spec, "factor_order": list(self.factors), "model_version": self.model_version})

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any], **overrides: Any) -> "Sweep":
        allowed = {"base", "factors", "design", "samples", "replicates", "steps", "seed", "keep",
                   "name", "runner"}
        spec = {**spec, **overrides}
        unknown = set(spec) - allowed
        if unknown:
            raise ValueError(f"unknown sweep key(s) {sorted(unknown)}; known: {', '.join(sorted(allowed))}")
        runner = spec.get("runner")
        if runner in ("workbench.experiments.execute:default_runner",):
            runner = None
        return cls(base=spec.get("base"), factors=spec.get("factors"), replicates=spec.get("replicates", 1),
                   steps=spec.get("steps", 100), seed=spec.get("seed", 0), design=spec.get("design", "grid"),
                   samples=spec.get("samples"), keep=tuple(spec.get("keep") or ()), name=spec.get("name"),
                   runner=runner)

    @classmethod
    def from_yaml(cls, path: str | Path, **overrides: Any) -> "Sweep":
        """Load a YAML sweep file (keys as in :meth:`to_dict`, plus ``name``). The name defaults to
        the file's stem."""
        import yaml

        path = Path(path)
        spec = yaml.safe_load(path.read_text())
        if not isinstance(spec, Mapping):
            raise ValueError(f"{path}: a sweep file must hold a mapping of sweep keys")
        spec = {"name": path.stem, **spec}
        return cls.from_dict(spec, **overrides)

    def __len__(self) -> int:
        return len(self.runs)

    def __repr__(self) -> str:
        return (f"Sweep(name={self.name!r}, design={self.design.value!r}, factors={list(self.factors)}, "
                f"points={len(self.runs) // self.replicates}, replicates={self.replicates}, steps={self.steps})")

    # --- running ------------------------------------------------------------------------------
    def run(self, backend: str = "local", store: str | Path | None = None, quiet: bool = False,
            *, retry_failed: bool = True, **backend_options: Any):
        """Run every run not already finished in ``store`` and return the tidy result frame.

        ``backend``: ``"local"``, ``"processes"`` or ``"ray"`` (options such as ``max_workers``,
        ``address`` or ``max_retries`` are passed on). ``store`` defaults to
        ``data/sweeps/<name>/``. Finished runs are skipped; failed runs are retried unless
        ``retry_failed=False``. One row per run, as :func:`workbench.experiments.load` gives.
        """
        from workbench.experiments.driver import run_sweep

        return run_sweep(self, backend=backend, store=store, quiet=quiet, retry_failed=retry_failed,
                         **backend_options)
