"""Speed and memory of the model: node-steps per second for both detectors at N = 100 and 1000.

Run: .venv/bin/python benchmarks/bench_model.py [--quick]
Each configuration runs in a fresh process so that peak RSS is its own. Prints figures, asserts nothing.
Targets (issue #2): zscore 100 x 200 <= 5 s and 1000 x 100 <= 60 s with peak RSS <= 2 GiB;
iforest (100 trees) 100 x 200 <= 20 s.
"""

from __future__ import annotations

import json
import subprocess
import sys

CONFIGS = [("zscore", 100, 200), ("zscore", 1000, 100), ("iforest", 100, 200), ("iforest", 1000, 100)]

CHILD = """
import json, resource, sys, time
from workbench import ModelParams, ThreatIntelModel
detector, n, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
params = ModelParams(n_nodes=n, flows_per_node=50, detector=detector, iforest_trees=100)
t0 = time.perf_counter()
model = ThreatIntelModel(params, rng=1)
per_step = []
for _ in range(steps):
    s = time.perf_counter(); model.step(); per_step.append(time.perf_counter() - s)
total = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
late = sorted(per_step[params.warmup_steps + 1:])
print(json.dumps(dict(total_s=total, rss_mib=rss, median_step_ms=1000 * late[len(late) // 2],
                      fit_s=per_step[params.warmup_steps - 1], signatures=len(model.state.sigs))))
"""


def main() -> None:
    quick = "--quick" in sys.argv
    print(
        f"{'detector':8} {'nodes':>6} {'steps':>5} {'total s':>8} {'node-steps/s':>13} {'median step ms':>15} {'fit s':>6} {'peak RSS MiB':>12}"
    )
    for detector, n, steps in CONFIGS:
        if quick and n > 100:
            continue
        out = subprocess.run(
            [sys.executable, "-c", CHILD, detector, str(n), str(steps)], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{detector:8} {n:6d} {steps:5d} {r['total_s']:8.2f} {n * steps / r['total_s']:13.0f} "
            f"{r['median_step_ms']:15.1f} {r['fit_s']:6.2f} {r['rss_mib']:12.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
