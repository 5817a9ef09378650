"""A report's HTML page: every figure described by its own labels, tables that fit the page."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from workbench.report_page import NBCONVERT_PLACEHOLDER, fit_tables, render_html, with_alt_text
from workbench.viz.figure_text import figure_alt, install


def _figure():
    fig, (left, right) = plt.subplots(1, 2)
    left.plot([0, 1], label="recall")
    left.plot([1, 0], label="precision")
    left.set(title="Local detection", xlabel="step", ylabel="share")
    left.legend()
    right.bar(["a"], [1])
    right.set(title="Signature outcomes", ylabel="signatures")
    fig.suptitle("One run")
    return fig


def test_a_figure_is_described_by_its_title_labels_and_legend():
    fig = _figure()
    assert figure_alt(fig) == (
        "Figure: One run. Local detection: share against step (recall, precision); Signature outcomes: signatures"
    )
    assert figure_alt(plt.figure()) == "Figure"
    plt.close("all")


class _Formatter:
    def format(self, obj, include=None, exclude=None):
        return {"image/png": "iVBO", "text/plain": "<Figure>"}, {"image/png": {"width": 3}}


class _Shell:
    display_formatter = _Formatter()


def test_the_kernel_hook_attaches_the_alt_text_to_every_figure_it_displays():
    shell = _Shell()
    assert install(shell) and install(shell)  # idempotent
    fig = _figure()
    _data, metadata = shell.display_formatter.format(fig)
    assert metadata["image/png"] == {"width": 3, "alt": figure_alt(fig)}
    assert shell.display_formatter.format(object())[1] == {"image/png": {"width": 3}}  # not a figure: unchanged
    plt.close("all")


def _png() -> str:
    buf = io.BytesIO()
    fig = _figure()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def test_the_page_describes_every_figure_and_keeps_wide_tables_inside_a_scrolling_box():
    wide = pd.DataFrame({f"a long column name {i}": [i / 7] for i in range(30)})
    png = _png()
    nb = new_notebook(
        cells=[
            new_markdown_cell("# 01 · A page\n\n## Blocking"),
            new_code_cell(
                "fig",
                outputs=[
                    new_output("display_data", data={"image/png": png}, metadata={"image/png": {"alt": "Figure: x"}}),
                    new_output("display_data", data={"image/png": png}),  # shown without the kernel hook
                ],
            ),
            new_code_cell("wide", outputs=[new_output("execute_result", data={"text/html": wide.to_html()})]),
        ]
    )
    before = nbformat.writes(nb)
    page = render_html(nb)
    assert nbformat.writes(nb) == before  # the executed notebook itself is not changed
    assert NBCONVERT_PLACEHOLDER not in page
    assert 'alt="Figure: x"' in page and 'alt="Figure in section Blocking"' in page
    assert page.count('<div aria-label="table (scrolls sideways when wider than the page)"') == 1
    assert ".wb-table { max-width: 100%; overflow-x: auto;" in page
    assert with_alt_text(nb).cells[1].outputs[0].data["text/html"].startswith('<img src="data:image/png;base64,')


def test_every_table_is_wrapped_once():
    page = fit_tables("<html><head></head><body><table><tr><td>1</td></tr></table><table></table></body></html>")
    assert page.count('class="wb-table"') == 2
    assert fit_tables(page).count('class="wb-table"') == 2
