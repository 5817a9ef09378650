"""Calibration of the central aggregator's quorum: forged harm and genuine protection vs quorum and N.

Usage: ``python benchmarks/bench_central_quorum.py [--nodes 20 50 100 200] [--quorums 1 2 3 5 8 12 20]
[--fracs 0.02 0.05 0.1] [--seeds 0 1 2 3 4] [--steps 60] [--malicious 0.2]``

Realistic world (``ModelParams`` defaults), ``sharing="central"`` with an honest aggregator,
``malicious_fraction`` forgers (``malicious_behavior="forge"``, ``forge_prob`` 0.1). One row per
``n_nodes`` and quorum (explicit integers, then shares of the nodes through ``central_quorum_frac``),
means over seeds of ``forged_reach_frac``, ``forged_benign_blocked_frac``, ``genuine_rejected_frac`` and
``protected_time_frac_mean`` (with the min-max over seeds of the last). The docstring of
``ModelParams.central_quorum_frac`` quotes its figures.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from workbench import ModelParams, run_model

OUTCOMES = ("forged_reach_frac", "forged_benign_blocked_frac", "genuine_rejected_frac", "protected_time_frac_mean")


def row(n: int, label: str, changes: dict, args: argparse.Namespace) -> str:
    began = time.perf_counter()
    values = {k: [] for k in OUTCOMES}
    quorum = None
    for seed in args.seeds:
        params = ModelParams(
            sharing="central",
            n_nodes=n,
            malicious_fraction=args.malicious,
            malicious_behavior="forge",
            **changes,
        )
        quorum = params.effective_central_quorum
        summary = run_model(params, seed=seed, steps=args.steps).summary
        for k in OUTCOMES:
            values[k].append(float(summary[k]))
    mean = {k: np.nanmean(v) for k, v in values.items()}
    prot = values["protected_time_frac_mean"]
    return (
        f"| {n} | {label} | {quorum} | {mean['forged_reach_frac']:.3f} | {mean['forged_benign_blocked_frac']:.3f} "
        f"| {mean['genuine_rejected_frac']:.3f} | {mean['protected_time_frac_mean']:.3f} "
        f"| {min(prot):.3f}-{max(prot):.3f} | {time.perf_counter() - began:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[20, 50, 100, 200])
    parser.add_argument("--quorums", type=int, nargs="+", default=[1, 2, 3, 5, 8, 12, 20])
    parser.add_argument("--fracs", type=float, nargs="+", default=[0.02, 0.05, 0.1])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--malicious", type=float, default=0.2)
    args = parser.parse_args()
    print(
        f"realistic world, central, honest aggregator, {args.malicious:.0%} forgers, {args.steps} steps, seeds {args.seeds}\n"
    )
    print(
        "| n_nodes | quorum rule | quorum | forged_reach | forged_benign_blocked | genuine_rejected | protected_time | protected_time range | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.nodes:
        for q in args.quorums:
            if q <= n:
                print(row(n, f"central_quorum={q}", {"central_quorum": q}, args), flush=True)
        for frac in args.fracs:
            print(row(n, f"central_quorum_frac={frac}", {"central_quorum_frac": frac}, args), flush=True)


if __name__ == "__main__":
    main()
