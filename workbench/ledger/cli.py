"""``python -m workbench ledger verify PATH``: check a ledger file on its own.

Exit status 0 and ``OK: N entries verified`` when the file is intact (with ``--expect-head HASH``,
when it also ends at the entry hashing to HASH: ``OK: N entries verified; head matches the expected
abcd1234...``); 1 and a one-line reason when it is
not (``FAIL at entry K: ...`` on stdout) or is not a readable ledger (``error: ...`` on stderr).
"""

from __future__ import annotations

import argparse
import sys

from workbench.ledger import LedgerError, verify_file


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``ledger`` subcommand to the workbench command line."""
    parser = subparsers.add_parser(
        "ledger",
        help="inspect and verify ledger files",
        description="Inspect and verify ledger files written with ledger='sqlite'.",
    )
    commands = parser.add_subparsers(dest="ledger_command", required=True)
    verify = commands.add_parser(
        "verify",
        help="recompute the hash chain and every signature",
        description="Recompute the hash chain and every signature of a ledger file, "
        "using only the file (its nodes table holds the public keys).",
    )
    verify.add_argument("path", help="SQLite ledger file")
    verify.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="check slices of the file in N processes (default: one per CPU for files "
        "of more than 50,000 entries, else 1)",
    )
    verify.add_argument(
        "--expect-head",
        default=None,
        metavar="HASH",
        help="the hash of the last entry as recorded elsewhere (a run's ledger_head): fail unless "
        "the file ends there, which catches a copy truncated with its head rewritten",
    )
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    """Verify ``args.path``; print one line; return the exit status."""
    try:
        result = verify_file(
            args.path, workers=getattr(args, "workers", None), expect_head=getattr(args, "expect_head", None)
        )
    except LedgerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    expected = getattr(args, "expect_head", None)
    line = result.summary()
    if result.ok and expected:  # say that the head was checked, not only the chain
        line += f"; head matches the expected {expected[:12]}..."
    print(line)
    return 0 if result.ok else 1
