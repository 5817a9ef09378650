"""Components: concepts with several variants, each named by a registered name or an import path.

A sharing channel, a detector, a consensus rule, an adversary behaviour, an honest voter's evidence
rule and an outcome are *components*: a small protocol, one module per variant, and a
:class:`Registry` that maps the variants' names to where they live. A :class:`ModelParams` field
names a component by

* a registered name (``sharing="gossip"``): the registry's table says which module holds it; or
* an import path ``"package.module:attr"`` (``sharing="mylab.channels:TrustedGossip"``): a
  researcher's own variant, in their own module, with no edit to the package.

Either way the component is found by importing, so that spawned worker processes and Ray workers
resolve it the same way the driver did: parameters hold only names, never pickled callables. A class
is instantiated without arguments; any other object is the component itself (a detector's import path
is the exception: it names a class or factory called once per node, see
:mod:`workbench.model.novelty`). Resolutions are cached per process: edit a component's module and
restart the kernel to see the change (run identity hashes the module's source, so a results store
never serves runs of the older code).

An unknown name, an import path that fails, or an object that does not satisfy the protocol is
refused when the parameters are built, before anything runs, by a ``ValueError`` naming the field,
what was tried and (for a name) the closest registered names.

This module imports nothing from the rest of the package: parameters can check names without
importing the variants.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Mapping
from typing import Any

IMPORT_PATH = "an import path 'package.module:attr'"


def is_import_path(value: Any) -> bool:
    """True for a string that looks like ``"package.module:attr"`` (a colon separates module and attribute)."""
    return isinstance(value, str) and ":" in value


def import_object(path: str, what: str) -> Any:
    """``"package.module:name"`` imported (``name`` may be dotted); ``ValueError`` naming ``what`` otherwise."""
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ValueError(f"{what}={path!r} must look like 'package.module:name'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"{what}={path!r}: cannot import {module_name!r} ({exc})") from None
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{what}={path!r}: {module_name!r} has no {attr!r}") from None
    return obj


def instantiate(obj: Any) -> Any:
    """The component an imported object stands for: a class is called without arguments, anything else
    (a function, an instance) is the component itself."""
    return obj() if isinstance(obj, type) else obj


def describe_object(obj: Any) -> str:
    """``module.Class instance`` / ``module.function`` for messages (no memory addresses)."""
    if isinstance(obj, type) or hasattr(obj, "__qualname__"):
        return f"{getattr(obj, '__module__', '?')}.{obj.__qualname__}"
    return f"a {type(obj).__module__}.{type(obj).__qualname__} instance"


def missing_methods(obj: Any, names: tuple[str, ...], attributes: tuple[str, ...] = ()) -> str | None:
    """``"<obj> lacks a, b"`` for the methods of ``names`` that ``obj`` does not have (callable) and the
    ``attributes`` it does not have, else ``None``."""
    missing = [name for name in names if not callable(getattr(obj, name, None))]
    missing += [f"{name} (attribute)" for name in attributes if not hasattr(obj, name)]
    return f"{describe_object(obj)} lacks {', '.join(missing)}" if missing else None


def closest(value: str, names: tuple[str, ...]) -> str:
    """`` (closest: 'a', 'b')`` for the registered names most like ``value``, or ``""``."""
    near = difflib.get_close_matches(value, names, n=3, cutoff=0.6)
    return f" (closest: {', '.join(map(repr, near))})" if near else ""


class Registry:
    """The variants of one kind of component, by name, and how a field's value becomes a component.

    Args:
        field: the :class:`~workbench.model.params.ModelParams` field that names the component.
        what: what a variant is, for messages (``"sharing channel"``).
        builtins: registered name -> import path of the variant, in the order they are listed.
        protocol: what a variant must provide, for messages (``"fit(X) and score_samples(X)"``).
        problem: why a resolved object does not satisfy the protocol, or ``None`` when it does.
        make: how an imported object becomes the component (default :func:`instantiate`).
    """

    def __init__(
        self,
        field: str,
        what: str,
        builtins: Mapping[str, str],
        *,
        protocol: str,
        problem: Callable[[Any], str | None],
        make: Callable[[Any], Any] = instantiate,
    ) -> None:
        self.field, self.what, self.protocol = field, what, protocol
        self._paths = dict(builtins)
        self._problem, self._make = problem, make
        self._cache: dict[str, Any] = {}

    def names(self) -> tuple[str, ...]:
        """The registered names, in the order they are listed (the allowed values besides import paths)."""
        return tuple(self._paths)

    def __contains__(self, name: object) -> bool:
        return name in self._paths

    def register(self, name: str, path: str) -> None:
        """Register ``path`` (``"package.module:attr"``) under ``name``. A registration lives in the process
        that made it: worker processes see it only if a module they import makes it, so name your own
        variants by import path in sweeps."""
        if not is_import_path(path):
            raise ValueError(f"register({name!r}, {path!r}): the target must look like 'package.module:attr'")
        self._paths[name] = path
        self._cache.pop(name, None)

    def path(self, value: str) -> str:
        """The import path behind ``value`` (a registered name, or an import path itself)."""
        return self._paths.get(value, value)

    def describe(self) -> str:
        """The allowed values, for ``ModelParams.describe()``: ``"a, b, or an import path 'package.module:attr'"``."""
        return f"{', '.join(self.names())}, or {IMPORT_PATH}"

    def check(self, value: Any) -> Any:
        """``value`` if it names a valid component; else ``ValueError`` naming the field and what was tried."""
        if isinstance(value, str) and value in self._paths:
            return value
        if not is_import_path(value):
            near = closest(value, self.names()) if isinstance(value, str) else ""
            raise ValueError(
                f"{self.field}={value!r} is not allowed; choose one of {', '.join(map(repr, self.names()))} "
                f"or {IMPORT_PATH} naming a {self.what}{near}"
            )
        self.get(value)
        return value

    def get(self, value: str) -> Any:
        """The component ``value`` names (imported, made and checked on first use, then cached)."""
        if value not in self._cache:
            obj = import_object(self.path(value), self.field)
            try:
                component = self._make(obj)
            except ValueError:
                raise
            except Exception as exc:  # a user's constructor failing: say which field and path
                raise ValueError(
                    f"{self.field}={value!r}: making the {self.what} failed ({type(exc).__name__}: {exc})"
                ) from None
            problem = self._problem(component)
            if problem:
                raise ValueError(f"{self.field}={value!r}: {problem}; a {self.what} needs {self.protocol}")
            self._cache[value] = component
        return self._cache[value]
