"""Speed and memory of the model at scale, with the "realistic" defaults (issue 10).

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py [--quick] [--only zscore:10000:100]
Each configuration runs in a fresh process, so peak RSS (``ru_maxrss``) is its own; CPU time
(user + system, from ``getrusage``) is printed next to wall time because the machine is shared.
Per configuration it prints node-steps/s and, so that a slowdown can be traced to its cause, the
signatures proposed, votes cast and messages sent per step (for where the time goes inside a step, run
cProfile on ``run_model``; the README's Speed section lists the phases that dominate).
Prints figures, asserts nothing.

Targets (issue 10): zscore 100 x 200 <= 5 s; 10,000 nodes x 100 steps <= 60 s and <= 2 GiB;
100,000 nodes x 20 steps <= 120 s and <= 6 GiB; iforest 100 x 200 <= 20 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CONFIGS = [
    ("zscore", 100, 200),
    ("iforest", 100, 200),
    ("zscore", 1_000, 100),
    ("zscore", 10_000, 100),
    ("zscore", 100_000, 20),
]

CHILD = """
import json, resource, sys, time
from workbench import ModelParams, ThreatIntelModel
detector, n, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
params = ModelParams(n_nodes=n, detector=detector, topology="small_world")  # realistic defaults
t0 = time.perf_counter()
model = ThreatIntelModel(params, rng=1)
setup = time.perf_counter() - t0
for _ in range(steps):
    model.step()
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
tot = model.state.totals
print(json.dumps(dict(wall_s=wall, setup_s=setup, cpu_s=ru.ru_utime + ru.ru_stime, rss_mib=ru.ru_maxrss / 1024,
                      sigs=tot.signatures_proposed / steps, votes=tot.votes_cast / steps,
                      messages=tot.messages / steps, table=len(model.state.sigs))))
"""


def main() -> None:
    args = sys.argv[1:]
    quick = "--quick" in args
    only = [a.split(":") for a in args[args.index("--only") + 1 :]] if "--only" in args else None
    configs = [(d, int(n), int(s)) for d, n, s in only] if only else CONFIGS
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    print(
        f"{'detector':8} {'nodes':>7} {'steps':>5} {'wall s':>7} {'cpu s':>7} {'setup s':>7} {'node-steps/s':>12} "
        f"{'peak MiB':>8} {'sigs/step':>9} {'votes/step':>10} {'msgs/step':>10}"
    )
    for detector, n, steps in configs:
        if quick and n > 1_000:
            continue
        out = subprocess.run(
            [sys.executable, "-c", CHILD, detector, str(n), str(steps)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{detector:8} {n:7d} {steps:5d} {r['wall_s']:7.1f} {r['cpu_s']:7.1f} {r['setup_s']:7.1f} "
            f"{n * steps / r['wall_s']:12.0f} {r['rss_mib']:8.0f} {r['sigs']:9.1f} {r['votes']:10.1f} "
            f"{r['messages']:10.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
