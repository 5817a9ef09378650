"""Shared fixtures. ``ray_session``: one Ray instance for the whole test session (starting Ray
takes 8-15 s and ~0.8 GB), shut down at the end if this fixture started it."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("MPLBACKEND", "Agg")
# Ray gives the raylet 30 s to register; a shared 2-core machine under load can need longer.
os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")


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
    for attempt in range(3):  # a loaded machine can make the raylet miss Ray's 30 s start-up deadline
        try:
            ray.init(address=address, **options)
            break
        except Exception:  # noqa: BLE001 - Ray raises a bare Exception on that timeout
            ray.shutdown()
            if attempt == 2:
                raise
    try:
        yield ray
    finally:
        ray.shutdown()
