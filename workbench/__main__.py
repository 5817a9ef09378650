"""Command line: ``python -m workbench {report,sweep,ledger} ...``.

Each subcommand lives in the module that owns it and plugs in through ``register(subparsers)``;
this file only wires them together.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# (module, subcommand) pairs; each module defines register(subparsers) -> None and sets a
# handler via parser.set_defaults(func=callable(args) -> int).
SUBCOMMANDS = (
    ("workbench.report", "report"),
    ("workbench.experiments.cli", "sweep"),
    ("workbench.ledger.cli", "ledger"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m workbench", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name, _ in SUBCOMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a subcommand whose module is not present yet
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
