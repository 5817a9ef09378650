"""Fit and per-step scoring time of the detector banks (prints figures, asserts nothing).

Usage: ``python benchmarks/bench_detectors.py [--nodes 100 1000] [--steps 5] [--seed 0]``

For each N: fit time on a (N, W, d) warm-up window and the median per-step time of one
``predict_flags`` (plus ``update``) call on (N, F, d), and the projected time of a 200-step run
(fit + 200 steps), as wall-clock and as process CPU seconds. The sklearn fit backend is timed only
for N <= 100 (it costs ~0.15 s per forest). Wall clock depends on whatever else the machine runs; CPU time much less so.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from workbench.model.detectors import IsolationForestBank, RobustZScoreBank

F_FLOWS, D_FEATURES, W_WARMUP, PROJECTED_STEPS = 50, 5, 250, 200


def _traffic(rng: np.random.Generator, n_nodes: int, n_rows: int) -> np.ndarray:
    """Log-normal-ish benign traffic with a few planted outliers, (n_nodes, n_rows, d)."""
    X = rng.normal(
        loc=rng.normal(5.0, 1.0, size=(n_nodes, 1, D_FEATURES)), scale=0.5, size=(n_nodes, n_rows, D_FEATURES)
    )
    X[:, :2] += 4.0
    return X


def bench_one(label: str, bank, X_fit: np.ndarray, X_steps: list[np.ndarray]) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    bank.fit(X_fit)
    fit_s, fit_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    step_times, step_cpu = [], []
    for X in X_steps:
        t0, c0 = time.perf_counter(), time.process_time()
        _, flagged = bank.predict_flags(X)
        bank.update(X, flagged)
        step_times.append(time.perf_counter() - t0)
        step_cpu.append(time.process_time() - c0)
    step_s, step_cpu_s = float(np.median(step_times)), float(np.median(step_cpu))
    return {
        "detector": label,
        "n_nodes": X_fit.shape[0],
        "fit_s": fit_s,
        "step_s": step_s,
        "projected_200_steps_s": fit_s + PROJECTED_STEPS * step_s,
        "fit_cpu_s": fit_cpu_s,
        "step_cpu_s": step_cpu_s,
        "projected_200_steps_cpu_s": fit_cpu_s + PROJECTED_STEPS * step_cpu_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--steps", type=int, default=5, help="scoring steps timed per configuration")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sklearn-max-nodes", type=int, default=100)
    args = parser.parse_args()

    print(f"# numpy {np.__version__}, python {platform.python_version()}, {platform.machine()}")
    print(f"# F={F_FLOWS} flows/node/step, d={D_FEATURES}, W={W_WARMUP}, trees=100, timed steps={args.steps}")
    print("# *_s: wall clock; *_cpu_s: this process's CPU time (less sensitive to other users' load)")
    header = (
        f"{'detector':<16}{'n_nodes':>8}{'fit_s':>10}{'step_s':>10}{'projected_200_steps_s':>24}"
        f"{'fit_cpu_s':>11}{'step_cpu_s':>12}{'projected_200_steps_cpu_s':>27}"
    )
    print(header)
    for n_nodes in args.nodes:
        rng = np.random.default_rng(args.seed)
        X_fit = _traffic(rng, n_nodes, W_WARMUP)
        X_steps = [_traffic(rng, n_nodes, F_FLOWS) for _ in range(args.steps)]
        configs = [
            ("zscore", RobustZScoreBank()),
            ("iforest_numpy", IsolationForestBank(fit_backend="numpy", rng=np.random.default_rng(args.seed))),
        ]
        if n_nodes <= args.sklearn_max_nodes:
            configs.append(
                ("iforest_sklearn", IsolationForestBank(fit_backend="sklearn", rng=np.random.default_rng(args.seed)))
            )
        for label, bank in configs:
            row = bench_one(label, bank, X_fit, X_steps)
            print(
                f"{row['detector']:<16}{row['n_nodes']:>8}{row['fit_s']:>10.3f}{row['step_s']:>10.4f}"
                f"{row['projected_200_steps_s']:>24.2f}{row['fit_cpu_s']:>11.3f}{row['step_cpu_s']:>12.4f}"
                f"{row['projected_200_steps_cpu_s']:>27.2f}",
                flush=True,
            )
            if label.startswith("iforest"):
                print(
                    f"#   {label}: {bank.forest_.n_tree_nodes} tree nodes, {bank.forest_.nbytes / 1e6:.0f} MB, "
                    f"depth {bank.forest_.depth}"
                )
            del bank


if __name__ == "__main__":
    main()
