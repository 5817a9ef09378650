"""Runner and parameter-class resolution: what a sweep runs, and how its parameters are built.

A runner is any importable function ``runner(params, seed=, steps=)`` returning a mapping of scalar
outcomes or an object with ``.summary`` (and the kept frames as attributes). Its parameter class is
a frozen dataclass with defaults; numeric fields may declare ``metadata={"range": Range(...)}`` and
categorical ones ``metadata={"choices": (...)}``, as :class:`~workbench.model.params.ModelParams`
does, and are validated with the same helpers before anything runs.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from workbench.model.components import import_object
from workbench.model.params import ModelParams
from workbench.validation import check_choice, check_known, check_number


def default_runner(params: ModelParams, seed: int, steps: int) -> Any:
    """:func:`workbench.run_model`, imported where the run executes."""
    from workbench import run_model

    return run_model(params, seed=seed, steps=steps)


DEFAULT_RUNNER_NAMES = (
    "workbench.experiments.runners:default_runner",
    "workbench.experiments.execute:default_runner",
)  # the latter: stores before the split


def object_name(obj: Any) -> str:
    """``module:qualname`` of a function or class."""
    return f"{obj.__module__}:{obj.__qualname__}"


def resolve_runner(runner: Callable | str | None) -> Callable:
    """The run function: ``None`` -> :func:`default_runner`; ``"module:function"`` is imported."""
    if runner is None or runner in DEFAULT_RUNNER_NAMES:
        return default_runner
    if isinstance(runner, str):
        runner = import_object(runner, "runner")
    if not callable(runner):
        raise ValueError(f"runner={runner!r} is not callable")
    return runner


def resolve_params_class(params: type | str | None) -> type:
    """The parameter class: ``None`` -> :class:`ModelParams`; ``"module:Class"`` is imported.

    It must be a frozen dataclass whose every field has a default (a sweep's base starts from them).
    """
    if params is None:
        return ModelParams
    if isinstance(params, str):
        params = import_object(params, "params")
    if not (isinstance(params, type) and dataclasses.is_dataclass(params)):
        raise ValueError(f"params={params!r} must be a dataclass (frozen, with defaults)")
    if not params.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        raise ValueError(f"params={params.__name__} must be a frozen dataclass (@dataclass(frozen=True))")
    missing = [
        f.name
        for f in dataclasses.fields(params)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ValueError(f"params={params.__name__}: field(s) {missing} need defaults")
    return params


def param_fields(cls: type) -> dict[str, dataclasses.Field]:
    """Fields of a parameter class by name (init fields only)."""
    return {f.name: f for f in dataclasses.fields(cls) if f.init}


def check_value(field: dataclasses.Field, value: Any) -> Any:
    """A field's value checked against its declared ``choices``, ``component`` registry or ``range``
    (numbers coerced; ``None`` kept for an ``optional`` field)."""
    if "component" in field.metadata and field.metadata.get("many"):  # several names (a tuple)
        values = [value] if isinstance(value, str) else list(value)
        return tuple(field.metadata["component"].check(v) for v in values)
    if "component" in field.metadata:
        return field.metadata["component"].check(value)
    if "choices" in field.metadata:
        return check_choice(field.name, value, field.metadata["choices"])
    if "range" in field.metadata:
        if value is None and field.metadata.get("optional"):  # None: the field's "not given" (e.g. attack_share)
            return None
        return check_number(field.name, value, field.metadata["range"])
    return value


def build_params(cls: type, values: Mapping[str, Any]) -> Any:
    """An instance of ``cls`` from a mapping: unknown names and out-of-range values raise
    ``ValueError`` naming the field (whatever ``cls`` itself checks comes on top)."""
    fields = param_fields(cls)
    check_known("parameter", values, fields)
    return cls(**{name: check_value(fields[name], value) for name, value in values.items()})


def params_to_dict(params: Any) -> dict[str, Any]:
    """Plain dict of a parameter object's fields."""
    if hasattr(params, "to_dict"):
        return dict(params.to_dict())
    return {f.name: getattr(params, f.name) for f in dataclasses.fields(params)}


# --- can spawned worker processes import what they need? --------------------------------------


def _has_main_guard(source: str) -> bool:
    """True if the module's top level has ``if __name__ == "__main__":``."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            sides = [node.test.left, *node.test.comparators]
            names = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
            mains = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
            if names and mains:
                return True
    return False


def spawn_problem(*objects: Any) -> str | None:
    """Why worker processes started with ``spawn`` cannot run this sweep, or ``None``.

    Spawned workers import the driver's main script again (as ``__mp_main__``) and unpickle the
    runner and parameter class by name. That fails, and every run is lost as "worker process
    died", when the script has no ``if __name__ == "__main__":`` guard (each worker would start the
    sweep again), when the code came from standard input (there is no script to import), or when
    one of ``objects`` is defined in a ``__main__`` without a file (``python -c``, a notebook).
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None:
        local = [object_name(obj) for obj in objects if getattr(obj, "__module__", None) == "__main__"]
        if local:
            return (
                f"{', '.join(local)} is defined in __main__ of an interpreter without a script file "
                "(python -c, standard input or a notebook), so worker processes cannot import it. "
                "Move it into a module on the Python path (a .py file) and pass it as 'module:name', "
                "or use backend='local' or 'ray'."
            )
        return None
    if not Path(path).is_file():  # python - < script.py: __file__ is "<stdin>"
        return (
            f"the main script is {path!r}, not a file (code read from standard input). Worker processes "
            "start by running the main script again, so none can start. Save the code to a .py file with "
            "an 'if __name__ == \"__main__\":' guard and run that, or use backend='local' or 'ray'."
        )
    try:
        source = Path(path).read_text()
        guarded = _has_main_guard(source)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None  # not a readable Python script (zipapp, frozen binary): leave it to the workers
    if not guarded:
        return (
            f"the script {path} has no 'if __name__ == \"__main__\":' guard. Worker processes "
            "(backend='processes') import the main script again, so each would start the sweep anew "
            "and die. Put the code that runs the sweep under 'if __name__ == \"__main__\":', or use "
            "backend='local'."
        )
    return None
