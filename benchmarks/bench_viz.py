"""How long one Step of the interactive page takes on the server, without a browser.

Renders the SolaraViz page in-process (Solara's test renderer), presses Step a few times at each
network size and prints the median wall time per Step: the model step plus re-drawing the network
and the three plots. The browser test (tests/test_viz_browser.py) measures the same Step end to end
in chromium, which adds transport and the browser's own work.

    .venv/bin/python benchmarks/bench_viz.py [n_nodes ...]
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import ipyvuetify as v  # noqa: E402
import solara  # noqa: E402

from workbench import ModelParams  # noqa: E402
from workbench.viz.page import make_page, page_model  # noqa: E402

WARM_STEPS = 12  # past the detectors' warm-up, so campaigns, signatures and plots have content
TIMED_STEPS = 5


def step_latency(n_nodes: int, seed: int = 42) -> list[float]:
    page = make_page(ModelParams(n_nodes=n_nodes), seed=seed)
    model = page_model(page)
    for _ in range(WARM_STEPS):
        model.step()
    _, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
    try:
        button = rc.find(v.Btn, children=["Step"]).widget
        times = []
        for _ in range(TIMED_STEPS):
            t0 = time.perf_counter()
            button.click()
            times.append(time.perf_counter() - t0)
        return times
    finally:
        rc.close()


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [50, 200]
    print(f"{'n_nodes':>8} {'median_step_s':>14} {'max_step_s':>11}  (server-side render, {TIMED_STEPS} steps)")
    for n in sizes:
        times = step_latency(n)
        print(f"{n:>8} {statistics.median(times):>14.3f} {max(times):>11.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
