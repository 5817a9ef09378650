"""Speed of the ledger's ordering protocols: the largest N at which 100 steps run within a minute (prints figures).

Usage: ``python benchmarks/bench_ledger_protocols.py [--protocols bft crash_tolerant] [--nodes 500 1000 2000]
[--steps 100] [--budget 60] [--ideal-nodes 200] [--repeat 3]``

For each protocol, runs ``steps`` steps of the default world with ``sharing="ledger"``,
``ledger_latency_steps=1`` and ``vote_deadline_steps=8`` (the shortest deadline the ordering protocols accept
at that latency) at each N of ``--nodes`` in turn, and stops at the first N that takes longer than
``--budget`` seconds: the line before it is the largest N within the budget. Then the ideal ledger at
``--ideal-nodes`` (best of ``--repeat`` runs), to set beside the same figure from before the ordering
protocols (run this script with ``PYTHONPATH`` pointing at an older checkout: it then runs the ideal ledger
only, with no ``ledger_protocol`` field). Wall-clock and CPU seconds, and the load average before each run:
the machine may be shared. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import time

from workbench import ModelParams, run_model
from workbench.model.params import field_names


def timed(n: int, protocol: str, steps: int) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one run, and its summary."""
    values = dict(sharing="ledger", n_nodes=n, ledger_latency_steps=1, vote_deadline_steps=8)
    if protocol != "ideal":
        values["ledger_protocol"] = protocol
    params = ModelParams(**values)
    wall, cpu = time.perf_counter(), time.process_time()
    summary = run_model(params, seed=0, steps=steps).summary
    return time.perf_counter() - wall, time.process_time() - cpu, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--protocols", nargs="*", default=["bft"], help="none: the ideal ledger only")
    ap.add_argument("--nodes", type=int, nargs="+", default=[250, 500, 1000, 1500, 2000, 3000])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--budget", type=float, default=60.0, help="seconds")
    ap.add_argument("--ideal-nodes", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    ordering = "ledger_protocol" in field_names()
    print("| protocol | nodes | steps | wall_s | cpu_s | load | blocks | messages_per_node_step |")
    print("|---|---|---|---|---|---|---|---|")
    for protocol in args.protocols if ordering else []:
        for n in args.nodes:
            load = os.getloadavg()[0]
            wall, cpu, s = timed(n, protocol, args.steps)
            print(
                f"| {protocol} | {n} | {args.steps} | {wall:.1f} | {cpu:.1f} | {load:.2f} | {s['ledger_blocks']:.0f} | "
                f"{s['messages_per_node_step']:.0f} |",
                flush=True,
            )
            if wall > args.budget:
                break
    runs = []
    for _ in range(args.repeat):
        load = os.getloadavg()[0]
        runs.append((*timed(args.ideal_nodes, "ideal", args.steps)[:2], load))
    wall, cpu, load = min(runs)
    print(
        f"| ideal (best of {args.repeat}) | {args.ideal_nodes} | {args.steps} | {wall:.2f} | {cpu:.2f} | {load:.2f} | - | - |"
    )


if __name__ == "__main__":
    main()
