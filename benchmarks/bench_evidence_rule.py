"""Calibration of the binomial evidence rule (``workbench.model.evidence.binomial``); prints markdown tables.

Usage: ``python benchmarks/bench_evidence_rule.py [--seeds 0 1 2] [--nodes 60] [--steps 60]
[--sharing ledger gossip] [--recall 0.4 0.5 0.6 0.7] [--min-matched 1 2 3]``

The realistic world without malicious nodes (every voter honest, every other field a ``ModelParams``
default). First table: what honest evidence voters saw under the default rule, pooled over the runs: the
flagged share of the matching flows of genuine rules (the detector's recall as voters see it) and of
false-positive rules (rules that cover no campaign), and the voters' own flag rates (their estimate of
their false-positive rate). Second table: for each ``evidence_recall`` and ``evidence_min_matched`` (and
``"half"``), the share of decided genuine rules rejected and of decided false-positive rules confirmed
(mean and range over seeds), and protection over time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from workbench.model.evidence.binomial import binomial
from workbench.model.params import ModelParams
from workbench.model.run import run_model
from workbench.model.voting import Evidence

_SEEN: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []


def recording(evidence: Evidence) -> np.ndarray:
    """The binomial rule, recording each honest pair's (signature row, matched, flagged, flag rate)."""
    _SEEN.append((evidence.sig, evidence.matched, evidence.flagged, evidence.window.flag_rate(evidence.node)))
    return binomial(evidence)


def seen_table(args: argparse.Namespace) -> None:
    print(f"realistic world, n_nodes={args.nodes} steps={args.steps} seeds={args.seeds}, no malicious nodes\n")
    print("| sharing | genuine: flagged/matched | false-positive: flagged/matched | voter flag rate (p10-p90) |")
    print("|---|---|---|---|")
    for sharing in args.sharing:
        share = {True: [0, 0], False: [0, 0]}
        rates = []
        for seed in args.seeds:
            _SEEN.clear()
            params = ModelParams.preset(
                "realistic", n_nodes=args.nodes, sharing=sharing, evidence_rule=f"{__name__}:recording"
            )
            sigs = run_model(params, seed=seed, steps=args.steps).signatures
            for sig, matched, flagged, rate in _SEEN:
                genuine, forged = sigs.genuine.to_numpy()[sig], sigs.forged.to_numpy()[sig]
                for g in (True, False):
                    pick = (genuine == g) & ~forged
                    share[g][0] += int(flagged[pick].sum())
                    share[g][1] += int(matched[pick].sum())
                rates.append(rate)
        rate = np.concatenate(rates)
        print(
            f"| {sharing} | {share[True][0] / max(1, share[True][1]):.3f} ({share[True][1]} flows) | "
            f"{share[False][0] / max(1, share[False][1]):.3f} ({share[False][1]} flows) | "
            f"{np.median(rate):.3f} ({np.quantile(rate, 0.1):.3f}-{np.quantile(rate, 0.9):.3f}) |",
            flush=True,
        )


def grid_table(args: argparse.Namespace) -> None:
    print(
        "\n| sharing | rule | genuine_rejected_frac | false_positive_confirmed_frac | protected_time_frac_mean | seconds |"
    )
    print("|---|---|---|---|---|---|")
    settings = [{"evidence_rule": "half"}] + [
        {"evidence_rule": "binomial", "evidence_recall": r, "evidence_min_matched": m}
        for r in args.recall
        for m in args.min_matched
    ]
    for sharing in args.sharing:
        for setting in settings:
            t0 = time.perf_counter()
            params = ModelParams.preset("realistic", n_nodes=args.nodes, sharing=sharing, **setting)
            runs = [run_model(params, seed=s, steps=args.steps).summary for s in args.seeds]
            cells = []
            for name in ("genuine_rejected_frac", "false_positive_confirmed_frac", "protected_time_frac_mean"):
                v = np.array([r[name] for r in runs], float)
                v = v[np.isfinite(v)]
                cells.append(f"{v.mean():.3f} ({v.min():.3f}-{v.max():.3f})" if v.size else "n/a")
            label = ", ".join(f"{k.removeprefix('evidence_')}={v}" for k, v in setting.items())
            print(f"| {sharing} | {label} | {' | '.join(cells)} | {time.perf_counter() - t0:.1f} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--nodes", type=int, default=60)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--sharing", nargs="+", default=["ledger", "gossip"])
    ap.add_argument("--recall", type=float, nargs="+", default=[0.4, 0.5, 0.6, 0.7])
    ap.add_argument("--min-matched", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args()
    seen_table(args)
    grid_table(args)


if __name__ == "__main__":
    main()
