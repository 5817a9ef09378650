"""The reports site: ``reports/index.html``, one card per notebook, rebuilt after every ``make report``.

What a card shows and where it comes from (the convention for notebook authors):

- **title**: ``NN · Title``: the number that starts the file name (``01_single_run`` -> ``01``) and the
  first ``# `` heading of the notebook's first Markdown cell (else the file name), whether or not the
  heading starts with the number itself;
- **question**: the paragraph of the first Markdown line starting with ``**Question:**`` or
  ``**Question.**`` (marker removed; cut after its first ``?`` so the card stays short);
- **headline numbers**: what the executed notebook displayed with
  :func:`workbench.analysis.headline.show_headline` (two or three per study; a card shows the first
  :data:`CARD_NUMBERS` and says how many more the report has); shares as percentages;

The title, the question and the headline labels are inline Markdown (backticks, emphasis, links), rendered
with ``mistune`` (nbconvert's renderer) with raw HTML escaped.
- **status** (``ok``, ``failed`` with the notebook's error, or ``not run``), **run time**, when it
  ran, the ``-p`` parameters, and a link to the HTML report (only for a report that ran to the end).

The state of every notebook is kept in ``reports/index.json`` so that ``--only`` runs update their
own cards and keep the others. A failed notebook's older report is moved to ``reports/stale/`` and
neither shown nor linked. The page is static HTML with inline CSS: no script, no CDN.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

from workbench.analysis.headline import item_parts, read_headline

INDEX_JSON = "index.json"
INDEX_HTML = "index.html"
STALE_DIR = "stale"
QUESTION_MARK = re.compile(r"^\*\*Question[:.]\*\*\s*", re.IGNORECASE)
NUMBER = re.compile(r"^(\d+)[_ -]")
CARD_NUMBERS = 3  # headline numbers on a card; the report shows them all


def card_title(name: str, title: str) -> str:
    """``NN · Title`` for notebook ``name`` (``01_single_run``): the number the file name starts with, then the
    title without a number of its own (``"01 · One run"``, ``"01 One run"`` and ``"One run"`` all give
    ``"01 · One run"``); the title alone when the name has no number."""
    title = (title or name).strip()
    found = NUMBER.match(name)
    if not found:
        return title
    number = found.group(1)
    rest = re.sub(rf"^{number}\s*(·|-|\u2013|:|\.)?\s*", "", title) if title.startswith(number) else title
    return f"{number} · {rest or name}"


def render_inline(text: str) -> str:
    """One line of Markdown as HTML (backticks -> ``<code>``, emphasis, links), raw HTML escaped, no ``<p>``."""
    import mistune

    rendered = str(mistune.create_markdown(escape=True)(text)).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


def read_title_question(notebook: Any, fallback: str = "") -> tuple[str, str]:
    """``(title, question)`` of an ``nbformat`` notebook by the convention in the module docstring."""
    markdown = [c.get("source", "") for c in notebook.get("cells", []) if c.get("cell_type") == "markdown"]
    markdown = ["".join(m) if isinstance(m, list) else m for m in markdown]
    title = fallback
    if markdown:
        heading = next((line for line in markdown[0].splitlines() if line.startswith("# ")), None)
        title = heading[2:].strip() if heading else fallback
    if fallback:
        title = card_title(fallback, title)
    question = ""
    for text in markdown:
        lines = text.splitlines()
        start = next((i for i, line in enumerate(lines) if QUESTION_MARK.match(line.strip())), None)
        if start is None:
            continue
        paragraph = []
        for line in lines[start:]:
            if not line.strip():
                break
            paragraph.append(line.strip())
        question = QUESTION_MARK.sub("", " ".join(paragraph)).strip()
        if "?" in question:
            question = question[: question.index("?") + 1]
        break
    return title, question


def _read_notebook(path: Path) -> Any:
    import nbformat

    return nbformat.read(path, as_version=4)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def record_success(source: Path, out_dir: Path, runtime_s: float, parameters: dict[str, Any]) -> dict[str, Any]:
    """The index entry of a notebook that ran to the end; its headline is read from the executed copy."""
    title, question = read_title_question(_read_notebook(source), source.stem)
    stale = out_dir / STALE_DIR
    for old in stale.glob(f"{source.stem}.*") if stale.is_dir() else []:
        old.unlink()  # superseded by the fresh report
    return {
        "name": source.stem,
        "title": title,
        "question": question,
        "status": "ok",
        "error": "",
        "runtime_s": round(runtime_s, 1),
        "finished_at": _now(),
        "parameters": _jsonable(parameters),
        "headline": read_headline(_read_notebook(out_dir / source.name)),
        "html": f"{source.stem}.html",
        "stale_moved": False,
    }


def record_failure(
    source: Path, error: str, runtime_s: float, parameters: dict[str, Any], stale_moved: bool
) -> dict[str, Any]:
    """The index entry of a notebook that failed: its error, no headline, no link."""
    title, question = read_title_question(_read_notebook(source), source.stem)
    return {
        "name": source.stem,
        "title": title,
        "question": question,
        "status": "failed",
        "error": error,
        "runtime_s": round(runtime_s, 1),
        "finished_at": _now(),
        "parameters": _jsonable(parameters),
        "headline": [],
        "html": None,
        "stale_moved": stale_moved,
    }


def retire_stale(out_dir: Path, stem: str) -> list[Path]:
    """Move an older ``stem.html`` / ``stem.ipynb`` out of the published folder into ``stale/``."""
    moved = []
    for suffix in (".html", ".ipynb"):
        old = out_dir / f"{stem}{suffix}"
        if old.exists():
            (out_dir / STALE_DIR).mkdir(parents=True, exist_ok=True)
            target = out_dir / STALE_DIR / old.name
            shutil.move(str(old), target)
            moved.append(target)
    return moved


def _jsonable(parameters: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (str, int, float, bool, type(None))) else repr(v) for k, v in parameters.items()}


def load_entries(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The entries of ``out_dir/index.json`` by notebook name (empty if there is none or it is unreadable)."""
    path = out_dir / INDEX_JSON
    try:
        return {e["name"]: e for e in json.loads(path.read_text(encoding="utf-8"))["reports"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_index(out_dir: Path, notebooks_dir: Path, updates: list[dict[str, Any]]) -> Path:
    """Merge ``updates`` into ``index.json`` and write ``index.html`` listing every notebook of ``notebooks_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    known = load_entries(out_dir)
    known.update({e["name"]: e for e in updates})
    entries = []
    for source in sorted(notebooks_dir.glob("*.ipynb")):
        entry = known.get(source.stem)
        if entry is None:
            title, question = read_title_question(_read_notebook(source), source.stem)
            entry = {
                "name": source.stem,
                "title": title,
                "question": question,
                "status": "not run",
                "error": "",
                "runtime_s": None,
                "finished_at": None,
                "parameters": {},
                "headline": [],
                "html": None,
                "stale_moved": False,
            }
        entries.append(entry)
    (out_dir / INDEX_JSON).write_text(json.dumps({"version": 1, "reports": entries}, indent=1), encoding="utf-8")
    index = out_dir / INDEX_HTML
    index.write_text(render_index(entries, out_dir), encoding="utf-8")
    return index


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


CSS = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2733;
       background: #f4f6f8; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem; }
header h1 { margin: 1rem 0 0.2rem; font-size: 1.7rem; }
header p, footer { color: #5b6876; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1.2rem; }
.card { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 1rem 1.2rem;
        display: flex; flex-direction: column; gap: 0.6rem; }
.card.failed { border-left: 5px solid #c0392b; }
.card.ok { border-left: 5px solid #2e8b57; }
.card.not-run { border-left: 5px solid #9aa5b1; }
.card h2 { font-size: 1.15rem; margin: 0; }
.card h2 a { color: #1a5fb4; text-decoration: none; }
.card h2 a:hover { text-decoration: underline; }
.card code { font: 0.9em ui-monospace, monospace; background: #eef1f4; padding: 0 0.2em; border-radius: 3px; }
.name { font: 0.8rem ui-monospace, monospace; color: #5b6876; }
.question { margin: 0; }
.numbers { display: grid; grid-template-columns: repeat(auto-fit, minmax(90px, 1fr)); gap: 0.5rem; margin: 0; }
.numbers div { background: #f4f6f8; border-radius: 6px; padding: 0.4rem 0.6rem; }
.numbers dt { font-size: 0.78rem; color: #5b6876; }
.numbers dd { margin: 0; font-size: 1.2rem; font-weight: 600; }
.numbers dd small { font-size: 0.75rem; font-weight: 400; color: #5b6876; display: block; }
.meta { font-size: 0.85rem; color: #5b6876; margin: 0; }
.status { font-weight: 600; text-transform: uppercase; font-size: 0.75rem; letter-spacing: 0.04em; }
.ok .status { color: #2e8b57; } .failed .status { color: #c0392b; } .not-run .status { color: #5b6876; }
pre.error { white-space: pre-wrap; background: #fdf0ef; color: #7b241c; padding: 0.5rem; border-radius: 6px;
            font-size: 0.82rem; margin: 0; max-height: 12rem; overflow: auto; }
"""


def _number_html(item: dict[str, Any]) -> str:
    """A headline number as a definition: label, then the estimate with its interval and unit below
    (a share as a percentage of what its unit names)."""
    value, interval, unit = item_parts(item)
    small = [part for part in (interval, unit) if part]
    if item.get("better"):
        small.append(f"({item['better']} is better)")
    note = f"<small>{html.escape(' '.join(small))}</small>" if small else ""
    return (
        f"<div><dt>{render_inline(str(item.get('label') or item.get('name', '')))}</dt>"
        f"<dd>{html.escape(value)}{note}</dd></div>"
    )


def render_card(entry: dict[str, Any], out_dir: Path | None = None) -> str:
    """One card's HTML (every text escaped); a link only when the entry is ``ok`` and its HTML exists."""
    e = html.escape
    status = entry["status"]
    link = entry.get("html") if status == "ok" else None
    if link and out_dir is not None and not (out_dir / link).exists():
        link = None
    href = e(quote(link)) if link else ""
    title = render_inline(card_title(entry["name"], entry.get("title") or ""))
    heading = f'<a href="{href}">{title}</a>' if link else title
    parts = [
        f'<article class="card {status.replace(" ", "-")}">',
        f'<div class="name">{e(entry["name"])} · <span class="status">{e(status)}</span></div>',
        f"<h2>{heading}</h2>",
    ]
    if entry.get("question"):
        parts.append(f'<p class="question">{render_inline(entry["question"])}</p>')
    numbers = entry.get("headline") or []
    if numbers:
        parts.append('<dl class="numbers">' + "".join(_number_html(i) for i in numbers[:CARD_NUMBERS]) + "</dl>")
        if len(numbers) > CARD_NUMBERS:
            more = len(numbers) - CARD_NUMBERS
            parts.append(f'<p class="meta">{more} more headline number{"s" if more > 1 else ""} in the report.</p>')
    if status == "failed":
        parts.append(f'<pre class="error">{e(entry.get("error", ""))}</pre>')
        if entry.get("stale_moved"):
            parts.append('<p class="meta">An older report of this notebook was withdrawn (moved to stale/).</p>')
    meta = []
    if entry.get("finished_at"):
        meta.append(f"ran {e(entry['finished_at'])}")
    if entry.get("runtime_s") is not None:
        meta.append(f"in {_duration(entry['runtime_s'])}")
    if entry.get("parameters"):
        meta.append("parameters " + e(", ".join(f"{k}={v}" for k, v in entry["parameters"].items())))
    if link:
        meta.append(f'<a href="{href}">read the report</a>')
    if meta:
        parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
    parts.append("</article>")
    return "\n".join(parts)


API_INDEX = "api/index.html"  # written by `make docs` (pdoc)


def _api_link(out_dir: Path | None) -> str:
    """A link to the API reference when ``make docs`` has written it next to the reports."""
    if out_dir is None or not (out_dir / API_INDEX).exists():
        return " The API reference is built by <code>make docs</code>."
    return f' <a href="{API_INDEX}">API reference</a> (generated from the docstrings by <code>make docs</code>).'


def render_index(entries: list[dict[str, Any]], out_dir: Path | None = None) -> str:
    """The whole static page."""
    counts = {s: sum(e["status"] == s for e in entries) for s in ("ok", "failed", "not run")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    cards = "\n".join(render_card(e, out_dir) for e in entries)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Threat-Intelligence Workbench · reports</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>Threat-Intelligence Workbench · reports</h1>
<p>{len(entries)} report(s): {html.escape(summary)}. Each card states the study's question and its headline
numbers (estimate [confidence interval] where the study gives one); follow the title for the full report.</p>
</header>
<main>
{cards}
</main>
<footer>Index written {_now()} by <code>python -m workbench report</code>.{_api_link(out_dir)}</footer>
</body>
</html>
"""
