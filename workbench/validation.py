"""One way to validate a value and say what is wrong with it.

Every check raises ``ValueError`` with the same shape of message, naming the field, the value and
what is allowed, e.g. ``n_nodes=1 is out of range; expected an integer with 2 <= x <= 100000`` or
``detector='svm' is not allowed; choose one of 'zscore', 'iforest'``. Model parameters, detectors,
the ledger, ``run_model``, sweep specifications and backends all use these helpers, so a user sees
one style of error whatever they got wrong.

This module imports nothing from the rest of the package (lowest layer).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


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


def check_number(name: str, value: Any, range_: Range) -> int | float:
    """``value`` as a plain number if it lies in ``range_``; else ``ValueError`` naming ``name``."""
    coerced = coerce_number(value, range_.integer)
    if coerced is None or not range_.contains(coerced):
        raise out_of_range(name, value, range_.describe())
    return coerced


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """An integer in ``[low, high]`` (either end may be open-ended with ``None``)."""
    return int(check_number(name, value, Range(low, high, integer=True)))


def check_bool(name: str, value: Any) -> bool:
    """``value`` as a plain ``bool`` (numpy booleans accepted); else ``ValueError``."""
    if type(value).__name__ not in ("bool", "bool_"):
        raise ValueError(f"{name}={value!r} is not allowed; choose one of True, False")
    return bool(value)


def check_choice[T](name: str, value: T, choices: Iterable[Any]) -> T:
    """``value`` if it is one of ``choices``; else ``ValueError`` listing them."""
    allowed = tuple(choices)
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not allowed; choose one of {', '.join(map(repr, allowed))}")
    return value


def check_known(kind: str, names: Iterable[str], known: Iterable[str]) -> None:
    """Reject names not in ``known``: ``unknown <kind>(s) [...]; known: a, b, c``."""
    known = tuple(known)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"unknown {kind}(s) {unknown}; known: {', '.join(known)}")
