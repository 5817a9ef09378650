"""Notebook 00's page inline in JupyterLab, in a real browser: JupyterLab on a free loopback port
with a token, Debian's chromium driven by Playwright. Runs the notebook's cells, then checks that
Step and Reset and a slider with its value show beside the figures without opening any menu, and
that Step advances the page's model. JupyterLab serves a copy of the notebook in a temporary folder, so
its autosave never writes into the repository's ``notebooks/``. Saves ``test-artifacts/viz-jupyterlab.png``."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.viz.test_page_in_browser import ARTIFACTS, CHROMIUM_ARGS, ROOT, _free_port, chromium  # noqa: F401

START_TIMEOUT_S = 120
RUN_TIMEOUT_MS = 300_000
STEP_TIMEOUT_MS = 60_000

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):  # noqa: F811
    """``jupyter lab`` on loopback with a random token; yields the notebook's URL."""
    ARTIFACTS.mkdir(exist_ok=True)
    port, token = _free_port(), secrets.token_hex(16)
    served = tmp_path_factory.mktemp("lab-root")
    (served / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "00_explore.ipynb", served / "notebooks" / "00_explore.ipynb")
    env = dict(os.environ)
    env.update(
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
        JUPYTER_CONFIG_DIR=str(tmp_path_factory.mktemp("jupyter-config")),
        MPLBACKEND="Agg",
    )
    log_path = ARTIFACTS / "jupyterlab.log"
    log = log_path.open("w")
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={served}",
        "--LabApp.news_url=",
        "--LabServerApp.announcements_url=",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI run as root
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, cwd=served, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab not ready after {START_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(1)
        yield f"{base}/lab/tree/notebooks/00_explore.ipynb?token={token}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


def test_notebook_00_shows_step_reset_and_slider_values_inline(chromium, lab):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        try:
            page.goto(lab)
            page.wait_for_selector(".jp-Notebook", timeout=RUN_TIMEOUT_MS)
            select = page.get_by_role("button", name="Select", exact=True)
            try:  # JupyterLab asks which kernel to start when the notebook's is not its default
                select.wait_for(state="visible", timeout=15_000)
                select.click()
            except Exception:
                pass
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=RUN_TIMEOUT_MS)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()
            counter = page.locator(".wb-step-counter").first
            counter.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
            view = page.locator(".wb-page").first
            view.scroll_into_view_if_needed()
            # Step and Reset visible without opening a menu ...
            step = view.get_by_role("button", name="Step")
            reset = view.get_by_role("button", name="Reset")
            assert step.is_visible() and reset.is_visible()
            # ... and a slider whose label shows its value (notebook 00 starts at 80 nodes).
            nodes = view.get_by_text(re.compile(r"^Nodes: \d+$"))
            nodes.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            assert nodes.inner_text().strip() == "Nodes: 80"
            start = int(counter.inner_text().split()[-1])
            step.click()
            page.wait_for_function(
                "k => document.querySelector('.wb-step-counter').innerText.trim() === 'Step ' + k",
                arg=start + 1,
                timeout=STEP_TIMEOUT_MS,
            )
            view.screenshot(path=str(ARTIFACTS / "viz-jupyterlab.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "viz-jupyterlab-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
