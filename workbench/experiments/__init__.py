"""Sweeps: a design over factors (grid, Latin hypercube, Sobol, Morris), replicated over seeds, run
on a backend, stored so that they can be interrupted, resumed and reproduced.

    >>> from workbench.experiments import Sweep, load
    >>> sweep = Sweep({"n_nodes": 30}, {"sharing": ["none", "gossip"], "malicious_fraction": [0.0, 0.2]},
    ...               replicates=3, steps=40, seed=1)
    >>> frame = sweep.run(backend="processes", store="data/sweeps/demo")   # one row per run
    >>> load("data/sweeps/demo").equals(frame)
    True

Modules, one job each: ``designs`` (sampling), ``identity`` (hashes, run ids, seeds, model
versions), ``runners`` (runner and parameter class), ``outcomes`` (columns), ``spec`` (``Sweep``),
``driver`` (running one), ``execute`` and ``backends`` (where runs happen), ``store`` (results),
``examples`` (the Ishigami function as a custom model).

Layer: imports ``workbench.model``, ``workbench.validation`` and ``workbench.provenance`` only.
"""

from workbench.experiments.backends import BACKENDS, Backend, check_backend, get_backend, register_backend
from workbench.experiments.designs import Design
from workbench.experiments.driver import SweepInterrupted, run_sweep
from workbench.experiments.execute import Outcome, Task, execute
from workbench.experiments.identity import replicate_seeds, run_id
from workbench.experiments.runners import default_runner
from workbench.experiments.spec import PlannedRun, Sweep
from workbench.experiments.store import Store, StoreWarning, default_store, design_sample, load, load_frames, load_steps

__all__ = [
    "BACKENDS",
    "Backend",
    "Design",
    "Outcome",
    "PlannedRun",
    "Store",
    "StoreWarning",
    "Sweep",
    "SweepInterrupted",
    "Task",
    "check_backend",
    "default_runner",
    "default_store",
    "design_sample",
    "execute",
    "get_backend",
    "load",
    "load_frames",
    "load_steps",
    "register_backend",
    "replicate_seeds",
    "run_id",
    "run_sweep",
]
