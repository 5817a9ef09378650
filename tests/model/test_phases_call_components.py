"""The phases call components and never look at which one a run uses (issue 17's closed lists opened).

A phase that branched on a sharing mode's name would make a researcher's own channel a second-class
citizen; one phase importing another is how the old code tangled (proposal -> decision, delivery,
sharing). Both are checked on the source text, so a new branch or import fails here.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from workbench.model.channels import CHANNELS

PHASES = Path(__file__).resolve().parents[2] / "workbench" / "model" / "phases"
MODULES = sorted(PHASES.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_no_phase_names_a_sharing_channel(path):
    source = path.read_text()
    names = CHANNELS.names()
    strings = [
        tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline) if tok.type == tokenize.STRING
    ]
    # a channel's name as a value: "gossip", 'none', ``ledger``
    quoted = [m for s in strings for n in names for m in re.findall(rf"[\"'`]{n}[\"'`]", s)]
    assert not quoted, f"{path.name} names sharing channels: {quoted}"
    # the words of channels that are not also the run's record (the ledger of entries)
    words = re.findall(r"(?i)\b(gossip\w*|central\w*|aggregator\w*)", source)
    assert not words, f"{path.name} mentions {sorted(set(words))}"
    # and no phase reads the field that names the channel
    reads = [n.attr for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Attribute) and n.attr == "sharing"]
    assert not reads, f"{path.name} reads params.sharing"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_no_phase_imports_another(path):
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    phases = {f"workbench.model.phases.{p.stem}" for p in MODULES if p.stem != "__init__"}
    assert not (imported & phases), f"{path.name} imports {sorted(imported & phases)}"
