"""Shared fixtures. ``ray_session``: one Ray instance for the whole test session (starting Ray
takes 8-15 s and ~0.8 GB), shut down at the end if this fixture started it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("MPLBACKEND", "Agg")
# Ray gives the raylet and its agents 30 s to come up; a shared 2-core machine under load can
# need longer.
os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")
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
    options = {"log_to_driver": False}
    if address is None:
        options.update(include_dashboard=False, num_cpus=2)
    for attempt in range(2):
        before = _child_pids()
        try:
            ray.init(address=address, **options)
            break
        except Exception:  # noqa: BLE001 - Ray raises a bare Exception when start-up times out
            ray.shutdown()
            for pid in _child_pids() - before:  # what the failed start left running (ours only)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if attempt == 1:
                raise
    try:
        yield ray
    finally:
        ray.shutdown()
