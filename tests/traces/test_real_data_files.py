"""tests/data/real: every slice is listed in its README and in the script that cuts it, and is small."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "real"


def _cut_script():
    spec = importlib.util.spec_from_file_location("cut_real_traces", ROOT / "scripts" / "cut_real_traces.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_slice_is_listed_sourced_and_under_2_mb():
    script = _cut_script()
    files = sorted(p.name for p in REAL.iterdir() if p.name != "README.md")
    assert files == sorted(s.name for s in script.SLICES)
    readme = (REAL / "README.md").read_text()
    for sl in script.SLICES:
        assert f"`{sl.name}`" in readme, sl.name
        assert (REAL / sl.name).stat().st_size <= script.MAX_BYTES == 2_000_000
        for source in sl.sources:
            assert source.repo in readme and len(source.commit) == 40, sl.name
    for citation in ("Sharafaldin", "Engelen", "Moustafa", "Garcia, Martin Grill", "Sarhan"):
        assert citation in readme


def test_the_cut_script_never_downloads():
    text = (ROOT / "scripts" / "cut_real_traces.py").read_text()
    assert not any(word in text for word in ("urllib", "requests", "http.client", "urlopen", "socket"))
