"""Alternative text for matplotlib figures, written from what the figure itself says.

:func:`figure_alt` reads a figure's suptitle and, per panel, its title, axis labels and legend entries
(``"Local detection: recall, precision against step; right axis false-positive rate"``), so a figure
that is labelled for sighted readers is described for the others without a word typed twice.

:func:`install` makes an IPython kernel attach that text to every figure it displays, as the
``alt`` metadata of the ``image/png`` output (``python -m workbench report`` installs it in the
report's kernel; :func:`workbench.report.figure_alt_html` turns it into the ``<img alt>`` of the HTML
report). Matplotlib's own inline backend re-registers its formatters whenever ``%matplotlib inline``
runs, so the hook wraps the shell's display formatter instead of a type's formatter.
"""

from __future__ import annotations

from typing import Any

ALT_MAX_CHARS = 400


def _text(artist: Any) -> str:
    return " ".join(str(artist.get_text()).split()) if artist is not None else ""


def _panel(ax: Any) -> str:
    """One panel: ``title: y-label against x-label (legend entries)``; empty for an empty panel."""
    title = next((t for t in (ax.get_title(loc) for loc in ("center", "left", "right")) if t.strip()), "")
    title = " ".join(title.split())
    ylabel, xlabel = " ".join(ax.get_ylabel().split()), " ".join(ax.get_xlabel().split())
    legend = ax.get_legend()
    entries = [_text(t) for t in legend.get_texts()] if legend is not None else []
    body = ylabel
    if xlabel:
        body = f"{body} against {xlabel}" if body else f"against {xlabel}"
    if entries:
        body = f"{body} ({', '.join(e for e in entries if e)})" if body else ", ".join(entries)
    if not (title or body):
        return ""
    return f"{title}: {body}" if title and body else title or body


def figure_alt(fig: Any) -> str:
    """A figure's alternative text from its own labels: the suptitle, then each panel (see :func:`_panel`);
    panels with the same text once; at most :data:`ALT_MAX_CHARS` characters. ``"Figure"`` when the figure
    has no text at all."""
    suptitle = _text(getattr(fig, "_suptitle", None))
    panels: list[str] = []
    for ax in fig.axes:
        if not ax.get_visible() or not ax.has_data():
            continue
        text = _panel(ax)
        if text and text not in panels:
            panels.append(text)
    label = "Figure" + (f": {suptitle}" if suptitle else "")
    if panels:
        label += (". " if suptitle else ": ") + "; ".join(panels)
    if len(label) > ALT_MAX_CHARS:
        label = label[: ALT_MAX_CHARS - 1].rstrip() + "…"
    return label


def install(shell: Any = None) -> bool:
    """Attach :func:`figure_alt` as ``alt`` metadata to every matplotlib figure ``shell`` (the running IPython
    shell by default) displays; idempotent; ``False`` when there is no IPython shell."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with the kernel
            return False
        shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter
    if getattr(formatter, "_workbench_alt", False):
        return True
    original = formatter.format

    def format_with_alt(obj: Any, include: Any = None, exclude: Any = None) -> Any:
        data, metadata = original(obj, include=include, exclude=exclude)
        if "image/png" in data and type(obj).__module__.startswith("matplotlib"):
            try:
                alt = figure_alt(obj)
            except Exception:  # a description must never break a figure
                return data, metadata
            metadata = dict(metadata or {})
            metadata["image/png"] = {**metadata.get("image/png", {}), "alt": alt}
        return data, metadata

    formatter.format = format_with_alt
    formatter._workbench_alt = True
    return True
