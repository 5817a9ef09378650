"""Per-flow false-positive rate and recall of the detectors under each preset (prints markdown tables).

Usage: ``python benchmarks/bench_calibration.py [--seeds 0 1 2] [--nodes 100] [--steps 40] [--flows 50]
[--run-nodes 40] [--run-steps 90] [--run-sharing none central ledger gossip] [--run-detectors zscore]``

First table: one row per preset and detector, rates pooled over seeds (mean, and the min-max over seeds),
measured by :func:`workbench.model.calibration.measure_detector` on the generator's traffic as the model
uses the detector (fit on ``warmup_steps * flows_per_node`` warm-up flows per node, then
``predict_flags``/``update`` per step, with the model's refit guard). Detector settings are the
``ModelParams`` defaults (z-score threshold 4, refit every 10 steps, refit guard 1 z; 100 trees,
contamination 0.01).

Second table: the same rates measured inside model runs with campaigns on
(:func:`workbench.model.calibration.measure_in_run`: campaigns spread, confirmed rules block, baselines
refit by the model), per preset, detector and sharing channel: early (steps 10-25) and late (the last
third of the run), and the late/early recall ratio (min over seeds). A detector that learns the attack
shows as a ratio well below 1.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from workbench.model.calibration import EARLY_STEPS, measure_detector, measure_in_run
from workbench.model.params import ModelParams
from workbench.model.presets import PRESET_NAMES, PRESETS


def generator_table(args: argparse.Namespace) -> None:
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


def in_run_table(args: argparse.Namespace) -> None:
    late = f"{args.run_steps - args.run_steps // 3 + 1}-{args.run_steps}"
    print(
        f"\nInside runs, campaigns on: n_nodes={args.run_nodes} steps={args.run_steps} seeds={args.seeds} "
        f"(other fields: ModelParams defaults); early = steps {EARLY_STEPS[0]}-{EARLY_STEPS[1]}, late = steps {late}\n"
    )
    print(
        "| preset | detector | sharing | early_recall | late_recall | late/early (min) | early_fpr | late_fpr | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for preset in PRESET_NAMES:
        for detector in args.run_detectors:
            for sharing in args.run_sharing:
                t0 = time.perf_counter()
                params = ModelParams.preset(preset, n_nodes=args.run_nodes, detector=detector, sharing=sharing)
                runs = [measure_in_run(params, seed=s, steps=args.run_steps) for s in args.seeds]
                mean = {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
                worst = min(r["late_over_early"] for r in runs)
                print(
                    f"| {preset} | {detector} | {sharing} | {mean['early_recall']:.3f} | {mean['late_recall']:.3f} | "
                    f"{worst:.2f} | {mean['early_fpr']:.4f} | {mean['late_fpr']:.4f} | {time.perf_counter() - t0:.1f} |",
                    flush=True,
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--flows", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--detectors", nargs="+", default=["zscore", "iforest"])
    ap.add_argument("--run-nodes", type=int, default=40)
    ap.add_argument("--run-steps", type=int, default=90)
    ap.add_argument("--run-sharing", nargs="+", default=["none", "central", "ledger", "gossip"])
    ap.add_argument("--run-detectors", nargs="+", default=["zscore"])
    args = ap.parse_args()
    generator_table(args)
    in_run_table(args)


if __name__ == "__main__":
    main()
