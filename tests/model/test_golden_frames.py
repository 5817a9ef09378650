"""Bit-identity: the model's frames equal the stored reference digests (``scripts/golden_frames.py``).

A failure means a change altered results. If that was deliberate, bump ``MODEL_VERSION`` and run
``PYTHONPATH=. python scripts/golden_frames.py --update``; otherwise the change is a bug.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "golden_frames.py"
_spec = importlib.util.spec_from_file_location("golden_frames", _SCRIPT)
assert _spec is not None and _spec.loader is not None
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

STORED = json.loads(golden.GOLDEN_PATH.read_text())


def test_reference_is_for_this_model_version():
    from workbench.model import MODEL_VERSION

    assert STORED["model_version"] == MODEL_VERSION, "MODEL_VERSION changed: rerun scripts/golden_frames.py --update"


@pytest.mark.parametrize("name", sorted(golden.CONFIGS))
def test_frames_are_bit_identical(name):
    assert golden.reference(name) == STORED["configs"][name]
