"""How long one Step of the interactive page takes on the server, without a browser, and where it goes.

Renders the SolaraViz page in-process (Solara's test renderer), presses Step a few times at each
network size and prints the median wall and CPU time per Step, then the CPU time per Step of its
parts: the model step, building the figures, encoding them (``savefig``: draw + PNG) and the rest
(Solara/reacton render passes and widget updates; SolaraViz runs one render pass per component that
follows the step counter). The browser test (tests/viz/test_page_in_browser.py) measures the same Step end
to end in chromium, which adds transport and the browser's own work.

    .venv/bin/python benchmarks/bench_viz.py [n_nodes ...]

CPU times are process CPU (``time.process_time``): on a shared machine they stay meaningful when
wall times do not; the load average is printed next to them.
"""

from __future__ import annotations

import collections
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

os.environ.setdefault("MPLBACKEND", "Agg")

import ipyvuetify as v
import reacton.core
import solara
from matplotlib.figure import Figure
from mesa.visualization import solara_viz
from mesa.visualization.components import matplotlib_components

from workbench import ModelParams
from workbench.viz import components
from workbench.viz.page import make_page, page_model

WARM_STEPS = 12  # past the detectors' warm-up, so campaigns, signatures and plots have content
TIMED_STEPS = 5


class Parts:
    """CPU seconds spent in wrapped functions, by label (nested labels are not subtracted)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = collections.defaultdict(float)
        self.calls: dict[str, int] = collections.defaultdict(int)

    def wrap(self, label: str, f: Callable) -> Callable:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.process_time()
            try:
                return f(*args, **kwargs)
            finally:
                self.cpu[label] += time.process_time() - t0
                self.calls[label] += 1

        return timed

    def clear(self) -> None:
        self.cpu.clear()
        self.calls.clear()


@contextlib.contextmanager
def instrumented(parts: Parts) -> Iterator[None]:
    """Wrap the pieces of a Step with CPU timers; undone on exit."""
    patches: list[tuple[Any, str, Any]] = []

    def patch(obj: Any, name: str, label: str) -> None:
        original = getattr(obj, name)
        patches.append((obj, name, original))
        setattr(obj, name, parts.wrap(label, original))

    patch(matplotlib_components.PlotMatplotlib, "f", "build: Mesa line plots (new figure each)")
    patch(components.ProtectionPlot, "f", "build: protection plot (update in place)")
    patch(solara_viz.SpaceRendererComponent, "f", "build: network (structure + agents)")
    patch(Figure, "savefig", "savefig: line plots (draw + PNG)")
    patch(reacton.core._RenderContext, "render", "render passes (count)")
    try:
        yield
    finally:
        for obj, name, original in reversed(patches):
            setattr(obj, name, original)


def step_costs(n_nodes: int, seed: int = 42) -> tuple[list[float], list[float], Parts]:
    page = make_page(ModelParams(n_nodes=n_nodes), seed=seed)
    model = page_model(page)
    for _ in range(WARM_STEPS):
        model.step()
    parts = Parts()
    # Mesa binds a model's step on the instance; the renderer's figure has its own savefig
    model.step = parts.wrap("model.step", model.step)
    # The page builds the network's renderer when it first renders; its figure's savefig is bound then.
    renderer_savefig = components.NetworkRenderer._savefig
    components.NetworkRenderer._savefig = parts.wrap(  # type: ignore[method-assign]
        "savefig: network (agents over static layer + PNG)", renderer_savefig
    )
    _, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
    try:
        button = rc.find(v.Btn, children=["Step"]).widget
        button.click()  # the first Step after the first render creates the figures
        walls, cpus = [], []
        with instrumented(parts):
            parts.clear()
            for _ in range(TIMED_STEPS):
                t0, c0 = time.perf_counter(), time.process_time()
                button.click()
                walls.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)
        return walls, cpus, parts
    finally:
        components.NetworkRenderer._savefig = renderer_savefig  # type: ignore[method-assign]
        rc.close()


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [50, 200]
    print(
        f"{'n_nodes':>8} {'median_step_s':>14} {'max_step_s':>11} {'cpu_step_s':>11}  "
        f"(server-side render, {TIMED_STEPS} steps; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs)"
    )
    for n in sizes:
        walls, cpus, parts = step_costs(n)
        print(f"{n:>8} {statistics.median(walls):>14.3f} {max(walls):>11.3f} {statistics.median(cpus):>11.3f}")
        total = sum(cpus) / TIMED_STEPS
        passes = parts.calls.pop("render passes (count)", 0) / TIMED_STEPS
        parts.cpu.pop("render passes (count)", None)
        for label in sorted(parts.cpu, key=parts.cpu.get, reverse=True):
            print(
                f"{'':>8}   {label:<52} {parts.cpu[label] / TIMED_STEPS * 1000:7.1f} ms CPU "
                f"({parts.calls[label] / TIMED_STEPS:.0f}x)"
            )
        rest = total - sum(parts.cpu.values()) / TIMED_STEPS
        print(
            f"{'':>8}   {'rest: Solara render passes, widget updates':<52} {rest * 1000:7.1f} ms CPU "
            f"({passes:.0f} passes)"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
