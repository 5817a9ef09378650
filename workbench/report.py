"""Reports: execute notebooks with papermill, render them to HTML without code, and index them.

``python -m workbench report --notebooks notebooks --out reports [-p NAME VALUE ...] [--only 01_single_run]``

Each notebook runs in a scratch folder; only a notebook that executed to the end is moved to
``reports/`` (executed ``.ipynb`` plus ``.html``), so a failed run never leaves a half report behind.
When a notebook fails, an older report of it is moved to ``reports/stale/`` so that nothing out of
date is shown as current. A ``-p`` name that no selected notebook declares in its ``parameters``
cell stops the command before anything runs, naming the closest declared parameters; each notebook
receives only the parameters it declares, and its card and ``index.json`` record every parameter in
effect (the notebook's defaults with the ``-p`` values over them) and the command that reruns it.
The HTML page describes every figure in its alt text and keeps wide tables inside the page
(:mod:`workbench.report_page`). Every run then rewrites ``reports/index.html`` (see :mod:`workbench.report_site`):
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

from workbench.report_page import kernel_arguments, render_html
from workbench.report_site import record_failure, record_success, retire_stale, write_index
from workbench.validation import did_you_mean

KERNEL = "python3"
CELL_TIMEOUT_S = 1800  # a cell that runs longer fails the report instead of hanging it


def parse_value(text: str) -> Any:
    """A papermill parameter from the command line: a Python literal if it parses, else the string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def declared_parameters(notebook: Path) -> dict[str, Any]:
    """The names and default values of ``notebook``'s ``parameters`` cell, in order: every top-level
    assignment to a name (a default that is not a literal is kept as its source text). Read with
    ``ast``, as papermill's own inspection skips lines whose comments it cannot parse."""
    import nbformat

    values: dict[str, Any] = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code" or "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        for node in ast.parse(cell.source).body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            value = getattr(node, "value", None)
            for target in targets:
                if isinstance(target, ast.Name) and value is not None:
                    values[target.id] = _default_value(value)
    return values


class Expression(str):
    """A parameter default that is not a literal (kept as its source text, never passed on by ``-p``)."""


_ARITHMETIC = (ast.Expression, ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop)


def _default_value(node: ast.expr) -> Any:
    """A literal's value; arithmetic on literals (``2 / 3``) evaluated; anything else as :class:`Expression`."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        tree = ast.Expression(node)
        if all(isinstance(n, _ARITHMETIC) for n in ast.walk(tree)):
            return eval(compile(tree, "<parameter>", "eval"), {"__builtins__": {}})  # constants only
        return Expression(ast.unparse(node))


def unknown_parameter_problem(given: dict[str, Any], declared: dict[str, dict[str, Any]]) -> str | None:
    """Why ``given`` cannot run: a name no selected notebook declares, with the closest declared names
    first (``difflib``); ``None`` when every name is declared by at least one notebook."""
    known = list(dict.fromkeys(name for params in declared.values() for name in params))
    for name in given:
        if name not in known:
            where = ", ".join(declared) if len(declared) <= 3 else f"{len(declared)} notebooks"
            hint = did_you_mean(name, known)
            listed = ", ".join(known)
            return f"unknown parameter {name!r} for {where}{hint} ({'its' if len(declared) == 1 else 'their'} parameters: {listed})"
    return None


def rerun_command(notebook: Path, parameters: dict[str, Any]) -> str:
    """The command that reruns ``notebook`` with every parameter given explicitly."""
    import shlex

    args = ["python", "-m", "workbench", "report", "--only", notebook.stem]
    for name, value in parameters.items():
        if not isinstance(value, Expression):
            # a string that reads back as itself is given bare (small_world, not "'small_world'")
            text = value if isinstance(value, str) and parse_value(value) == value else repr(value)
            args += ["-p", name, text]
    return shlex.join(args)


def kernel_transport(folder: Path) -> dict[str, Any]:
    """Kernel-manager settings for a kernel that talks to papermill over Unix sockets in ``folder``.

    Over TCP (Jupyter's default) ipykernel >= 7 warns on every start that the connection is not
    encrypted, once per notebook in ``make report``. Its own advice is IPC transport: socket files
    readable only by this user, in the report's scratch folder (removed afterwards), so nothing
    listens on a network port and the warning has no cause. Passed to papermill as traitlets
    ``config`` (nbclient hands it to the ``KernelManager``).
    """
    return {"KernelManager": {"transport": "ipc", "ip": str(folder / "kernel")}}


PROGRESS_ENGINE = "workbench-progress"


def register_progress_engine() -> str:
    """Register (once) a papermill engine that prints one line as each code cell finishes
    (``  01_single_run: cell 3 of 12 done (4.1 s)``) on stdout, so a long report shows where it is."""
    from papermill.engines import NBClientEngine, papermill_engines

    class ProgressEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            code = [i for i, cell in enumerate(nb_man.nb.cells) if cell.cell_type == "code"]
            name = Path(str(nb_man.nb.metadata.get("papermill", {}).get("input_path", "notebook"))).stem
            started: dict[int, float] = {}
            cell_start, cell_complete = nb_man.cell_start, nb_man.cell_complete

            def start(cell: Any, cell_index: int | None = None, **kw: Any) -> Any:
                started[cell_index or 0] = time.perf_counter()
                return cell_start(cell, cell_index, **kw)

            def complete(cell: Any, cell_index: int | None = None, **kw: Any) -> Any:
                result = cell_complete(cell, cell_index, **kw)
                if cell_index in code:
                    took = time.perf_counter() - started.get(cell_index, time.perf_counter())
                    print(f"  {name}: cell {code.index(cell_index) + 1} of {len(code)} done ({took:.1f} s)", flush=True)
                return result

            nb_man.cell_start, nb_man.cell_complete = start, complete
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    if PROGRESS_ENGINE not in papermill_engines._engines:
        papermill_engines.register(PROGRESS_ENGINE, ProgressEngine)
    return PROGRESS_ENGINE


def rerun_markdown(command: str, in_effect: dict[str, Any]) -> str:
    """The report's closing section: the command that regenerates it and every parameter in effect."""
    rows = "\n".join(f"| `{name}` | `{value!r}` |" for name, value in in_effect.items())
    return (
        "## Rerun this report\n\nFrom the repository root, at the git commit of the provenance block:\n\n"
        f"```\n{command}\n```\n\n**Parameters in effect** (the notebook's defaults and the `-p` values):\n\n"
        f"| parameter | value |\n|---|---|\n{rows}\n"
    )


def execute_notebook(
    source: Path,
    out_dir: Path,
    parameters: dict[str, Any] | None = None,
    kernel: str = KERNEL,
    closing: str | None = None,
) -> Path:
    """Execute ``source`` with ``parameters``; on success write ``out_dir/NAME.ipynb`` and ``NAME.html``.

    Raises ``RuntimeError`` with the notebook's own error message (for example a parameter's
    ``ValueError``) when execution fails; nothing is written to ``out_dir`` then.
    """
    import nbformat
    import papermill as pm
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
                engine_name=register_progress_engine(),
                execution_timeout=CELL_TIMEOUT_S,
                config=Config(kernel_transport(Path(scratch))),
                extra_arguments=kernel_arguments(),  # figures get their alt text (workbench.report_page)
            )
        except pm.PapermillExecutionError as exc:
            raise RuntimeError(f"{source.name}: {exc.ename}: {exc.evalue}") from None
        except TimeoutError as exc:
            raise RuntimeError(f"{source.name}: a cell ran longer than {CELL_TIMEOUT_S} s: {exc}") from None
        notebook = nbformat.read(executed, as_version=4)
        if closing:  # a Markdown cell appended to the executed copy (the rerun section)
            notebook.cells.append(nbformat.v4.new_markdown_cell(closing))
            nbformat.write(notebook, executed)
        html = Path(scratch) / (source.stem + ".html")
        html.write_text(render_html(notebook), encoding="utf-8")
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
    declared = {nb.stem: declared_parameters(nb) for nb in notebooks}
    problem = unknown_parameter_problem(parameters, declared)
    if problem:  # before anything runs or is written: a mistyped name must not run with the default
        print(f"report: {problem}", file=sys.stderr)
        return 2
    out = Path(args.out)
    failed = 0
    entries = []
    for nb in notebooks:
        given = {name: value for name, value in parameters.items() if name in declared[nb.stem]}
        in_effect = {**declared[nb.stem], **given}
        command = rerun_command(nb, in_effect)
        start = time.perf_counter()
        try:
            html = execute_notebook(nb, out, given, closing=rerun_markdown(command, in_effect))
        except Exception as exc:
            message = str(exc) if isinstance(exc, RuntimeError) else f"{nb.name}: {type(exc).__name__}: {exc}"
            print(f"FAILED {message}", file=sys.stderr)
            failed += 1
            moved = retire_stale(out, nb.stem)
            entry = record_failure(nb, message, time.perf_counter() - start, given, bool(moved))
            entries.append({**entry, "parameters_in_effect": in_effect, "command": command})
            continue
        runtime = time.perf_counter() - start
        entry = record_success(nb, out, runtime, given)
        entries.append({**entry, "parameters_in_effect": in_effect, "command": command, **_rerun_provenance()})
        print(f"ok     {html}  ({runtime:.0f} s)")
    index = write_index(out, Path(args.notebooks), entries)
    print(f"index  {index}")
    return 1 if failed else 0


def _rerun_provenance() -> dict[str, Any]:
    """What else a rerun needs to match: the git commit, Python and package versions."""
    from workbench.provenance import provenance

    record = provenance()
    return {"git_commit": record["git_commit"], "python": record["python"], "packages": record["packages"]}


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
        help="papermill parameter applied to every notebook that declares it (a name none declares is an error)",
    )
    parser.set_defaults(func=run)
