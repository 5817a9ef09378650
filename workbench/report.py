"""Reports: execute notebooks with papermill, render them to HTML without code, and index them.

``python -m workbench report --notebooks notebooks --out reports [-p NAME VALUE ...] [--only 01_single_run]``

Each notebook runs in a scratch folder; only a notebook that executed to the end is moved to
``reports/`` (executed ``.ipynb`` plus ``.html``), so a failed run never leaves a half report behind.
When a notebook fails, an older report of it is moved to ``reports/stale/`` so that nothing out of
date is shown as current. Every run then rewrites ``reports/index.html`` (see :mod:`workbench.report_site`):
one card per notebook in the folder with its question, headline numbers, status, run time and link.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from workbench.report_site import record_failure, record_success, retire_stale, write_index

KERNEL = "python3"
CELL_TIMEOUT_S = 1800  # a cell that runs longer fails the report instead of hanging it


def parse_value(text: str) -> Any:
    """A papermill parameter from the command line: a Python literal if it parses, else the string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def kernel_transport(folder: Path) -> dict[str, Any]:
    """Kernel-manager settings for a kernel that talks to papermill over Unix sockets in ``folder``.

    Over TCP (Jupyter's default) ipykernel >= 7 warns on every start that the connection is not
    encrypted, once per notebook in ``make report``. Its own advice is IPC transport: socket files
    readable only by this user, in the report's scratch folder (removed afterwards), so nothing
    listens on a network port and the warning has no cause. Passed to papermill as traitlets
    ``config`` (nbclient hands it to the ``KernelManager``).
    """
    return {"KernelManager": {"transport": "ipc", "ip": str(folder / "kernel")}}


def execute_notebook(
    source: Path, out_dir: Path, parameters: dict[str, Any] | None = None, kernel: str = KERNEL
) -> Path:
    """Execute ``source`` with ``parameters``; on success write ``out_dir/NAME.ipynb`` and ``NAME.html``.

    Raises ``RuntimeError`` with the notebook's own error message (for example a parameter's
    ``ValueError``) when execution fails; nothing is written to ``out_dir`` then.
    """
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="wb-report-") as scratch:
        executed = Path(scratch) / source.name
        try:
            pm.execute_notebook(
                str(source),
                str(executed),
                parameters=parameters or {},
                kernel_name=kernel,
                cwd=str(source.parent),
                progress_bar=False,
                execution_timeout=CELL_TIMEOUT_S,
                config=Config(kernel_transport(Path(scratch))),
            )
        except pm.PapermillExecutionError as exc:
            raise RuntimeError(f"{source.name}: {exc.ename}: {exc.evalue}") from None
        except TimeoutError as exc:
            raise RuntimeError(f"{source.name}: a cell ran longer than {CELL_TIMEOUT_S} s: {exc}") from None
        exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
        body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
        html = Path(scratch) / (source.stem + ".html")
        html.write_text(body, encoding="utf-8")
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(str(executed), out_dir / executed.name)
        shutil.move(str(html), out_dir / html.name)
    return out_dir / html.name


def run(args: argparse.Namespace) -> int:
    notebooks = sorted(Path(args.notebooks).glob("*.ipynb"))
    if args.only:
        notebooks = [nb for nb in notebooks if nb.stem in args.only]
        missing = set(args.only) - {nb.stem for nb in notebooks}
        if missing:
            print(f"report: no notebook named {sorted(missing)} in {args.notebooks}", file=sys.stderr)
            return 1
    if not notebooks:
        print(f"report: no notebooks in {args.notebooks}", file=sys.stderr)
        return 1
    parameters = {name: parse_value(value) for name, value in (args.parameter or [])}
    out = Path(args.out)
    failed = 0
    entries = []
    for nb in notebooks:
        start = time.perf_counter()
        try:
            html = execute_notebook(nb, out, parameters)
        except Exception as exc:
            message = str(exc) if isinstance(exc, RuntimeError) else f"{nb.name}: {type(exc).__name__}: {exc}"
            print(f"FAILED {message}", file=sys.stderr)
            failed += 1
            moved = retire_stale(out, nb.stem)
            entries.append(record_failure(nb, message, time.perf_counter() - start, parameters, bool(moved)))
            continue
        runtime = time.perf_counter() - start
        entries.append(record_success(nb, out, runtime, parameters))
        print(f"ok     {html}  ({runtime:.0f} s)")
    index = write_index(out, Path(args.notebooks), entries)
    print(f"index  {index}")
    return 1 if failed else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="execute notebooks into HTML reports (papermill + nbconvert)")
    parser.add_argument("--notebooks", default="notebooks", help="folder of notebooks (default: notebooks)")
    parser.add_argument("--out", default="reports", help="folder for executed notebooks and HTML (default: reports)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="notebook names (without .ipynb) to run")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="papermill parameter applied to every notebook that declares it",
    )
    parser.set_defaults(func=run)
