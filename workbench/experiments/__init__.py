"""Sweeps: factors crossed (or Latin-hypercube sampled), replicated over seeds, run on a backend,
stored so that they can be interrupted, resumed and reproduced.

    >>> from workbench.experiments import Sweep, load
    >>> sweep = Sweep({"n_nodes": 30}, {"sharing": ["none", "gossip"], "malicious_fraction": [0.0, 0.2]},
    ...               replicates=3, steps=40, seed=1)
    >>> frame = sweep.run(backend="processes", store="data/sweeps/demo")   # one row per run
    >>> load("data/sweeps/demo").equals(frame)
    True

Layer: imports ``workbench.model`` and ``workbench.provenance`` only.
"""

from workbench.experiments.backends import BACKENDS, Backend, get_backend, register_backend
from workbench.experiments.execute import Outcome, Task, default_runner, execute
from workbench.experiments.spec import Design, PlannedRun, Sweep, replicate_seeds, run_id
from workbench.experiments.store import Store, StoreWarning, default_store, load, load_frames, load_steps

__all__ = [
    "BACKENDS", "Backend", "Design", "Outcome", "PlannedRun", "Store", "StoreWarning", "Sweep", "Task",
    "default_runner", "default_store", "execute", "get_backend", "load", "load_frames", "load_steps",
    "register_backend", "replicate_seeds", "run_id",
]
