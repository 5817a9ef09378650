"""Cost of observing a confirmation's delivery: the share of a run's process CPU spent in ``note_applied``.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_confirmations.py [N] [STEPS] [SHARING ...]
(defaults: 300 nodes, 100 steps, gossip ledger central none; default parameters otherwise, seed 1).
Prints figures, asserts nothing.
"""

from __future__ import annotations

import sys
import time

import workbench.model.model as model_module
from workbench import ModelParams, ThreatIntelModel

_spent = [0.0]
_observe = model_module.note_applied


def _timed(state, t: int) -> None:
    start = time.process_time()
    _observe(state, t)
    _spent[0] += time.process_time() - start


def main() -> None:
    args = sys.argv[1:]
    n = int(args[0]) if args else 300
    steps = int(args[1]) if len(args) > 1 else 100
    channels = args[2:] or ["gossip", "ledger", "central", "none"]
    model_module.note_applied = _timed  # type: ignore[assignment]
    print(
        f"{'sharing':8} {'nodes':>6} {'steps':>5} {'run CPU s':>10} {'observing s':>12} {'share':>6} {'signatures':>10}"
    )
    for sharing in channels:
        _spent[0] = 0.0
        model = ThreatIntelModel(ModelParams(n_nodes=n, sharing=sharing), rng=1)
        start = time.process_time()
        for _ in range(steps):
            model.step()
        total = time.process_time() - start
        print(
            f"{sharing:8} {n:>6} {steps:>5} {total:>10.2f} {_spent[0]:>12.3f} {100 * _spent[0] / total:>5.1f}% "
            f"{len(model.state.sigs):>10}"
        )


if __name__ == "__main__":
    main()
