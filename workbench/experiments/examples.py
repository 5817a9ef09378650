"""A model that is not ours, swept like ours: the Ishigami function.

The Ishigami function is the standard test case of global sensitivity analysis (Ishigami and
Homma, 1990):

    y = sin(x1) + a sin(x2)^2 + b x3^4 sin(x1),   x1, x2, x3 uniform on [-pi, pi]

With a = 7 and b = 0.1 its variance and Sobol indices are known exactly: V = a^2/8 + b pi^4/5
+ b^2 pi^8/18 + 1/2; first order S1 = (1/2)(1 + b pi^4/5)^2 / V, S2 = (a^2/8) / V, S3 = 0; total
ST1 = S1 + (8 b^2 pi^8/225) / V, ST2 = S2, ST3 = (8 b^2 pi^8/225) / V, i.e. about (0.314, 0.442,
0.0) and (0.558, 0.442, 0.244).

It shows what any runner and parameter class need (``Sweep(..., runner=ishigami,
params=IshigamiParams)``):

- a frozen dataclass with defaults, ranges declared in field metadata with
  :class:`workbench.validation.Range` (categorical fields would declare ``{"choices": (...)}``);
- a module-level function ``runner(params, seed=, steps=)`` returning a mapping of scalar outcomes
  (or an object with ``.summary``). ``seed`` and ``steps`` may go unused, as here: the function is
  deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from workbench.validation import Range

PI_RANGE = Range(-math.pi, math.pi)


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, tuple[float, float, float]]:
    """Exact first-order (``"S1"``) and total (``"ST"``) Sobol indices of (x1, x2, x3)."""
    variance = a**2 / 8 + b * math.pi**4 / 5 + b**2 * math.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = 8 * b**2 * math.pi**8 / 225  # interaction of x1 and x3 (x3 acts only through it)
    return {"S1": (v1 / variance, v2 / variance, 0.0), "ST": ((v1 + v13) / variance, v2 / variance, v13 / variance)}


@dataclass(frozen=True)
class IshigamiParams:
    """Inputs of the Ishigami function (dimensionless). x1, x2, x3 in [-pi, pi]; a, b constants."""

    x1: float = field(default=0.0, metadata={"range": PI_RANGE, "doc": "first input"})
    x2: float = field(default=0.0, metadata={"range": PI_RANGE, "doc": "second input"})
    x3: float = field(default=0.0, metadata={"range": PI_RANGE, "doc": "third input"})
    a: float = field(default=7.0, metadata={"range": Range(), "doc": "weight of sin(x2)^2"})
    b: float = field(default=0.1, metadata={"range": Range(), "doc": "weight of x3^4 sin(x1)"})


def ishigami(params: IshigamiParams, seed: int = 0, steps: int = 1) -> dict[str, float]:
    """``{"y": ...}``: the Ishigami function at ``params`` (``seed`` and ``steps`` unused)."""
    return {
        "y": math.sin(params.x1) + params.a * math.sin(params.x2) ** 2 + params.b * params.x3**4 * math.sin(params.x1)
    }
