"""A researcher's own components, from a module outside the package, swept on every backend.

Every kind of component is named by import path into ``tests/user_components.py`` at once (a detector, a
channel, a consensus rule, an adversary and an outcome), so that the three backends each
have to import that module in their workers and must still give identical frames."""

from __future__ import annotations

import pandas as pd
import pytest
from ray_support import frames_on_every_backend

from workbench.experiments import Sweep, load

pytestmark = pytest.mark.ray

USER = "user_components"


def user_component_sweep() -> Sweep:
    return Sweep(
        base={
            "n_nodes": 16,
            "flows_per_node": 20,
            "n_campaigns": 1,
            "campaign_interval_steps": 2,
            "eval_window_steps": 19,
            "malicious_fraction": 0.25,
            "detector": f"{USER}:Mahalanobis",
            "malicious_behavior": f"{USER}:PatientColluders",
            "outcomes": (f"{USER}:protected_within_10",),
        },
        factors={
            "sharing": ["gossip", f"{USER}:TrustedGossip"],
            "consensus": ["majority", f"{USER}:unanimous"],
        },
        replicates=2,
        steps=25,
        seed=11,
        keep=["steps"],
    )


def test_user_components_give_identical_frames_on_local_processes_and_ray(tmp_path, ray_session):
    sweep = user_component_sweep()
    frames = frames_on_every_backend(sweep, tmp_path)
    local = frames["local"]
    assert len(local) == 8 and (local.status == "ok").all(), local.error.dropna().tolist()
    assert "protected_within_10_frac" in local.columns  # the user's outcome joined the results
    assert set(local.sharing) == {"gossip", f"{USER}:TrustedGossip"}
    # the user's components decided something: the trusted channel and the unanimous rule change results
    decided = local.groupby(["sharing", "consensus"])[["signatures_confirmed", "signatures_rejected"]].sum()
    assert len(decided.drop_duplicates()) > 1, decided
    for backend in ("processes", "ray"):
        pd.testing.assert_frame_equal(frames[backend], local)
        pd.testing.assert_frame_equal(load(tmp_path / backend), local)
