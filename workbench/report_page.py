"""The HTML page of one report: an executed notebook rendered by nbconvert without code, made readable.

- **Alternative text**: every figure's ``<img alt>`` is the text the report's kernel attached to it
  (:func:`workbench.viz.figure_text.install`: the figure's own title, axis labels and legend); a picture
  without it is described by the section it appears in (``"Figure in section Blocking"``), never by
  nbconvert's "No description has been provided for this image".
- **Tables that fit**: every table sits in a container that scrolls sideways when the table is wider than
  the page (the page itself never does); column names stay whole, long cell text wraps.

:func:`kernel_arguments` are the kernel's command-line settings that install the alt-text hook;
:func:`render_html` is the whole rendering step.
"""

from __future__ import annotations

import base64
import copy
import html
from typing import Any

ALT_HOOK = "from workbench.viz.figure_text import install as _wb_alt; _wb_alt(); del _wb_alt"
NBCONVERT_PLACEHOLDER = "No description has been provided for this image"

PAGE_CSS = """
.wb-table { max-width: 100%; overflow-x: auto; margin: 0.5em 0; }
.wb-table table { margin: 0; }
.wb-table th { white-space: nowrap; }
.wb-table td { max-width: 32em; overflow-wrap: break-word; white-space: normal; }
.jp-OutputArea-output img { max-width: 100%; height: auto; }
"""


def kernel_arguments() -> list[str]:
    """IPython kernel arguments that run :data:`ALT_HOOK` at start, before any cell (nothing shows in the
    notebook; the hook only adds metadata)."""
    return [f"--IPKernelApp.exec_lines={ALT_HOOK}"]


def _heading(source: str) -> str:
    """The last Markdown heading of a cell's source, without its ``#`` marks ("" when there is none)."""
    lines = [line.strip() for line in source.splitlines() if line.strip().startswith("#")]
    return lines[-1].lstrip("#").strip() if lines else ""


def with_alt_text(notebook: Any) -> Any:
    """A copy of ``notebook`` whose PNG outputs are ``<img>`` HTML with their alternative text: the ``alt``
    metadata the kernel attached, else ``"Figure in section <heading>"`` of the nearest heading above. The
    executed notebook itself is left as it is."""
    notebook = copy.deepcopy(notebook)
    section = ""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            section = _heading(cell.source) or section
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" not in data or "text/html" in data:
                continue
            meta = output.get("metadata", {})
            alt = meta.get("image/png", {}).get("alt") or meta.get("alt")
            if not alt:
                alt = f"Figure in section {section}" if section else "Figure"
            png = data["image/png"]
            if isinstance(png, bytes):  # pragma: no cover - nbformat keeps base64 text
                png = base64.b64encode(png).decode()
            png = "".join(str(png).split())
            data["text/html"] = f'<img src="data:image/png;base64,{png}" alt="{html.escape(str(alt), quote=True)}">'
    return notebook


def fit_tables(page: str) -> str:
    """``page`` with every ``<table>`` inside a sideways-scrolling container and :data:`PAGE_CSS` in its head."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, features="html.parser")
    for table in soup.find_all("table"):
        if table.parent is not None and "wb-table" in (table.parent.get("class") or []):
            continue
        box = soup.new_tag("div", attrs={"class": "wb-table", "role": "region", "tabindex": "0"})
        box["aria-label"] = "table (scrolls sideways when wider than the page)"
        table.wrap(box)
    style = soup.new_tag("style")
    style.string = PAGE_CSS
    (soup.head or soup).append(style)
    return str(soup)


def render_html(notebook: Any) -> str:
    """The report page of an executed ``notebook``: code hidden, figures described, tables that fit."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(with_alt_text(notebook))
    return fit_tables(body)
