"""Standalone entry point, offline and bound to loopback::

    python -m solara run workbench/viz/app.py --host 127.0.0.1 --production --no-check-version

``Page`` is the component Solara serves. Each browser session renders it afresh and gets a model
of its own, opening at step 0. ``WORKBENCH_VIZ_<FIELD>`` environment variables
(``WORKBENCH_VIZ_N_NODES=200``, ``WORKBENCH_VIZ_RNG=7``, ...) set its initial controls.
"""

import warnings

import solara

from workbench.viz.page import ExplorePage, page_start

# Served over plain http on 127.0.0.1, Solara falls back to a samesite=lax session cookie (right for
# a page that is never embedded in a cross-site iframe) and says so in 8 lines on every page load.
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)


@solara.component
def Page():
    """One visitor's page: a model of its own, built on the session's first render."""
    start = solara.use_memo(page_start, [])
    ExplorePage(start=start)
