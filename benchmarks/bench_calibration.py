"""Per-flow false-positive rate and recall of both detectors under each preset (prints a markdown table).

Usage: ``python benchmarks/bench_calibration.py [--seeds 0 1 2] [--nodes 100] [--steps 40] [--flows 50]``

Each row: one preset and detector, rates pooled over seeds (mean, and the min-max over seeds), measured
by :func:`workbench.model.calibration.measure_detector` exactly as the model uses the detector (fit on
``warmup_steps * flows_per_node`` warm-up flows per node, then ``predict_flags``/``update`` per step).
Detector settings are the ``ModelParams`` defaults (z-score threshold 4, refit every 10 steps; 100
trees, contamination 0.01).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from workbench.model.calibration import measure_detector
from workbench.model.presets import PRESET_NAMES, PRESETS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--flows", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--detectors", nargs="+", default=["zscore", "iforest"])
    args = ap.parse_args()
    print(
        f"nodes={args.nodes} flows_per_node={args.flows} warmup_steps={args.warmup} measured_steps={args.steps} "
        f"seeds={args.seeds} attack: 3 campaigns x 5 flows, each node targeted w.p. 0.2 per campaign and step\n"
    )
    print("| preset | detector | fpr_per_flow | fpr_range | recall | recall_range | seconds |")
    print("|---|---|---|---|---|---|---|")
    for preset in PRESET_NAMES:
        for detector in args.detectors:
            t0 = time.perf_counter()
            runs = [
                measure_detector(
                    PRESETS[preset],
                    detector,
                    seed=s,
                    n_nodes=args.nodes,
                    steps=args.steps,
                    flows_per_node=args.flows,
                    warmup_steps=args.warmup,
                )
                for s in args.seeds
            ]
            fpr = np.array([r["fpr"] for r in runs])
            recall = np.array([r["recall"] for r in runs])
            print(
                f"| {preset} | {detector} | {fpr.mean():.4f} | {fpr.min():.4f}-{fpr.max():.4f} | "
                f"{recall.mean():.3f} | {recall.min():.3f}-{recall.max():.3f} | {time.perf_counter() - t0:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
