"""What Ray tests share besides the ``ray_session`` fixture (``tests/conftest.py``): where worker
processes find this checkout and the test stand-ins, and how a Ray node that cannot start is reported.

A module of its own so that test files import it by name (``tests/`` is on ``sys.path``), instead of
importing ``conftest`` a second time under another name."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# On a saturated machine a local Ray node can fail to start at all: the raylet aborts when the
# dashboard agent takes longer than a hard-coded deadline to write its port file
# (ray-project/ray#65983). Ray tests then skip with that reason, unless this is set to 1.
RAY_REQUIRED = os.environ.get("WORKBENCH_RAY_REQUIRED") == "1"
RAY_START_FAILED = "The current node timed out during startup"
TESTS = Path(__file__).resolve().parent
# Where worker processes find the test stand-ins (tests/sweep_runners.py) and this checkout's package.
TEST_PYTHONPATH = os.pathsep.join([str(TESTS), str(TESTS.parent)])


def skip_or_fail_ray_start(error: BaseException | str) -> None:
    """Skip (or, with WORKBENCH_RAY_REQUIRED=1, fail) a test whose local Ray node did not start."""
    message = f"a local Ray node could not start on this machine (ray-project/ray#65983 under load): {error}"
    if RAY_REQUIRED:
        pytest.fail(message)
    pytest.skip(message)


def frames_on_every_backend(sweep: Any, store: Path) -> dict[str, Any]:
    """``sweep``'s result frame on ``local``, ``processes`` (2 workers) and ``ray``, each with its own store
    under ``store`` (the Ray session must be up: the ``ray_session`` fixture)."""
    return {
        backend: sweep.run(
            backend=backend,
            store=store / backend,
            quiet=True,
            **({"max_workers": 2} if backend == "processes" else {}),
        )
        for backend in ("local", "processes", "ray")
    }
