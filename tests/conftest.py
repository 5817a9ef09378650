"""Shared fixtures. ``ray_session``: one Ray instance for the whole test session (starting Ray
takes 8-15 s and ~0.8 GB), shut down at the end if this fixture started it."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("MPLBACKEND", "Agg")


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
    ray.init(address=address, **options)
    try:
        yield ray
    finally:
        ray.shutdown()
