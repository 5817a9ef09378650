"""Sweep backends on this machine: local vs Ray vs ``mesa.batch_run(number_processes=2)``.

A 16-run sweep (sharing x malicious_fraction x 2 replicates) of runs calibrated to about
``--target-s`` seconds each. Reports wall times, the Ray backend's parallel efficiency against
the local backend (``ray.init`` excluded and timed apart; "cold" when the session's workers still
have to import the model, "warm" for a second sweep on the same session), Mesa's batch_run on the
same grid, and the load average (the machine may be shared: compare figures from one run only).

    .venv/bin/python benchmarks/bench_sweep.py [--target-s 2.0] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import warnings

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
# Ray's 30 s start-up deadlines are too short on a loaded 2-core machine.
os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")
os.environ.setdefault("RAY_agent_register_timeout_ms", "120000")

BASE = {"n_nodes": 40}
FACTORS = {"sharing": ["none", "central", "ledger", "gossip"], "malicious_fraction": [0.0, 0.2]}
REPLICATES = 2


def calibrate_steps(target_s: float) -> tuple[int, float]:
    """Steps for which a run of this sweep takes about ``target_s`` seconds on average.

    Times one run per sharing mode at two step counts and fits ``time = setup + per_step * steps``
    (set-up and warm-up make the cost per step uneven, and the modes differ in cost).
    """
    from workbench import ModelParams, run_model

    def mean_run_s(steps: int) -> float:
        start = time.perf_counter()
        for sharing in FACTORS["sharing"]:
            run_model(ModelParams(**BASE, sharing=sharing, malicious_fraction=0.2), seed=0, steps=steps)
        return (time.perf_counter() - start) / len(FACTORS["sharing"])

    run_model(ModelParams(**BASE), seed=0, steps=3)  # imports warm
    short, long = 30, 120
    t_short, t_long = mean_run_s(short), mean_run_s(long)
    per_step = max((t_long - t_short) / (long - short), 1e-6)
    setup = max(t_short - per_step * short, 0.0)
    steps = max(10, round((target_s - setup) / per_step))
    return steps, setup + per_step * steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-s", type=float, default=2.0, help="seconds per run (calibrated)")
    parser.add_argument("--workers", type=int, default=2, help="Ray CPUs and batch_run processes")
    parser.add_argument("--steps", type=int, default=None, help="skip calibration; use this many steps")
    args = parser.parse_args()

    import mesa
    import ray

    from workbench import ThreatIntelModel
    from workbench.experiments import Sweep, load, replicate_seeds

    if args.steps:
        steps, one_run_s = args.steps, float("nan")
    else:
        steps, one_run_s = calibrate_steps(args.target_s)
    sweep = Sweep(BASE, FACTORS, replicates=REPLICATES, steps=steps, seed=1)
    results = {
        "runs": len(sweep),
        "steps": steps,
        "predicted_run_s": round(one_run_s, 2),
        "cpus": os.cpu_count(),
        "workers": args.workers,
    }
    print(f"{len(sweep)} runs x {steps} steps (predicted mean run: {one_run_s:.2f} s)", flush=True)

    results["loadavg_start"] = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), time.process_time()
        local = sweep.run(backend="local", store=f"{tmp}/local", quiet=True)
        results["local_s"] = time.perf_counter() - start
        # share of a core the sequential run actually got (other users' load shows here)
        results["local_cpu_share"] = (time.process_time() - cpu) / results["local_s"]
        results["local_mean_run_s"] = load(f"{tmp}/local", timing=True)["duration_s"].mean()
        print(f"local:      {results['local_s']:.1f} s (got {results['local_cpu_share']:.0%} of a core)", flush=True)

        start = time.perf_counter()
        ray.init(include_dashboard=False, log_to_driver=False, num_cpus=args.workers)
        results["ray_init_s"] = time.perf_counter() - start
        try:
            # cold: the session's workers import the model during this sweep; warm: the same sweep
            # (fresh store, so every run is recomputed) on workers that have imported it
            for label in ("cold", "warm"):
                start = time.perf_counter()
                on_ray = sweep.run(backend="ray", store=f"{tmp}/ray-{label}", quiet=True)
                results[f"ray_{label}_s"] = time.perf_counter() - start
                results[f"ray_{label}_efficiency"] = results["local_s"] / (args.workers * results[f"ray_{label}_s"])
                results[f"ray_{label}_identical_frames"] = bool(local.equals(on_ray))
                # wall time of a run inside its worker: tells slow runs from scheduling overhead
                results[f"ray_{label}_mean_run_s"] = load(f"{tmp}/ray-{label}", timing=True)["duration_s"].mean()
                print(
                    f"ray {label}:   {results[f'ray_{label}_s']:.1f} s; parallel efficiency "
                    f"{results[f'ray_{label}_efficiency']:.0%}",
                    flush=True,
                )
        finally:
            ray.shutdown()
        print(f"(ray.init {results['ray_init_s']:.1f} s, excluded)", flush=True)

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            mesa.batch_run(
                ThreatIntelModel,
                parameters={**BASE, **FACTORS},
                number_processes=args.workers,
                rng=replicate_seeds(1, REPLICATES),
                max_steps=steps,
                data_collection_period=-1,
                display_progress=False,
            )
        results["batch_run_s"] = time.perf_counter() - start
        print(f"batch_run:  {results['batch_run_s']:.1f} s (number_processes={args.workers})", flush=True)

        start = time.perf_counter()
        sweep.run(backend="processes", store=f"{tmp}/processes", quiet=True, max_workers=args.workers)
        results["processes_s"] = time.perf_counter() - start
        print(f"processes:  {results['processes_s']:.1f} s", flush=True)
    results["loadavg_end"] = round(os.getloadavg()[0], 2)

    results["batch_run_over_ray_cold"] = results["batch_run_s"] / results["ray_cold_s"]
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()}, indent=2))


if __name__ == "__main__":
    main()
