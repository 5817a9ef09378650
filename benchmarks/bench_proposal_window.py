"""Calibration of ``proposal_window_steps`` (``workbench.model.flagged_window``); prints a markdown table.

Usage: ``python benchmarks/bench_proposal_window.py [--seeds 0 1 2] [--nodes 60] [--steps 60]
[--windows 1 2 3 4 6 8] [--sharing none central ledger gossip]``

The realistic world (``ModelParams`` defaults otherwise), with its four attacker prefixes rotating every
20 steps and with one prefix that never rotates, no malicious nodes. One row per world, window and
sharing channel: protection over time, attack flows blocked, benign flows blocked and honest
false-positive rules proposed per run (rules that cover no campaign), mean and range over seeds.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from workbench.model.params import ModelParams
from workbench.model.run import run_model

WORLDS = {"realistic": {}, "one prefix, no rotation": {"attacker_prefixes": 1, "prefix_rotation_steps": 0}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--nodes", type=int, default=60)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--windows", type=int, nargs="+", default=[1, 2, 3, 4, 6, 8])
    ap.add_argument("--sharing", nargs="+", default=["none", "central", "ledger", "gossip"])
    args = ap.parse_args()
    print(f"n_nodes={args.nodes} steps={args.steps} seeds={args.seeds}, no malicious nodes\n")
    outcomes = ("protected_time_frac_mean", "attack_blocked_frac", "benign_blocked_frac", "false_positive_rules")
    print(f"| world | window | sharing | {' | '.join(outcomes)} | seconds |")
    print("|---|---|---|" + "---|" * (len(outcomes) + 1))
    for world, fields in WORLDS.items():
        for window in args.windows:
            for sharing in args.sharing:
                t0 = time.perf_counter()
                params = ModelParams.preset(
                    "realistic", n_nodes=args.nodes, sharing=sharing, proposal_window_steps=window, **fields
                )
                cells = {name: [] for name in outcomes}
                for seed in args.seeds:
                    result = run_model(params, seed=seed, steps=args.steps)
                    sigs = result.signatures
                    for name in outcomes[:-1]:
                        cells[name].append(result.summary[name])
                    cells["false_positive_rules"].append(float((~sigs.genuine & ~sigs.forged).sum()))
                text = []
                for name in outcomes:
                    v = np.array(cells[name], float)
                    text.append(f"{v.mean():.3f} ({v.min():.3f}-{v.max():.3f})")
                print(
                    f"| {world} | {window} | {sharing} | {' | '.join(text)} | {time.perf_counter() - t0:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
