"""make report's engine: papermill executes a notebook into HTML without code; bad parameters fail cleanly;
reports/index.html lists every notebook with its question, headline numbers and status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from workbench.analysis.headline import MIME
from workbench.report_site import INDEX_JSON, read_title_question, render_index, write_index

ROOT = Path(__file__).resolve().parents[2]


def _report(tmp_path: Path, *params: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, JUPYTER_PREFER_ENV_PATH="1")
    args = [sys.executable, "-m", "workbench", "report", "--only", "01_single_run", "--out", str(tmp_path / "out")]
    for p in params:
        args += ["-p", *p.split("=", 1)]
    return subprocess.run(args, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_report_renders_html_without_code(tmp_path):
    done = _report(tmp_path, "steps=25", "n_nodes=20")
    assert done.returncode == 0, done.stderr[-2000:]
    html = (tmp_path / "out" / "01_single_run.html").read_text()
    assert "Provenance" in html and "git commit" in html and "data:image/png;base64" in html
    assert "run_model(params" not in html  # code cells are hidden
    assert (tmp_path / "out" / "01_single_run.ipynb").exists()
    # every figure described by its own labels, no raw dict, every table in a sideways-scrolling box
    assert "No description has been provided" not in html and 'alt="Figure: Local detection: ' in html
    assert "{'signatures_proposed'" not in html and "0.0 steps" not in html and " of those decided" not in html
    assert html.count("<table") == html.count('class="wb-table"') > 0
    entry = {e["name"]: e for e in json.loads((tmp_path / "out" / INDEX_JSON).read_text())["reports"]}["01_single_run"]
    assert entry["title"].startswith("01 · ") and 2 <= len(entry["headline"]) <= 3


@pytest.mark.slow
def test_bad_parameter_fails_with_the_models_message_and_writes_no_report(tmp_path):
    done = _report(tmp_path, "n_nodes=1")
    assert done.returncode == 1
    assert "n_nodes=1 is out of range; expected an integer with 2 <= x" in done.stderr
    out = tmp_path / "out"
    assert not (out / "01_single_run.html").exists() and not (out / "01_single_run.ipynb").exists()
    index = (out / "index.html").read_text()
    assert "n_nodes=1 is out of range" in index and 'href="01_single_run.html"' not in index
    # the kernel talks over Unix sockets (report.kernel_transport): no TCP-without-encryption warning
    assert "without encryption" not in done.stderr


def _notebook(path: Path, title: str, question: str, code: str) -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell(f"# {title}\n\n**Question:** {question} More detail here.\n\nMethod."),
            new_code_cell("scale = 2", metadata={"tags": ["parameters"]}),
            new_code_cell(code),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _report_folder(notebooks: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, JUPYTER_PREFER_ENV_PATH="1", PYTHONPATH=str(ROOT))  # the kernel imports this checkout
    args = [sys.executable, "-m", "workbench", "report", "--notebooks", str(notebooks), "--out", str(out), *extra]
    return subprocess.run(args, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_index_lists_every_notebook_with_headline_or_error_and_no_stale_copy(tmp_path):
    notebooks, out = tmp_path / "nbs", tmp_path / "out"
    notebooks.mkdir()
    _notebook(
        notebooks / "01_good.ipynb",
        "A good study",
        "How big is <b>two</b> times the scale?",
        "from workbench.analysis.headline import show_headline\n"
        "show_headline({'doubled': 2 * scale, 'f_star': (0.31, 0.28, 0.35)}, labels={'f_star': 'breakdown f*'},"
        " units={'f_star': 'of nodes'})",
    )
    _notebook(notebooks / "02_bad.ipynb", "A broken study", "Does it fail?", "raise ValueError('boom: scale too big')")
    out.mkdir()
    (out / "02_bad.html").write_text("<p>stale results</p>")  # an older, successful run of the failing notebook
    done = _report_folder(notebooks, out, "-p", "scale", "3")
    assert done.returncode == 1, done.stderr[-2000:]
    index = (out / "index.html").read_text()
    assert "A good study" in index and "A broken study" in index
    assert "How big is &lt;b&gt;two&lt;/b&gt; times the scale?" in index and "More detail" not in index
    assert 'href="01_good.html"' in index and ">6<" in index and "breakdown f*" in index and "[0.28, 0.35]" in index
    assert "ValueError: boom: scale too big" in index
    assert "02_bad.html" not in index and not (out / "02_bad.html").exists()  # withdrawn, not linked
    assert (out / "stale" / "02_bad.html").exists()
    assert "<script" not in index and "http" not in index  # static, no CDN
    assert "scale=3" in index

    # a later --only run of the good notebook keeps the failed card
    done = _report_folder(notebooks, out, "--only", "01_good")
    assert done.returncode == 0, done.stderr[-2000:]
    index = (out / "index.html").read_text()
    assert ">4<" in index and "ValueError: boom" in index


def test_title_and_question_convention():
    nb = new_notebook(
        cells=[
            new_markdown_cell("# 04 · Breakdown\n\nIntro."),
            new_markdown_cell("Text\n**Question.** How much malice\ndoes it survive? Then more."),
        ]
    )
    assert read_title_question(nb, "x") == ("04 · Breakdown", "How much malice does it survive?")
    assert read_title_question(new_notebook(cells=[new_code_cell("1")]), "fallback") == ("fallback", "")


def test_render_index_escapes_text_and_links_only_existing_ok_reports(tmp_path):
    (tmp_path / "a.html").write_text("report")
    entries = [
        {
            "name": "a",
            "title": "A",
            "question": "Q?",
            "status": "ok",
            "html": "a.html",
            "runtime_s": 75.0,
            "finished_at": "now",
            "parameters": {},
            "error": "",
            "headline": [{"name": "x", "label": "x", "unit": "", "text": "not reached"}],
        },
        {
            "name": "b",
            "title": "B <i>",
            "question": "",
            "status": "ok",
            "html": "b.html",
            "runtime_s": 1.0,
            "finished_at": "now",
            "parameters": {},
            "error": "",
            "headline": [],
        },
        {
            "name": "c",
            "title": "C",
            "question": "",
            "status": "not run",
            "html": None,
            "runtime_s": None,
            "finished_at": None,
            "parameters": {},
            "error": "",
            "headline": [],
        },
    ]
    page = render_index(entries, tmp_path)
    assert 'href="a.html"' in page and 'href="b.html"' not in page  # b's file is missing
    assert "B &lt;i&gt;" in page and "not reached" in page and "1 min 15 s" in page and "not run" in page


def test_headline_output_is_read_back_from_an_executed_notebook():
    from workbench.analysis.headline import headline_payload, read_headline

    first = headline_payload({"a": 1.0, "b": float("nan")})
    second = headline_payload({"a": 2.0})
    nb = new_notebook(
        cells=[
            new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", data={MIME: first})]),
            new_code_cell("y", outputs=[nbformat.v4.new_output("display_data", data={MIME: second})]),
        ]
    )
    items = {i["name"]: i for i in read_headline(nb)}
    assert items["a"]["value"] == 2.0 and items["b"]["value"] is None


def test_reports_index_lists_the_when_sharing_pays_study_with_its_question(tmp_path):
    write_index(tmp_path, ROOT / "notebooks", [])
    entries = {e["name"]: e for e in json.loads((tmp_path / INDEX_JSON).read_text())["reports"]}
    entry = entries["10_when_sharing_pays"]
    assert entry["title"] == "10 · When does sharing pay?"
    assert entry["question"].startswith("For each way of sharing threat signatures") and entry["question"].endswith("?")


def test_an_unknown_parameter_stops_the_report_before_anything_runs_with_the_closest_names(tmp_path):
    done = _report(tmp_path, "n_node=30")
    assert done.returncode == 2
    assert "unknown parameter 'n_node' for 01_single_run; did you mean 'n_nodes'?" in done.stderr
    assert "(its parameters: seed, steps, n_nodes," in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()  # no report, no index card claiming n_node=30


def test_declared_parameters_read_every_default_of_the_parameters_cell():
    from workbench.report import declared_parameters, rerun_command

    explore = declared_parameters(ROOT / "notebooks" / "00_explore.ipynb")
    assert explore["quorum"] == pytest.approx(2 / 3) and explore["seed"] == 42
    single = declared_parameters(ROOT / "notebooks" / "01_single_run.ipynb")
    assert list(single)[:3] == ["seed", "steps", "n_nodes"] and single["steps"] == 60
    command = rerun_command(ROOT / "notebooks" / "01_single_run.ipynb", single)
    assert command.startswith("python -m workbench report --only 01_single_run -p seed 7 -p steps 60 -p n_nodes 50")
    assert "-p topology small_world" in command


def _outputs(notebook: Path) -> list[str]:
    """What the executed notebook printed and displayed, without the provenance block (it has a time)."""
    texts = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/markdown") or ""
            if text and "created (UTC)" not in text:
                texts.append(text)
    return texts


@pytest.mark.slow
def test_a_report_rerun_from_its_index_json_reproduces_its_numbers(tmp_path):
    import shlex

    done = _report(tmp_path, "steps=25", "n_nodes=20")
    assert done.returncode == 0, done.stderr[-2000:]
    cells = [line for line in done.stdout.splitlines() if line.startswith("  01_single_run: cell ")]
    assert cells and cells[-1].startswith(f"  01_single_run: cell {len(cells)} of {len(cells)} done (")  # progress
    entry = {e["name"]: e for e in json.loads((tmp_path / "out" / INDEX_JSON).read_text())["reports"]}["01_single_run"]
    effect = entry["parameters_in_effect"]
    assert effect["steps"] == 25 and effect["n_nodes"] == 20 and effect["seed"] == 7 and "detector" in effect
    assert entry["git_commit"] and entry["packages"]["mesa"] and entry["parameters"] == {"steps": 25, "n_nodes": 20}
    page = (tmp_path / "out" / "01_single_run.html").read_text()
    assert "Rerun this report" in page and "--only 01_single_run -p seed 7 -p steps 25 -p n_nodes 20" in page
    args = shlex.split(entry["command"])
    assert args[:3] == ["python", "-m", "workbench"]
    env = dict(os.environ, JUPYTER_PREFER_ENV_PATH="1")
    again = subprocess.run(
        [sys.executable, *args[1:], "--out", str(tmp_path / "again")],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    rerun = {e["name"]: e for e in json.loads((tmp_path / "again" / INDEX_JSON).read_text())["reports"]}[
        "01_single_run"
    ]
    assert rerun["parameters_in_effect"] == effect and rerun["headline"] == entry["headline"]
    first, second = (
        _outputs(tmp_path / "out" / "01_single_run.ipynb"),
        _outputs(tmp_path / "again" / "01_single_run.ipynb"),
    )
    assert first and first == second


def test_the_provenance_block_shows_steps_size_and_every_scalar_a_notebook_recorded():
    from workbench.analysis.run_plots import provenance_markdown
    from workbench.provenance import provenance

    table = provenance_markdown(provenance(seed=7, steps=60, size="small", backend="local", parameters={"n_nodes": 50}))
    for row in ("| seed | `7` |", "| steps | `60` |", "| size | `small` |", "| backend | `local` |"):
        assert row in table
    assert "n_nodes=50" in table
    nested = provenance_markdown(provenance(sweep={"factors": {"sharing": ["none"]}}, stores=["a", "b"]))
    assert '<summary><b>sweep</b> (1 item, JSON)</summary>\n\n```json\n{\n "factors": {' in nested  # not a dict repr
    assert "<summary><b>stores</b> (2 items, JSON)</summary>" in nested


def test_the_index_links_the_api_reference_once_make_docs_has_built_it(tmp_path):
    entries: list[dict] = []
    assert "api/index.html" not in render_index(entries, tmp_path)
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "index.html").write_text("<html></html>")
    assert '<a href="api/index.html">API reference</a>' in render_index(entries, tmp_path)


def test_every_card_title_reads_number_dot_title_and_markdown_is_rendered(tmp_path):
    from workbench.report_site import card_title

    assert card_title("01_single_run", "One run") == "01 · One run"
    assert card_title("04_breakdown", "04 · Breakdown points") == "04 · Breakdown points"
    assert card_title("07_x", "07 Theory") == "07 · Theory" and card_title("notes", "Notes") == "Notes"
    write_index(tmp_path, ROOT / "notebooks", [])
    entries = json.loads((tmp_path / INDEX_JSON).read_text())["reports"]
    assert len(entries) >= 12
    for entry in entries:
        assert entry["title"].startswith(entry["name"][:2] + " · "), entry["title"]
    page = (tmp_path / "index.html").read_text()
    assert "`" not in page  # backticks rendered, not shown
    assert "<code>conn.log</code>" in page  # notebook 09's question
    card = render_index(
        [
            {
                "name": "05_x",
                "title": "The *front* of `a`",
                "question": "Is <b>it</b> `fast`?",
                "status": "not run",
                "headline": [{"name": f"n{i}", "label": f"`n{i}`", "unit": "", "value": i} for i in range(4)],
            }
        ]
    )
    assert "05 · The <em>front</em> of <code>a</code>" in card and "Is &lt;b&gt;it&lt;/b&gt; <code>fast</code>?" in card
    assert (
        "<code>n2</code>" in card and "<code>n3</code>" not in card and "1 more headline number in the report" in card
    )


def test_headline_shares_show_as_percentages_of_their_denominator():
    from workbench.analysis.headline import format_item, headline_payload

    items = {
        i["name"]: i
        for i in headline_payload(
            {"blocked": (0.8123, 0.77, 0.85), "reach": 0.031, "steps": 4.0},
            outcomes={"blocked": "attack_blocked_frac", "reach": "forged_reach_frac", "steps": "ttd_median_steps"},
        )["items"]
    }
    assert format_item(items["blocked"]) == "81.2% [77%, 85%] of attack flows (higher is better)"
    assert format_item(items["reach"]) == "3.1% of forged signatures (lower is better)"
    assert format_item(items["steps"]) == "4 steps (lower is better)"


def _headline_calls(source: str) -> int:
    return source.count("show_headline(") + source.count(".headline(found).show()") + source.count(".headline().show()")


def test_every_notebook_displays_headline_numbers():
    """Every report card gets its numbers from a headline the notebook computes and displays."""
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        source = notebook.read_text()
        assert _headline_calls(source.replace("import show_headline", "")) >= 1, notebook.name
