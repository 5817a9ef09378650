"""Runs that cover their windows: a sweep whose ``steps`` would cut a campaign's evaluation window is refused
(``allow_partial_windows=False``) naming ``steps``, the campaigns' last start and ``eval_window_steps``, warned
about by default, and runs silently when the spec allows partial windows."""

from __future__ import annotations

import warnings

import pytest

from workbench import ModelParams
from workbench.experiments.spec import PartialWindowWarning, Sweep

BASE = dict(n_nodes=20, warmup_steps=5, n_campaigns=3, campaign_interval_steps=10, eval_window_steps=30)
# the last campaign starts at 5 + 1 + 2 * 10 = 26; its window ends at step 26 + 30 - 1 = 55


def test_steps_covering_windows_is_the_last_start_plus_the_window():
    params = ModelParams(**BASE)
    assert params.last_campaign_start == 26 and params.steps_covering_windows == 55
    assert ModelParams(**{**BASE, "n_campaigns": 0}).steps_covering_windows is None


def test_a_sweep_that_would_cut_windows_is_refused_naming_the_fields():
    with pytest.raises(ValueError, match=r"steps=54 .*starts at step 26 .*eval_window_steps=30 .*steps=55"):
        Sweep(BASE, {"sharing": ["none", "gossip"]}, steps=54, allow_partial_windows=False)
    # a factor that moves the last start is checked at each design point
    with pytest.raises(ValueError, match=r"design point 1 \{'campaign_interval_steps': 12\}.*steps=59"):
        Sweep(BASE, {"campaign_interval_steps": [10, 12]}, steps=55, allow_partial_windows=False)


def test_a_sweep_covering_its_windows_or_allowing_partial_ones_runs_without_a_word():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Sweep(BASE, {"sharing": ["none", "gossip"]}, steps=55, allow_partial_windows=False)
        partial = Sweep(BASE, {"sharing": ["none", "gossip"]}, steps=20, allow_partial_windows=True)
    assert Sweep.from_dict(partial.to_dict()).allow_partial_windows is True
    # the default does not change the spec's hash (older stores keep their names)
    assert "allow_partial_windows" not in Sweep(BASE, steps=55).to_dict()


def test_by_default_a_cut_window_is_warned_about_once():
    with pytest.warns(PartialWindowWarning, match=r"steps=20 would cut") as caught:
        Sweep(BASE, {"sharing": ["none", "central", "gossip"]}, steps=20)
    assert len([w for w in caught if issubclass(w.category, PartialWindowWarning)]) == 1
