"""``python -m workbench sweep SPEC.yaml [--store PATH] [--backend local|processes|ray] [--address ADDR]
[--allow-partial-windows]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
    parser.add_argument(
        "--allow-partial-windows",
        action="store_true",
        help="run even if steps end before a campaign's evaluation window does (the spec's "
        "allow_partial_windows: true); by default such a spec is refused naming the smallest valid steps",
    )
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from workbench.experiments.backends import check_backend
    from workbench.experiments.driver import SweepInterrupted, run_sweep
    from workbench.experiments.spec import Sweep
    from workbench.experiments.store import default_store

    try:
        check_backend(args.backend)
        overrides = {"allow_partial_windows": True} if args.allow_partial_windows else {}
        sweep = Sweep.from_yaml(args.spec, **overrides)
    except (OSError, ValueError) as exc:
        message = str(exc)  # a YAML syntax error names the file, line and column itself
        print(f"error: {message if message.startswith(str(args.spec)) else f'{args.spec}: {message}'}", file=sys.stderr)
        return 2
    options = {}
    if args.backend == "ray" and args.address:
        options["address"] = args.address
    if args.backend == "processes" and args.workers:
        options["max_workers"] = args.workers
    store = Path(args.store) if args.store is not None else default_store(sweep.name)
    try:
        frame = run_sweep(sweep, backend=args.backend, store=store, quiet=args.quiet, **options)
    except SweepInterrupted as stopped:
        # run_sweep has written every finished run, stopped its workers and unlocked the store
        print(f"\n{stopped}", file=sys.stderr)
        return 130
    failed = int((frame["status"] != "ok").sum())
    from workbench.experiments.store import Store

    session = Store(store).read_manifest()["sessions"][-1]
    new = int(session.get("computed", 0)) - int(session.get("failed", 0))
    print(
        f"{sweep.name}: {len(frame)} runs: {new} new, {session.get('skipped', 0)} reused, {failed} failed"
        f" in {frame.attrs['store']}"
    )
    return 1 if failed else 0
