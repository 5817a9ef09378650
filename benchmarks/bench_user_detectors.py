"""CPU cost per node-step of per-node (scikit-learn-style) detectors against the batched banks, through
``run_model`` (prints figures, asserts nothing).

Usage: ``python benchmarks/bench_user_detectors.py [--nodes 40] [--steps 40]``. The researcher's detectors come
from ``notebooks/extensions/my_defence.py``; isolated nodes (``sharing="none"``), 50 flows per node-step.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

from workbench import ModelParams, run_model

DETECTORS = (
    "zscore",
    "iforest",
    "my_defence:KnnDistance",
    "my_defence:local_outlier_factor",
    "sklearn.covariance:EllipticEnvelope",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=40)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks" / "extensions"))
    warnings.simplefilter("ignore")
    node_steps = args.nodes * args.steps
    print(f"{args.nodes} nodes x {args.steps} steps, isolated nodes, 50 flows per node-step")
    for detector in DETECTORS:
        params = ModelParams(n_nodes=args.nodes, flows_per_node=50, detector=detector, sharing="none")
        wall, cpu = time.perf_counter(), time.process_time()
        run_model(params, steps=args.steps, seed=1)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{detector:40s} {cpu:6.2f} CPU-s {wall:6.2f} s wall {1000 * cpu / node_steps:6.2f} CPU ms per node-step")


if __name__ == "__main__":
    main()
