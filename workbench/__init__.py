"""Threat-Intelligence Workbench: a Mesa model of collaborative threat detection, sweeps and reports.

    >>> from workbench import ModelParams, run_model
    >>> result = run_model(ModelParams(n_nodes=30), seed=1, steps=40)
    >>> result.steps.head(); result.summary; result.signatures.head()
"""

from workbench.model.params import ModelParams
from workbench.model.model import ThreatIntelModel
from workbench.model.run import RunResult, run_model

__all__ = ["ModelParams", "ThreatIntelModel", "RunResult", "run_model"]
__version__ = "0.1.0"
