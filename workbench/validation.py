"""One way to validate a value and say what is wrong with it.

Every check raises ``ValueError`` with the same shape of message, naming the field, the value and
what is allowed, e.g. ``n_nodes=1 is out of range; expected an integer with 2 <= x <= 100000`` or
``topology='ringg' is not allowed; choose one of ... (closest: 'ring')``. A value of the wrong type
(``n_nodes="100"``, ``n_nodes=10.5``) raises :class:`ParameterTypeError` (a ``TypeError`` and a
``ValueError``) saying so; an unknown name (a field, a preset, a factor) raises
:class:`UnknownNameError` with the closest known names first (:func:`closest_names`, ``difflib``). Model parameters, detectors,
the ledger, ``run_model``, sweep specifications and backends all use these helpers, so a user sees
one style of error whatever they got wrong.

This module imports nothing from the rest of the package (lowest layer).
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class ParameterTypeError(TypeError, ValueError):
    """A value of the wrong type for its field (a string or a fraction where an integer is expected).

    A ``TypeError`` because that is what it is, and a ``ValueError`` so that code catching the
    workbench's validation errors (all ``ValueError``) catches it too."""


class UnknownNameError(ValueError, TypeError):
    """A name that is not one of the known ones (a parameter, a preset, a factor); the message gives
    the closest known names. A ``TypeError`` too, as Python raises for an unknown keyword argument."""


def closest_names(name: object, known: Iterable[str], n: int = 3) -> list[str]:
    """The known names most like ``name``, closest first (``difflib``; empty when none is close)."""
    return difflib.get_close_matches(str(name), list(known), n=n, cutoff=0.6)


def did_you_mean(name: object, known: Iterable[str]) -> str:
    """``"; did you mean 'a' or 'b'?"`` for the closest known names, or ``""``."""
    near = closest_names(name, known)
    return f"; did you mean {' or '.join(map(repr, near))}?" if near else ""


def unknown_name(kind: str, name: object, known: Iterable[str], where: str = "") -> UnknownNameError:
    """The error for an unknown ``name``: ``unknown parameter 'n_node'; did you mean 'n_nodes'?``.

    Without a close match it lists the known names (the first twelve when there are more)."""
    known = tuple(known)
    hint = did_you_mean(name, known)
    if not hint:
        shown = ", ".join(known[:12]) + (f", ... ({len(known)} in all)" if len(known) > 12 else "")
        hint = f"; known: {shown}"
    return UnknownNameError(f"unknown {kind} {name!r}{where}{hint}")


@dataclass(frozen=True)
class Range:
    """A numeric interval, closed or open at either end, optionally integers only."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    def contains(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.high_open else value > self.high))

    def describe(self) -> str:
        """E.g. ``an integer with 2 <= x <= 100000`` or ``a number with 0.0 < x``."""
        kind = "an integer" if self.integer else "a number"
        if self.low is None and self.high is None:
            return kind
        lo = "" if self.low is None else f"{self.low} {'<' if self.low_open else '<='} "
        hi = "" if self.high is None else f" {'<' if self.high_open else '<='} {self.high}"
        return f"{kind} with {lo}x{hi}"


def coerce_number(value: Any, integer: bool = False) -> int | float | None:
    """Plain ``int``/``float`` for a valid finite number (numpy scalars and whole floats accepted for
    integers), else ``None``. Booleans are not numbers here."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    as_float = float(value)
    if not math.isfinite(as_float):
        return None
    if integer:
        if isinstance(value, numbers.Integral):
            return int(value)  # exact, however large
        return int(as_float) if as_float.is_integer() else None
    return as_float


def out_of_range(name: str, value: Any, expected: str) -> ValueError:
    """The error for a value outside its range: ``name=value is out of range; expected ...``."""
    return ValueError(f"{name}={value!r} is out of range; expected {expected}")


def wrong_type(name: str, value: Any, expected: str) -> ParameterTypeError:
    """The error for a value of the wrong type: ``n_nodes='100' has the wrong type (str); expected ...``."""
    return ParameterTypeError(f"{name}={value!r} has the wrong type ({type(value).__name__}); expected {expected}")


def check_number(name: str, value: Any, range_: Range) -> int | float:
    """``value`` as a plain number if it lies in ``range_``; else ``ValueError`` naming ``name``
    (:class:`ParameterTypeError` when it is not a number at all, or a fraction where an integer is
    expected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise wrong_type(name, value, range_.describe())
    coerced = coerce_number(value, range_.integer)
    if coerced is None and range_.integer and math.isfinite(float(value)):
        raise ParameterTypeError(f"{name}={value!r} is not a whole number; expected {range_.describe()}")
    if coerced is None or not range_.contains(coerced):
        raise out_of_range(name, value, range_.describe())
    return coerced


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """An integer in ``[low, high]`` (either end may be open-ended with ``None``)."""
    return int(check_number(name, value, Range(low, high, integer=True)))


def check_seed(value: Any, name: str = "seed") -> int:
    """A random seed: an integer >= 0 (what numpy's ``SeedSequence`` takes), else an error naming it as
    the seed (:class:`ParameterTypeError` for a non-integer) rather than numpy's own message."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterTypeError(
            f"{name}={value!r} is not a valid random seed ({type(value).__name__}); expected an integer >= 0"
        )
    if value < 0:
        raise out_of_range(name, value, "an integer >= 0 (a random seed)")
    return int(value)


def check_bool(name: str, value: Any) -> bool:
    """``value`` as a plain ``bool`` (numpy booleans accepted); else ``ValueError``."""
    if type(value).__name__ not in ("bool", "bool_"):
        raise ParameterTypeError(f"{name}={value!r} is not allowed; choose one of True, False")
    return bool(value)


def check_choice[T](name: str, value: T, choices: Iterable[Any]) -> T:
    """``value`` if it is one of ``choices``; else ``ValueError`` listing them, the closest first."""
    allowed = tuple(choices)
    if value not in allowed:
        near = closest_names(value, [str(a) for a in allowed]) if isinstance(value, str) else []
        hint = f" (closest: {', '.join(map(repr, near))})" if near else ""
        raise ValueError(f"{name}={value!r} is not allowed; choose one of {', '.join(map(repr, allowed))}{hint}")
    return value


def check_known(kind: str, names: Iterable[str], known: Iterable[str], where: str = "") -> None:
    """Reject names not in ``known`` with :func:`unknown_name` (the first unknown one, in the order
    given); ``where`` follows the name (``" for format 'zeek-conn'"``)."""
    known = tuple(known)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise unknown_name(kind, unknown[0], known, where)
