"""Rounds per second of the gossip modes on a small world, for 1k, 10k and 100k nodes (prints figures).

Usage: ``python benchmarks/bench_gossip.py [--nodes 1000 10000 100000] [--items 100] [--rounds 10]``

Each mode starts ``items`` items at random origins and runs ``rounds`` rounds (fanout 2, loss 0.01,
5% dropping relays; rumour with k = 2). Reported: rounds/s, item-carrying messages per round, the
share of (item, node) pairs holding at the end, peak traced memory of the rounds, and the time of
breadth-first hop counts per source (votes travel over the topology).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from workbench.model import gossip
from workbench.model.topology import adjacency, build_graph, hop_counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print("| nodes | mode | rounds_per_s | messages_per_round | held_share | peak_mib | bfs_ms_per_source |")
    print("|---|---|---|---|---|---|---|")
    for n in args.nodes:
        rng = np.random.default_rng(args.seed)
        A = adjacency(build_graph("small_world", n, 6, 0.1, rng))
        relays = rng.random(n) >= 0.05
        t0 = time.perf_counter()
        hop_counts(A, rng.integers(0, n, 8))
        bfs_ms = (time.perf_counter() - t0) / 8 * 1000
        for mode in gossip.GOSSIP_MODES:
            holds, active = gossip.start(args.items, n, rng.integers(0, n, args.items))
            tracemalloc.start()
            t0 = time.perf_counter()
            sent = 0
            for _ in range(args.rounds):
                sent += gossip.gossip_round(mode, holds, active, A, 2, rng, loss=0.01, relays=relays, rumor_k=2)
            elapsed = time.perf_counter() - t0
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"| {n} | {mode} | {args.rounds / elapsed:.1f} | {sent / args.rounds:.0f} | {holds.mean():.3f} | "
                f"{peak / 2**20:.0f} | {bfs_ms:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
