"""Shared fixtures. ``ray_session``: one Ray instance for the whole test session (starting Ray
takes 8-15 s and ~0.8 GB), shut down at the end if this fixture started it; its workers find the
test stand-ins of ``tests/sweep_runners.py`` through ``runtime_env``."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pytest

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("MPLBACKEND", "Agg")
# Ray gives the raylet and its agents 30 s to come up; a shared 2-core machine under load can
# need longer.
os.environ.setdefault("RAY_raylet_start_wait_time_s", "60")
os.environ.setdefault("RAY_agent_register_timeout_ms", "120000")
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


def _child_pids() -> set[int]:
    """Direct children of this process (from /proc)."""
    me, children = os.getpid(), set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            children.add(int(stat.parent.name))
    return children


@pytest.fixture(scope="session")
def ray_session():
    """The ``ray`` module with a session initialised: ``$RAY_ADDRESS`` if set, else a local
    instance (dashboard off, 2 CPUs). A session that already exists is reused and left alone."""
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        yield ray
        return
    address = os.environ.get("RAY_ADDRESS") or None
    # Ray workers import the stand-in runners by name: give them tests/ on their path
    options = {"log_to_driver": False, "runtime_env": {"env_vars": {"PYTHONPATH": TEST_PYTHONPATH}}}
    if address is None:
        options.update(include_dashboard=False, num_cpus=2)
    for attempt in range(2):
        before = _child_pids()
        try:
            ray.init(address=address, **options)
            break
        except Exception as exc:
            ray.shutdown()
            for pid in _child_pids() - before:  # what the failed start left running (ours only)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if attempt == 1:
                if RAY_START_FAILED in str(exc):
                    skip_or_fail_ray_start(exc)
                raise
    try:
        yield ray
    finally:
        ray.shutdown()
