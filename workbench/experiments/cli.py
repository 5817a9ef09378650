"""``python -m workbench sweep SPEC.yaml [--store PATH] [--backend local|processes|ray] [--address ADDR]``."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="run (or resume) a parameter sweep from a YAML spec",
        description="Run the unfinished runs of a sweep spec into a results store; finished runs are skipped.",
    )
    parser.add_argument("spec", help="YAML sweep file (see sweeps/*.yaml)")
    parser.add_argument("--store", default=None, help="results directory (default: data/sweeps/<name>/)")
    parser.add_argument("--backend", default="local", help="local (default), processes or ray")
    parser.add_argument(
        "--address",
        default=None,
        help="Ray cluster address (host:port or 'auto'); default: $RAY_ADDRESS, else a local instance",
    )
    parser.add_argument("--workers", type=int, default=None, help="worker processes (backend 'processes')")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from workbench.experiments.backends import check_backend
    from workbench.experiments.driver import run_sweep
    from workbench.experiments.spec import Sweep

    try:
        check_backend(args.backend)
        sweep = Sweep.from_yaml(args.spec)
    except (OSError, ValueError) as exc:
        message = str(exc)  # a YAML syntax error names the file, line and column itself
        print(f"error: {message if message.startswith(str(args.spec)) else f'{args.spec}: {message}'}", file=sys.stderr)
        return 2
    options = {}
    if args.backend == "ray" and args.address:
        options["address"] = args.address
    if args.backend == "processes" and args.workers:
        options["max_workers"] = args.workers
    frame = run_sweep(sweep, backend=args.backend, store=args.store, quiet=args.quiet, **options)
    failed = int((frame["status"] != "ok").sum())
    print(f"{sweep.name}: {len(frame)} runs ({failed} failed) in {frame.attrs['store']}")
    return 1 if failed else 0
