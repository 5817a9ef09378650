"""Shared fixtures. ``ray_session``: one Ray instance for the whole test session (starting Ray
takes 8-15 s and ~0.8 GB), shut down at the end if this fixture started it; its workers find the
test stand-ins of ``tests/sweep_runners.py`` through ``runtime_env``."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pytest
from ray_support import RAY_START_FAILED, TEST_PYTHONPATH, skip_or_fail_ray_start

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("MPLBACKEND", "Agg")
# Ray gives the raylet and its agents 30 s to come up; a shared 2-core machine under load can
# need longer.
os.environ.setdefault("RAY_raylet_start_wait_time_s", "60")
os.environ.setdefault("RAY_agent_register_timeout_ms", "120000")


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that uses ``ray_session`` is a ``ray`` test whether or not it says so, so that the fast
    tier (``make test-fast``: ``-m "not slow and not ray and not browser"``) never starts Ray."""
    for item in items:
        if "ray_session" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.ray)
