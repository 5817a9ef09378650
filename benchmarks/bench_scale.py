"""Speed and memory of the model at scale, with the "realistic" defaults, through prefix rotations (issues 10, 18).

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py [--quick] [--only zscore:10000:100 ...]
     [--growth] [--profile] [--timeout SECONDS] [--max-rss GIB]

Each configuration runs in a fresh process, so peak RSS (``ru_maxrss``) is its own; CPU time (user +
system, from ``getrusage``) is printed next to wall time because the machine is shared (say the load
from ``uptime`` with the figures). Per configuration it prints wall and CPU time, setup time,
node-steps/s, peak RSS, peak RSS per node (KiB), the signatures a node holds in the hot per-node state
at the end (mean over nodes) and, so that a slowdown can be traced to its cause, the signatures proposed,
votes cast and messages sent per step.

``--growth``: 10,000 nodes x 100 and x 400 steps, and the ratio of their peak memory (memory should grow at
most linearly in steps once the signatures a node holds have reached their steady level).
``--profile``: after each row, where the time and the peak memory go by phase of the step (wall time and
the rise of peak RSS inside each phase, summed over steps), and the bytes of the state's arrays at the end
by owner (signature table, evidence window, detectors, ...) and the bytes of the memory ledger's rows (its
compact row store, :mod:`workbench.ledger.row_store`).
``--timeout SECONDS`` / ``--max-rss GIB``: a row taking longer, or growing past that resident memory, is
stopped and reported as such (a row the kernel kills for memory is reported too), with the last step it
finished (wall and CPU time, peak memory and signatures then).

Prints figures, asserts nothing. Targets (issue 18): 10,000 x 100 <= 40 s and <= 1 GiB on an idle
machine; 100,000 x 100 <= 10 min and <= 8 GiB; 1,000,000 x 30 <= 30 min and <= 20 GiB; zscore 100 x 200
<= 5 s; iforest 100 x 200 <= 20 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

CONFIGS = [
    ("zscore", 100, 200),
    ("iforest", 100, 200),
    ("zscore", 1_000, 100),
    ("zscore", 10_000, 100),
    ("zscore", 10_000, 200),
    ("zscore", 100_000, 100),
    ("zscore", 1_000_000, 30),
]
GROWTH = [("zscore", 10_000, 100), ("zscore", 10_000, 400)]

CHILD = r"""
import json, resource, sys, time
import numpy as np
from workbench import ModelParams, ThreatIntelModel
from workbench.model import model as model_module

detector, n, steps, profile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
PHASES = ("deliver", "share", "cast_votes", "decide_due", "update_protection", "blocked_flows", "propose",
          "count_traffic")
phase_s, phase_rise = {}, {}

def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def timed(name, fn):
    def run(*args, **kwargs):
        p0, t0 = peak_mib(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            phase_s[name] = phase_s.get(name, 0.0) + time.perf_counter() - t0
            phase_rise[name] = phase_rise.get(name, 0.0) + peak_mib() - p0
    return run

def nbytes(obj, seen, depth=0):
    # bytes of the numpy arrays reachable from obj (attributes, lists, tuples, dicts), each buffer once
    if isinstance(obj, np.ndarray):
        base = obj if obj.base is None else obj.base
        if not isinstance(base, np.ndarray) or id(base) in seen:
            return 0
        seen.add(id(base))
        return base.nbytes
    if depth > 4 or isinstance(obj, (str, bytes, int, float, bool, type(None))):
        return 0
    if isinstance(obj, dict):
        return sum(nbytes(v, seen, depth + 1) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(nbytes(v, seen, depth + 1) for v in obj[:100_000])
    attrs = getattr(obj, "__dict__", None)
    if attrs is None and hasattr(obj, "__dataclass_fields__"):
        attrs = {k: getattr(obj, k) for k in obj.__dataclass_fields__}
    return sum(nbytes(v, seen, depth + 1) for v in attrs.values()) if attrs else 0

if profile:
    for name in PHASES:
        setattr(model_module, name, timed(name, getattr(model_module, name)))
params = ModelParams(n_nodes=n, detector=detector, topology="small_world")  # realistic defaults
t0 = time.perf_counter()
model = ThreatIntelModel(params, rng=1)
setup = time.perf_counter() - t0
setup_peak = peak_mib()
if profile:
    model.traffic.advance_campaigns = timed("spread_campaigns", model.traffic.advance_campaigns)
    model.traffic.flows = timed("traffic", model.traffic.flows)
    model.detector.flag = timed("detection", model.detector.flag)
    model.state.window.push = timed("evidence_window", model.state.window.push)
    model.ledger.append_batch = timed("ledger", model.ledger.append_batch)
    model.datacollector.collect = timed("metrics", model.datacollector.collect)
for i in range(steps):
    model.step()
    ru = resource.getrusage(resource.RUSAGE_SELF)  # progress, so that a stopped row says how far it got
    print(f"step {i + 1}/{steps} {time.perf_counter() - t0:.0f} s wall {ru.ru_utime + ru.ru_stime:.0f} s CPU "
          f"peak {ru.ru_maxrss / 1024:.0f} MiB {len(model.state.sigs)} sigs", file=sys.stderr, flush=True)
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
state = model.state
tot = state.totals
out = dict(wall_s=wall, setup_s=setup, cpu_s=ru.ru_utime + ru.ru_stime, rss_mib=ru.ru_maxrss / 1024,
           setup_mib=setup_peak, held=state.sigs.held_per_node(), sigs=tot.signatures_proposed / steps,
           votes=tot.votes_cast / steps, messages=tot.messages / steps, table=len(state.sigs))
if profile:
    seen = set()
    owners = {"signature table": state.sigs, "evidence window": state.window, "detectors": model.detector,
              "traffic source": model.traffic, "in transit": state.in_transit, "vote routes": state.routes,
              "trust": state.trust, "per-node/campaign state": state}
    out["phases"] = {k: [phase_s[k], phase_rise[k]] for k in phase_s}
    out["arrays_mib"] = {k: nbytes(v, seen) / 2**20 for k, v in owners.items()}
    # the memory ledger's rows: its row store's buffers; rows held as Python tuples (an older ledger) are
    # estimated from a sample (a row's tuple, its payload, its hash and its numbers)
    rows = getattr(model.ledger, "_rows", None)
    if rows is not None and hasattr(rows, "nbytes"):  # the compact row store (workbench.ledger.row_store)
        out["arrays_mib"]["ledger rows"] = rows.nbytes / 2**20
        out["ledger_rows"] = len(rows)
    elif rows:
        sample = rows[:: max(1, len(rows) // 2000)]
        per_row = sum(sys.getsizeof(r) + sum(sys.getsizeof(r[i]) for i in (0, 2, 4, 6)) for r in sample) / len(sample)
        out["arrays_mib"]["ledger rows (estimate)"] = per_row * len(rows) / 2**20
        out["ledger_rows"] = len(rows)
print(json.dumps(out))
"""

HEADER = (
    f"{'detector':8} {'nodes':>9} {'steps':>5} {'wall s':>7} {'cpu s':>7} {'setup s':>7} {'node-steps/s':>12} "
    f"{'peak MiB':>8} {'KiB/node':>8} {'held/node':>9} {'sigs/step':>9} {'votes/step':>10} {'msgs/step':>10}"
)


def _rss_gib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 2**20 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)


def run_row(
    detector: str, n: int, steps: int, profile: bool, timeout: float | None, max_rss_gib: float | None = None
) -> dict | None:
    """One configuration in a fresh process; prints its line (and its profile); returns its figures. The
    process is stopped past ``timeout`` seconds or ``max_rss_gib`` GiB resident (a shared machine's guard)."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    cmd = [sys.executable, "-c", CHILD, detector, str(n), str(steps), "1" if profile else "0"]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    start, why = time.monotonic(), ""
    while child.poll() is None:
        if timeout is not None and time.monotonic() - start > timeout:
            why = f"stopped after the {timeout:.0f} s timeout"
        elif max_rss_gib is not None and _rss_gib(child.pid) > max_rss_gib:
            why = f"stopped at {max_rss_gib:g} GiB resident (--max-rss)"
        if why:
            child.kill()
            break
        time.sleep(0.5)
    stdout, stderr = child.communicate()
    if not why and child.returncode != 0:
        why = "killed (signal 9: out of memory?)" if child.returncode == -9 else f"failed ({child.returncode})"
    if why:
        print(
            f"{detector:8} {n:9d} {steps:5d} {why} after {time.monotonic() - start:.0f} s: "
            f"{stderr.strip().splitlines()[-1:]}",
            flush=True,
        )
        return None
    r = json.loads(stdout.strip().splitlines()[-1])
    print(
        f"{detector:8} {n:9d} {steps:5d} {r['wall_s']:7.1f} {r['cpu_s']:7.1f} {r['setup_s']:7.1f} "
        f"{n * steps / r['wall_s']:12.0f} {r['rss_mib']:8.0f} {r['rss_mib'] * 1024 / n:8.1f} {r['held']:9.1f} "
        f"{r['sigs']:9.1f} {r['votes']:10.1f} {r['messages']:10.0f}",
        flush=True,
    )
    if profile:
        total = sum(s for s, _ in r["phases"].values())
        print(f"  after setup: peak {r['setup_mib']:.0f} MiB; by phase (wall s, share, rise of peak RSS MiB):")
        for name, (sec, rise) in sorted(r["phases"].items(), key=lambda kv: -kv[1][0]):
            print(f"    {name:20} {sec:8.1f} {100 * sec / max(total, 1e-9):5.1f} % {rise:8.0f}")
        print("  arrays at the end (MiB): " + ", ".join(f"{k} {v:.0f}" for k, v in r["arrays_mib"].items()))
        if "ledger_rows" in r:
            print(f"  ledger rows: {r['ledger_rows']:,}")
    return r


def main() -> None:
    args = sys.argv[1:]
    quick, profile = "--quick" in args, "--profile" in args
    timeout = float(args[args.index("--timeout") + 1]) if "--timeout" in args else None
    max_rss = float(args[args.index("--max-rss") + 1]) if "--max-rss" in args else None
    only = []
    if "--only" in args:
        for a in args[args.index("--only") + 1 :]:
            if a.startswith("--"):
                break
            only.append(a.split(":"))
    configs = [(d, int(n), int(s)) for d, n, s in only] if only else GROWTH if "--growth" in args else CONFIGS
    print(HEADER)
    results = {}
    for detector, n, steps in configs:
        if quick and n > 1_000:
            continue
        results[(detector, n, steps)] = run_row(detector, n, steps, profile, timeout, max_rss)
    if "--growth" in args and all(results.get(c) for c in GROWTH):
        short, long = (results[c] for c in GROWTH)
        print(
            f"peak memory x {GROWTH[1][2]} / x {GROWTH[0][2]} steps: {long['rss_mib'] / short['rss_mib']:.2f} "
            f"(steps x {GROWTH[1][2] / GROWTH[0][2]:.0f}); held per node {short['held']:.1f} -> {long['held']:.1f}"
        )


if __name__ == "__main__":
    main()
