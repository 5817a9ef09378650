"""Run identity: canonical JSON, hashes, run ids, replicate seeds, model versions.

A run is identified by a hash of everything that determines its results (all parameters, seed,
steps, model version), so a store doubles as a cache and never serves runs of other code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np


def canonical_json(value: Any) -> str:
    """Deterministic JSON used for hashing (sorted keys, no whitespace)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def short_hash(value: Any, length: int = 16) -> str:
    """First ``length`` hex digits of the SHA-256 of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:length]


def run_id(
    params: Mapping[str, Any], seed: int, steps: int, model_version: str, components: Mapping[str, str] | None = None
) -> str:
    """Identity of one run: a hash of (all parameters, seed, steps, model version) and, when the parameters
    name components outside the package, their sources (:func:`component_sources`)."""
    identity = {"params": dict(params), "seed": int(seed), "steps": int(steps), "model_version": str(model_version)}
    if components:
        identity["components"] = dict(components)
    return short_hash(identity)


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """Independent 63-bit seeds, one per replicate, from ``SeedSequence(root).spawn``.

    Replicate ``r`` uses the same seed at every design point (common random numbers), so
    differences between points are not blurred by seed noise, and adding replicates later keeps
    the seeds (and runs) of the existing ones.
    """
    children = np.random.SeedSequence(root).spawn(replicates)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]


def design_rng(root: int, stream: int) -> np.random.Generator:
    """A generator for a design sampler, from the root seed on its own stream (apart from the
    replicates' seeds and from other designs'), so a design never touches global random state."""
    return np.random.default_rng(np.random.SeedSequence(entropy=root, spawn_key=(stream,)))


def source_digest(paths: list[Path], root: Path) -> str:
    """Short hash of the given source files (relative names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_source_digest() -> str:
    """Short hash of the model's source files (``workbench/model/**/*.py``).

    Part of the default model version, so that a store never serves runs of older model code
    even when ``MODEL_VERSION`` was not bumped.
    """
    import workbench.model

    root = Path(workbench.model.__file__).resolve().parent
    return source_digest(list(root.rglob("*.py")), root)


def module_digest(path: str) -> str:
    """Short hash of the source file of the module an import path ``"package.module:attr"`` names
    (``""`` for a module without a file)."""
    module = importlib.import_module(path.partition(":")[0])
    source = getattr(module, "__file__", None)
    if not source or not Path(source).is_file():
        return ""
    file = Path(source).resolve()
    return source_digest([file], file.parent)


def component_sources(params_cls: type, values: Mapping[str, Any]) -> dict[str, str]:
    """For every field of ``params_cls`` that names a component outside the package (an import path, or
    a name registered to one), ``"<import path>+<hash of its module's source>"``.

    The package's own components are covered by the model version (it hashes the model's source); a
    researcher's module is not, so its source enters the run's identity: editing it gives new runs
    instead of stale cached ones, as for a custom runner. Fields holding several names (a tuple) get
    one entry each, ``field[i]``."""
    out: dict[str, str] = {}
    if not dataclasses.is_dataclass(params_cls):
        return out
    for f in dataclasses.fields(params_cls):
        registry = f.metadata.get("component")
        value = values.get(f.name)
        if registry is None or value is None:
            continue
        named = [(f.name, value)] if isinstance(value, str) else [(f"{f.name}[{i}]", v) for i, v in enumerate(value)]
        for key, name in named:
            path = registry.path(name)
            if not path.startswith("workbench."):
                out[key] = f"{path}+{module_digest(path)}"
    return out


def runner_name(runner: Callable) -> str:
    """``module:qualname`` of a function (how a spec names it)."""
    return f"{runner.__module__}:{runner.__qualname__}"


def model_version_of(runner: Callable, default_runner: Callable) -> str:
    """Version string keyed into run ids.

    Default runner: ``"<MODEL_VERSION>+<model source digest>"``. A custom runner is its own model:
    its ``model_version`` attribute if it has one, else ``"<module:name>+<digest of its module's
    source file>"`` (so editing the runner's code gives new runs instead of stale cached ones).
    """
    from workbench.model import MODEL_VERSION

    if runner is default_runner:
        return f"{MODEL_VERSION}+{model_source_digest()}"
    declared = getattr(runner, "model_version", None)
    if declared is not None:
        return str(declared)
    try:
        source = inspect.getsourcefile(runner)
    except TypeError:
        source = None
    if source and Path(source).is_file():
        path = Path(source).resolve()
        return f"{runner_name(runner)}+{source_digest([path], path.parent)}"
    return runner_name(runner)
