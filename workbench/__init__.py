"""Threat-Intelligence Workbench: a Mesa model of collaborative threat detection, sweeps and reports.

    >>> from workbench import ModelParams, run_model
    >>> result = run_model(ModelParams(n_nodes=30), seed=1, steps=40)
    >>> result.steps.head(); result.summary; result.signatures.head()

The names below are imported on first use, so that light subpackages (the ledger verifier, worker
processes) do not pay for importing the whole model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["ModelParams", "RunResult", "ThreatIntelModel", "run_model"]
__version__ = "0.1.0"

_LAZY = {
    "ModelParams": "workbench.model.params",
    "ThreatIntelModel": "workbench.model.model",
    "RunResult": "workbench.model.run",
    "run_model": "workbench.model.run",
}

if TYPE_CHECKING:
    from workbench.model.model import ThreatIntelModel
    from workbench.model.params import ModelParams
    from workbench.model.run import RunResult, run_model


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
