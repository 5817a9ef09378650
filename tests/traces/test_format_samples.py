"""The committed format samples in data/samples are exactly what scripts/make_sample_traces.py writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("make_sample_traces", ROOT / "scripts" / "make_sample_traces.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerating_the_samples_gives_identical_files(tmp_path):
    written = _script().main(tmp_path)
    committed = sorted(p.name for p in (ROOT / "data" / "samples").iterdir())
    assert sorted(p.name for p in written) == committed
    for p in written:
        assert p.read_bytes() == (ROOT / "data" / "samples" / p.name).read_bytes(), p.name


def test_samples_say_they_are_format_samples():
    readme = (ROOT / "data" / "samples" / "README.md").read_text()
    assert "FORMAT SAMPLES, NOT REAL TRAFFIC" in readme
    assert all("FORMAT-SAMPLE" in p.name for p in (ROOT / "data" / "samples").iterdir() if p.name != "README.md")
