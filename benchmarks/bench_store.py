"""The sweep engine at 10,000 runs: store load time, per-run overhead per backend, driver memory.

Runs an empty runner (it returns one number) ``--runs`` times on each backend (local, processes,
ray) and prints, per backend, the wall time of ``Sweep.run`` divided by the number of runs: the
per-run cost of the machinery itself (scheduling, serialisation, writing the store; worker
start-up included). Then it times ``load()`` of the 10,000-run store in three layouts: as a
session writes it (loose chunk files, before compaction), as format 1 wrote it (one file per run,
the worst case), and compacted (one part file), checking that the frames are identical. Peak
driver RSS is printed after each phase (it should not grow with the number of runs held).

    .venv/bin/python benchmarks/bench_store.py [--runs 10000] [--workers 2] [--skip-ray]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
# Ray's 30 s start-up deadlines are too short on a loaded 2-core machine.
os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")
os.environ.setdefault("RAY_agent_register_timeout_ms", "120000")


@dataclasses.dataclass(frozen=True)
class EmptyParams:
    """One number, so that each run has its own parameters (and run id)."""

    x: float = 0.0


def empty_runner(params: EmptyParams, seed: int, steps: int) -> dict[str, float]:
    """Does nothing: what a run costs is the sweep machinery's own."""
    return {"y": params.x}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


def explode_to_format_1(path: Path) -> None:
    """Rewrite a store's run records as one file per run (how format 1 stored them)."""
    from workbench.experiments import Store

    store = Store(path)
    runs = store.read_table("runs")
    for path_ in store.files("runs"):
        path_.unlink()
    for run_id, row in runs.groupby("run_id", sort=False):
        row.to_parquet(path / "runs" / f"{run_id}.parquet", index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="processes workers and Ray CPUs")
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()

    import pandas as pd

    from workbench.experiments import Store, Sweep, load

    results: dict[str, float | int | bool | str] = {
        "runs": args.runs,
        "workers": args.workers,
        "cpus": os.cpu_count() or 1,
        "loadavg_start": round(os.getloadavg()[0], 2),
    }
    sweep, plan_s = timed(
        Sweep,
        factors={"x": [i / args.runs for i in range(args.runs)]},
        steps=1,
        seed=1,
        runner=empty_runner,
        params=EmptyParams,
        name="bench-store",
    )
    results["plan_s"] = plan_s
    print(f"{len(sweep)} runs of an empty runner (planning the sweep: {plan_s:.2f} s)", flush=True)

    backends = ["local", "processes"] + ([] if args.skip_ray else ["ray"])
    with tempfile.TemporaryDirectory() as tmp:
        frames = {}
        for backend in backends:
            options = {"max_workers": args.workers} if backend == "processes" else {}
            if backend == "ray":
                import ray

                _, results["ray_init_s"] = timed(
                    ray.init, include_dashboard=False, log_to_driver=False, num_cpus=args.workers
                )
            try:
                frame, wall = timed(sweep.run, backend=backend, store=f"{tmp}/{backend}", quiet=True, **options)
            finally:
                if backend == "ray":
                    ray.shutdown()
            frames[backend] = frame
            results[f"{backend}_s"] = wall
            results[f"{backend}_overhead_ms_per_run"] = 1000 * wall / len(sweep)
            results[f"peak_rss_mb_after_{backend}"] = peak_rss_mb()
            print(
                f"{backend:10s} {wall:6.2f} s = {1000 * wall / len(sweep):5.2f} ms per run "
                f"(peak driver RSS {peak_rss_mb():.0f} MB)",
                flush=True,
            )
        results["identical_frames_across_backends"] = all(frames[b].equals(frames["local"]) for b in backends)

        # load() of the store: as a session writes it, as format 1 wrote it, compacted
        store_path = Path(tmp) / "chunks"
        original_compact = Store.compact
        Store.compact = lambda self, min_loose=1: 0  # keep the session's loose chunk files
        try:
            sweep.run(store=store_path, quiet=True, flush_rows=500)
        finally:
            Store.compact = original_compact
        results["loose_chunk_files"] = len(Store(store_path).loose_files("runs"))
        chunks, results["load_chunks_s"] = timed(load, store_path, compact=False)
        _, results["compact_s"] = timed(Store(store_path).compact)
        compacted, results["load_compacted_s"] = timed(load, store_path)
        explode_to_format_1(store_path)
        results["loose_per_run_files"] = len(Store(store_path).loose_files("runs"))
        per_run, results["load_per_run_files_s"] = timed(load, store_path, compact=False)
        _, results["load_with_compaction_s"] = timed(load, store_path)  # compacts first
        results["identical_frames_before_after_compaction"] = bool(
            chunks.equals(compacted) and per_run.equals(compacted) and compacted.equals(frames["local"])
        )
        pd.testing.assert_frame_equal(per_run, compacted)
        print(
            f"load() of {len(compacted)} runs: {results['load_chunks_s']:.2f} s from "
            f"{results['loose_chunk_files']} chunk files; {results['load_compacted_s']:.2f} s compacted "
            f"(compaction {results['compact_s']:.2f} s); {results['load_per_run_files_s']:.2f} s from "
            f"{results['loose_per_run_files']} per-run files (format 1), "
            f"{results['load_with_compaction_s']:.2f} s when load compacts them first",
            flush=True,
        )
    results["peak_rss_mb"] = peak_rss_mb()
    results["loadavg_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()}, indent=2))


if __name__ == "__main__":
    main()
