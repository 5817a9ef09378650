"""Each notebook has one source: ``notebooks/NN_name.py`` (jupytext percent) paired with a clean
``NN_name.ipynb``. Fails when a pair drifts apart, when a notebook has no pair, or when a
parameter name is not lower-case (papermill's ``-p seed 3`` would silently miss ``SEED``)."""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
SCRIPTS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
IPYNBS = sorted(NOTEBOOKS.glob("*.ipynb"))
REFRESH = "refresh with: jupytext --sync notebooks/{}.py"


def cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, tuple[str, ...]]]:
    """What a pair must share: per cell its type, source and tags (outputs, ids, counts ignored)."""
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", ()))) for c in nb.cells]


def parameter_names(nb: nbformat.NotebookNode) -> list[str]:
    """Names assigned in the cell tagged ``parameters``."""
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", ())]
    names = []
    for node in ast.parse(cell.source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def test_every_notebook_has_a_script_and_back():
    assert SCRIPTS, "no notebook scripts found"
    assert {p.stem for p in SCRIPTS} == {p.stem for p in IPYNBS}, "each notebooks/NN_name.ipynb needs NN_name.py"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_pair_in_sync(script: Path):
    text = jupytext.read(script)
    assert text.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent", script.name
    assert text.metadata.get("kernelspec", {}).get("name") == "python3", script.name
    paired = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    ours, theirs = cells(text), cells(paired)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, f"{script.stem}: cell {i} differs between .py and .ipynb; " + REFRESH.format(script.stem)
    assert len(ours) == len(theirs), (
        f"{script.stem}: {len(ours)} cells in .py, {len(theirs)} in .ipynb; " + REFRESH.format(script.stem)
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_parameters_are_lower_case(script: Path):
    names = parameter_names(jupytext.read(script))
    assert names, f"{script.name}: the parameters cell assigns nothing"
    upper = [n for n in names if n != n.lower()]
    assert not upper, f"{script.name}: parameter names must be lower-case (papermill -p is case-sensitive): {upper}"


def test_drift_is_detected(tmp_path):
    """The check above can fail: an edit to one side only is reported."""
    script = SCRIPTS[0]
    nb = jupytext.read(script)
    nb.cells[-1].source += "\nprint('edited in the .py only')"
    assert cells(nb) != cells(nbformat.read(script.with_suffix(".ipynb"), as_version=4))
    assert parameter_names(
        nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell("SEED = 3\nsteps: int = 5", metadata={"tags": ["parameters"]})]
        )
    ) == ["SEED", "steps"]
