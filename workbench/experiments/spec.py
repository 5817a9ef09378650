"""The sweep specification: base parameters, factors, design, replicates, seeds, steps, kept frames,
runner and parameter class.

A specification is pure data. Building one validates everything (every run's parameter object is
constructed) so that a bad factor name, an empty factor, ``replicates < 1`` or an invalid
parameter value raises ``ValueError`` naming the field before anything runs or is written.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.experiments.designs import Design, DesignPlan, design_options, normalise_factors, sample_design
from workbench.experiments.driver import run_sweep
from workbench.experiments.identity import component_sources, model_version_of, replicate_seeds, run_id, short_hash
from workbench.experiments.outcomes import FRAMES
from workbench.experiments.runners import (
    DEFAULT_RUNNER_NAMES,
    build_params,
    default_runner,
    object_name,
    param_fields,
    params_to_dict,
    resolve_params_class,
    resolve_runner,
)
from workbench.model.params import ModelParams
from workbench.validation import check_choice, check_known, check_seed, wrong_type

if TYPE_CHECKING:
    import pandas as pd

SPEC_KEYS = (
    "base",
    "factors",
    "design",
    "samples",
    "calc_second_order",
    "num_levels",
    "replicates",
    "steps",
    "seed",
    "keep",
    "name",
    "runner",
    "params",
    "allow_partial_windows",
)


@dataclasses.dataclass(frozen=True)
class PlannedRun:
    """One run of a sweep: a design point, a replicate and the seed and parameters they imply."""

    run_id: str
    point: int
    replicate: int
    seed: int
    factors: dict[str, Any]
    params: dict[str, Any]


def yaml_error_line(path: Path, exc: Exception) -> str:
    """A YAML syntax error in one line: ``FILE:LINE:COLUMN: invalid YAML: what (while what, from line L)``
    (lines and columns counted from 1, as editors do)."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    note = ""
    if context:
        note = f" ({context}" + (f" from line {context_mark.line + 1}" if context_mark is not None else "") + ")"
    return f"{where}: invalid YAML: {problem}{note}"


def _count(label: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise wrong_type(label, value, f"an integer with x >= {low}")
    if value < low:
        raise ValueError(f"{label}={value!r} is out of range; expected an integer with x >= {low}")
    return int(value)


def _flag(label: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise wrong_type(label, value, "true or false")
    return value


def check_windows_covered(params: Any, steps: int, where: str = "base") -> None:
    """``ValueError`` naming ``steps``, the campaigns' last start, ``eval_window_steps`` and the smallest
    valid ``steps`` when a run of ``steps`` steps would end before the last campaign's evaluation window
    does. Parameters without ``steps_covering_windows`` (another parameter class) or without a known value
    (a trace) pass."""
    needed = getattr(params, "steps_covering_windows", None)
    if needed is None or steps >= needed:
        return
    message = (
        f"steps={steps} would cut a campaign's evaluation window ({where}): the last campaign starts at step "
        f"{params.last_campaign_start} and is measured over eval_window_steps={params.eval_window_steps} steps, "
        f"so every window is complete from steps={needed}; give steps >= {needed}, fewer or earlier campaigns, "
        "a shorter eval_window_steps, or allow_partial_windows=True"
    )
    raise ValueError(message)


class Sweep:
    """A sweep: a design over factors of a base parameter set, each point replicated.

    Parameters
    ----------
    base : parameter object or dict of its fields (missing fields take their defaults).
    factors : field name -> list of values (``design="grid"``: full factorial in the given order),
        or -> ``(low, high)`` range (``"lhs"``, ``"sobol"``, ``"morris"``; ``{"levels": [...]}`` for a
        categorical field with ``"lhs"``). See :mod:`workbench.experiments.designs`.
    replicates : runs per design point (>= 1), with seeds from ``SeedSequence(seed).spawn``.
    steps : steps per run (>= 1).
    seed : root seed (>= 0) for the replicate seeds and for the sampled designs.
    design : ``"grid"``, ``"lhs"``, ``"sobol"`` or ``"morris"``.
    samples : lhs points, or SALib's base sample size N (sobol: N(2D+2) points with second-order
        indices, N(D+2) without; morris: N trajectories of D+1 points).
    calc_second_order : sobol only (default True).  num_levels : morris only (default 4).
    keep : per-run frames stored besides the summary row: any of ``"steps"``, ``"signatures"``,
        ``"campaigns"``, ``"votes"`` (attributes of the run result; votes: one row per vote cast).
    name : store name under ``data/sweeps/``; defaults to ``sweep-<spec hash>``.
    runner : ``runner(params, seed=, steps=)`` returning a mapping of scalar outcomes or an object with
        ``.summary`` (and the kept frames); a module-level function (or ``"module:function"``) so that
        worker processes can import it. Default: :func:`workbench.run_model`.
    allow_partial_windows : whether ``steps`` may end before a campaign's evaluation window does (its
        outcomes then cover fewer steps, ``window_steps``, and a longer run would change them). ``False``
        (the default): such a sweep is refused with a ``ValueError`` naming ``steps``, the campaigns' last
        start, ``eval_window_steps`` and the smallest valid ``steps`` (:func:`check_windows_covered`), at
        the first design point that would be cut; ``True``: it runs.
    params : the runner's parameter class (or ``"module:Class"``): a frozen dataclass with defaults,
        ranges and choices declared in field metadata as :class:`ModelParams` (the default) does.
    """

    def __init__(
        self,
        base: Any = None,
        factors: Mapping[str, Any] | None = None,
        replicates: int = 1,
        steps: int = 100,
        seed: int = 0,
        design: str | Design = "grid",
        samples: int | None = None,
        *,
        calc_second_order: bool | None = None,
        num_levels: int | None = None,
        keep: Sequence[str] = (),
        name: str | None = None,
        runner: Callable | str | None = None,
        params: type | str | None = None,
        allow_partial_windows: bool = False,
    ) -> None:
        self.design = Design(check_choice("design", getattr(design, "value", design), [d.value for d in Design]))
        self.params_cls = resolve_params_class(params)
        self.runner = resolve_runner(runner)
        self.allow_partial_windows = _flag("allow_partial_windows", allow_partial_windows)
        fields = param_fields(self.params_cls)
        if base is None:
            base = self.params_cls()
        elif isinstance(base, Mapping):
            base = build_params(self.params_cls, base)
        elif not isinstance(base, self.params_cls):
            raise ValueError(
                f"base must be a {self.params_cls.__name__} or a dict of its fields, got {type(base).__name__}"
            )
        self.base = base
        self.replicates, self.steps = _count("replicates", replicates, 1), _count("steps", steps, 1)
        self.seed = check_seed(seed)
        factors = dict(factors or {})
        check_known("factor", factors, fields)
        self.options = design_options(self.design, samples, calc_second_order, num_levels)
        self.samples = self.options["samples"]
        self.factors = normalise_factors(self.design, factors, fields)
        if isinstance(keep, str) or any(k not in FRAMES for k in keep):
            raise ValueError(f"keep={keep!r}: choose frames among {FRAMES}")
        self.keep = tuple(dict.fromkeys(keep))
        self.model_version = model_version_of(self.runner, default_runner)
        self.name = name or f"sweep-{self.spec_hash[:8]}"
        self.plan: DesignPlan = sample_design(self.design, self.factors, fields, self.options, self.seed)
        self.runs: list[PlannedRun] = self._plan()  # validates every run's parameters

    # --- design -----------------------------------------------------------------------------
    def points(self) -> list[dict[str, Any]]:
        """Factor values of each design point, in design order (integer fields rounded, as run)."""
        return [dict(point) for point in self.plan.points]

    @property
    def design_structure(self) -> dict[str, Any]:
        """``{"design", "problem": {"num_vars", "names", "bounds"}, "samples", ...}`` (see designs)."""
        return self.plan.structure

    def _plan(self) -> list[PlannedRun]:
        seeds = replicate_seeds(self.seed, self.replicates)
        base = params_to_dict(self.base)
        runs = []
        built = []
        for index, point in enumerate(self.plan.points):
            try:
                built.append(build_params(self.params_cls, {**base, **point}))
            except ValueError as exc:
                raise ValueError(f"design point {index} {point}: {exc}") from None
        if not self.allow_partial_windows:  # after every point's values are checked, so a bad value is told first
            for index, (point, params) in enumerate(zip(self.plan.points, built, strict=True)):
                check_windows_covered(params, self.steps, f"design point {index} {point}" if point else "base")
        for index, params in enumerate(built):
            values = params_to_dict(params)
            factors = {name: values[name] for name in self.factors}
            sources = component_sources(self.params_cls, values)
            for replicate, seed in enumerate(seeds):
                rid = run_id(values, seed, self.steps, self.model_version, sources)
                runs.append(PlannedRun(rid, index, replicate, seed, factors, values))
        return runs

    # --- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The specification as plain data (JSON/YAML-serialisable); ``from_dict`` inverts it."""
        spec = {
            "base": params_to_dict(self.base),
            "factors": {name: (list(v) if isinstance(v, list) else dict(v)) for name, v in self.factors.items()},
            "design": self.design.value,
            "samples": self.samples,
            "replicates": self.replicates,
            "steps": self.steps,
            "seed": self.seed,
            "keep": list(self.keep),
            "runner": object_name(self.runner),
        }
        # options and a custom parameter class only when used, so older specs keep their hashes
        spec.update({k: v for k, v in self.options.items() if k != "samples"})
        if self.allow_partial_windows:  # only when allowed, so specs covering their windows keep their hashes
            spec["allow_partial_windows"] = True
        if self.params_cls is not ModelParams:
            spec["params"] = object_name(self.params_cls)
        return spec

    @property
    def spec_hash(self) -> str:
        """Hash of what determines the results (not the name): spec plus model version."""
        spec = self.to_dict()
        # factor order sets the design order (point numbers), and JSON hashing sorts keys
        return short_hash({**spec, "factor_order": list(self.factors), "model_version": self.model_version})

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any], **overrides: Any) -> Sweep:
        spec = {**spec, **overrides}
        check_known("sweep key", spec, SPEC_KEYS)
        runner = spec.get("runner")
        return cls(
            base=spec.get("base"),
            factors=spec.get("factors"),
            replicates=spec.get("replicates", 1),
            steps=spec.get("steps", 100),
            seed=spec.get("seed", 0),
            design=spec.get("design", "grid"),
            samples=spec.get("samples"),
            calc_second_order=spec.get("calc_second_order"),
            num_levels=spec.get("num_levels"),
            keep=tuple(spec.get("keep") or ()),
            name=spec.get("name"),
            runner=None if runner in DEFAULT_RUNNER_NAMES else runner,
            params=spec.get("params"),
            allow_partial_windows=spec.get("allow_partial_windows", False),
        )

    @classmethod
    def from_yaml(cls, path: str | Path, **overrides: Any) -> Sweep:
        """Load a YAML sweep file (keys as in :meth:`to_dict`, plus ``name``). The name defaults to
        the file's stem."""
        import yaml

        path = Path(path)
        try:
            spec = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise ValueError(yaml_error_line(path, exc)) from None
        if not isinstance(spec, Mapping):
            raise ValueError(f"{path}: a sweep file must hold a mapping of sweep keys")
        return cls.from_dict({"name": path.stem, **spec}, **overrides)

    def __len__(self) -> int:
        return len(self.runs)

    def __repr__(self) -> str:
        return (
            f"Sweep(name={self.name!r}, design={self.design.value!r}, factors={list(self.factors)}, "
            f"points={len(self.plan.points)}, replicates={self.replicates}, steps={self.steps})"
        )

    # --- running ------------------------------------------------------------------------------
    def run(
        self,
        backend: str = "local",
        store: str | Path | None = None,
        quiet: bool = False,
        *,
        retry_failed: bool = True,
        **backend_options: Any,
    ) -> pd.DataFrame:
        """Run every run not already finished in ``store`` and return the tidy result frame.

        Same as :func:`workbench.experiments.driver.run_sweep` (which the ``sweep`` command uses).
        ``backend``: ``"local"``, ``"processes"`` or ``"ray"`` (options such as ``max_workers``,
        ``address`` or ``max_retries`` are passed on). ``store`` defaults to ``data/sweeps/<name>/``.
        Finished runs are skipped; failed runs are retried unless ``retry_failed=False``. One row
        per run, as :func:`workbench.experiments.load` gives.
        """
        return run_sweep(self, backend=backend, store=store, quiet=quiet, retry_failed=retry_failed, **backend_options)
