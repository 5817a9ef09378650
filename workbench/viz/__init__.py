"""The interactive and static views of a model: a SolaraViz page and matplotlib figures.

Top layer: imports the model layer, never the other way round. ``make_page`` (in ``workbench.viz.page``)
builds the page and is imported lazily, so static figures need no Solara; ``workbench.viz.app``
holds the module-level ``page`` for ``solara run``.
"""

from workbench.viz.layout import compute_layout, layout_seed, node_layout
from workbench.viz.static import (
    draw_dashboard,
    draw_flows,
    draw_forged_reach,
    draw_network,
    draw_protection,
    state_counts,
)
from workbench.viz.style import STATE_COLORS, agent_portrayal, node_size

__all__ = [
    "STATE_COLORS",
    "agent_portrayal",
    "compute_layout",
    "draw_dashboard",
    "draw_flows",
    "draw_forged_reach",
    "draw_network",
    "draw_protection",
    "layout_seed",
    "make_page",
    "node_layout",
    "node_size",
    "page_model",
    "state_counts",
]


def __getattr__(name: str):
    if name in ("make_page", "make_model", "page_model"):
        from workbench.viz import page

        return getattr(page, name)
    raise AttributeError(f"module 'workbench.viz' has no attribute {name!r}")
