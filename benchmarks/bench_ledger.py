"""Speed of the ledger: batched appends, verification, and its cost inside the model.

Run: .venv/bin/python benchmarks/bench_ledger.py [--quick] [--full-signed-verify [--signed-file PATH]]
                                                [--workers N] [--repeat R] [--only-verify]
Prints figures, asserts nothing. Wall-clock rates on a shared machine vary with its load, so each
figure also gives the CPU time (this process and its finished worker processes) and each verify
line the load average just before it. Targets (ledger issue): sqlite batched appends >= 50,000
entries/s unsigned and >= 10,000/s with Ed25519 signing; verify() of 1,000,000 signed entries
<= 60 s on a 2-core machine; the model with ledger="sqlite" at most 2x slower than with "memory"
at 100 nodes.

The 1,000,000-entry verification is measured on an unsigned file (hash chain only) and, for a
signed file, on --signed-verify-entries entries and extrapolated (signature checks dominate and
cost the same per entry); --full-signed-verify builds (once: minutes of CPU; kept at
--signed-file, default data/runs/, and reused) and checks a signed 1,000,000-entry file with
workers=1 and workers=N (default: every CPU), each --repeat times.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.ledger import open_ledger  # noqa: E402
from workbench.ledger import sqlite as sqlite_backend  # noqa: E402

N_NODES = 100
BATCH = 1000  # entries per append_batch call (one model step's worth at 100+ nodes)


def make_batch(step: int, size: int = BATCH) -> list[tuple[int, str, dict]]:
    """Entries shaped like the model's: signature claims, votes and decisions."""
    kinds = ("signature", "vote", "vote", "vote", "decision")
    return [
        (i % N_NODES, kinds[i % 5], {"sig": f"{step:06x}{i:06x}", "approve": i % 3 != 0, "score": round(i / BATCH, 4)})
        for i in range(size)
    ]


class Timer:
    """Wall and CPU seconds of a block; CPU includes child processes waited for meanwhile
    (the verification workers)."""

    def __enter__(self) -> Timer:
        self.load = os.getloadavg()[0]
        self.wall, self.cpu = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, self._cpu() - self.cpu

    @staticmethod
    def _cpu() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def report(label: str, n: int, timer: Timer) -> None:
    print(
        f"{label:44} {n:>9,d} entries  {timer.wall:7.2f} s wall {n / timer.wall:>10,.0f}/s"
        f"  {timer.cpu:7.2f} s CPU {n / timer.cpu:>10,.0f}/s",
        flush=True,
    )


def bench_appends(tmp: Path, n_unsigned: int, n_signed: int) -> None:
    batches = [make_batch(s) for s in range(max(n_unsigned, n_signed) // BATCH)]
    for backend in ("sqlite", "memory"):
        for sign, n in ((False, n_unsigned), (True, n_signed)):
            path = fresh(tmp / "append.sqlite")
            with open_ledger(backend, str(path), n_nodes=N_NODES, key_seed=1, sign=sign) as ledger:
                with Timer() as timer:
                    for step in range(n // BATCH):
                        ledger.append_batch(step, batches[step])
                report(
                    f"append {backend:6} {'signed' if sign else 'unsigned'}"
                    f"{' (signing deferred)' if backend == 'memory' and sign else ''}",
                    n,
                    timer,
                )
                if backend == "memory" and sign:
                    with Timer() as timer:
                        ledger.to_frame()
                    report("  memory: deferred signing on first read", n, timer)


def build(path: Path, n: int, sign: bool) -> None:
    with open_ledger("sqlite", str(path), n_nodes=N_NODES, key_seed=2, sign=sign) as ledger:
        batches = [make_batch(s) for s in range(100)]
        for step in range(len(ledger) // BATCH, n // BATCH):
            ledger.append_batch(step, batches[step % 100])


def worker_start_seconds(repeat: int = 3) -> float:
    """Best wall time to start a verification worker's interpreter and its imports."""
    code = sqlite_backend._WORKER.replace("_worker_main()", "None")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, sqlite_backend._PACKAGE_ROOT], check=True)
        best = min(best, time.perf_counter() - start)
    return best


def bench_verify(
    tmp: Path, n_unsigned: int, n_signed: int, full_signed: bool, workers: int, repeat: int, signed_file: Path
) -> None:
    print(f"verification worker start (interpreter + imports): {worker_start_seconds():.2f} s wall (best of 3)")
    path = fresh(tmp / "verify-unsigned.sqlite")
    with Timer() as timer:
        build(path, n_unsigned, sign=False)
    report("build sqlite unsigned (for verify)", n_unsigned, timer)
    for w in sorted({1, workers}):
        with open_ledger("sqlite", str(path)) as ledger, Timer() as timer:
            result = ledger.verify(workers=w)
        report(f"verify unsigned, workers={w}: {'OK' if result.ok else 'FAIL'}", n_unsigned, timer)

    if full_signed:
        path = signed_file
        path.parent.mkdir(parents=True, exist_ok=True)
        n_signed = 1_000_000
    else:
        path = fresh(tmp / "verify-signed.sqlite")
    with Timer() as timer:
        build(path, n_signed, sign=True)
    report("build sqlite signed (for verify)", n_signed, timer)
    if full_signed:
        print(f"{'':44} file: {path}")
    for _attempt in range(repeat):
        for w in sorted({1, workers}):
            with open_ledger("sqlite", str(path)) as ledger, Timer() as timer:
                result = ledger.verify(workers=w)
            report(f"verify signed, workers={w}: {'OK' if result.ok else 'FAIL'}", n_signed, timer)
            parallel = w > 1 and n_signed >= 2 * sqlite_backend._MIN_SLICE
            print(
                f"{'':44} load average {timer.load:.2f} before, {os.getloadavg()[0]:.2f} after"
                + (f"; includes starting {w} worker processes" if parallel else "")
                + (
                    f"; CPU / {w} = {timer.cpu / w:.1f} s (wall with {w} free cores)"
                    if parallel or w == 1
                    else " (too few entries for worker processes: checked in-process)"
                ),
                flush=True,
            )
            if n_signed != 1_000_000 and (w == 1 or parallel):
                print(f"{'':44} -> 1,000,000 signed entries: ~{timer.wall * 1e6 / n_signed:.0f} s wall (extrapolated)")


def bench_model(tmp: Path, steps: int) -> None:
    try:
        from workbench import ModelParams, run_model
    except ImportError as exc:  # the model is developed separately
        print(f"model comparison skipped: {exc}")
        return
    times = {}
    for backend in ("memory", "sqlite", "memory", "sqlite"):  # twice, alternating: load drifts
        path = fresh(tmp / "model.sqlite")
        params = ModelParams(n_nodes=100, ledger=backend, ledger_path=str(path) if backend == "sqlite" else None)
        with Timer() as timer:
            run_model(params, seed=1, steps=steps)
        times.setdefault(backend, []).append(timer)
        n = 0
        if backend == "sqlite":
            with open_ledger("sqlite", str(path)) as ledger:
                n = len(ledger)
        print(
            f"model 100 nodes x {steps} steps, ledger={backend:6}  {timer.wall:6.2f} s wall  {timer.cpu:6.2f} s CPU"
            + (f"  ({n:,d} entries)" if n else ""),
            flush=True,
        )
    best = {k: min(t.wall for t in v) for k, v in times.items()}
    best_cpu = {k: min(t.cpu for t in v) for k, v in times.items()}
    print(
        f"model sqlite / memory: {best['sqlite'] / best['memory']:.2f}x wall, "
        f"{best_cpu['sqlite'] / best_cpu['memory']:.2f}x CPU (best of 2; target <= 2x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--full-signed-verify", action="store_true", help="build and verify 1,000,000 signed entries")
    parser.add_argument("--signed-verify-entries", type=int, default=50_000)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="also verify the signed file with N processes (default: every CPU)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="verify the signed file this many times per setting")
    parser.add_argument(
        "--signed-file",
        type=Path,
        default=ROOT / "data" / "runs" / "bench_ledger_1M_signed.sqlite",
        help="where --full-signed-verify keeps its file (built once, then reused)",
    )
    parser.add_argument("--only-verify", action="store_true", help="skip the append and model benchmarks")
    parser.add_argument("--model-steps", type=int, default=200)
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print(f"ledger benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.only_verify:
            bench_appends(Path(tmp), 200_000 // scale, 30_000 // scale)
        bench_verify(
            Path(tmp),
            1_000_000 // scale,
            args.signed_verify_entries // scale,
            args.full_signed_verify,
            args.workers,
            args.repeat,
            args.signed_file,
        )
        if not args.only_verify:
            bench_model(Path(tmp), args.model_steps // scale if args.quick else args.model_steps)


if __name__ == "__main__":
    main()
