"""Sybil identities (issue 19): a malicious node's extra identities vote in channels without admission control
and are refused by a membership list, which costs its certificates' messages."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import ModelParams, run_model
from workbench.model import message_sizes
from workbench.model.channels.base import Channel, VotingChannel, channel_of

SMALL = dict(n_nodes=30, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)
SEEDS = (1, 2, 3, 4, 5)
ATTACK = dict(malicious_fraction=0.1, malicious_behavior="collude", forge_prob=0.3)


def _run(seed: int, **params):
    return run_model(ModelParams.preset("realistic", **SMALL, **ATTACK, **params), seed=seed, steps=40)


def _means(sharing: str, **params) -> pd.Series:
    """The summary's mean over :data:`SEEDS`."""
    return pd.DataFrame([_run(seed, sharing=sharing, **params).summary for seed in SEEDS]).mean()


@pytest.mark.parametrize(("sharing", "margin"), [("gossip", 0.1), ("ledger", 0.02)])
def test_sybils_carry_forgeries_without_admission_control_and_not_with_it(sharing, margin):
    alone_all, sybils_all = _means(sharing), _means(sharing, sybil_identities=5)
    refused_all = _means(sharing, sybil_identities=5, admission_control="membership")
    for name in ("forged_reach_frac", "forged_benign_blocked_frac"):
        alone, sybils, refused = alone_all[name], sybils_all[name], refused_all[name]
        scale = margin if name == "forged_reach_frac" else margin / 10  # harm is a share of all benign flows
        assert sybils > alone + scale, (name, alone, sybils)
        assert refused == pytest.approx(alone, abs=1e-12), (name, alone, refused)


def test_a_membership_list_refuses_every_extra_identity_and_costs_its_certificates():
    n = SMALL["n_nodes"]
    for seed in SEEDS[:3]:
        plain = _run(seed, sharing="gossip")
        listed = _run(seed, sharing="gossip", sybil_identities=20, admission_control="membership")
        for frame in ("signatures", "campaigns", "votes"):
            pd.testing.assert_frame_equal(getattr(plain, frame), getattr(listed, frame))
        extra = listed.steps.set_index("step").messages - plain.steps.set_index("step").messages
        assert extra.loc[1] == n * (n - 1) and (extra.drop(1) == 0).all()
        assert (listed.summary["bytes_per_node_step"] - plain.summary["bytes_per_node_step"]) * n * 40 == (
            pytest.approx(n * (n - 1) * message_sizes.MEMBERSHIP)
        )


def test_channels_declare_whether_they_admit_identities_and_those_that_do_not_ignore_sybils():
    open_, listed = ModelParams(), ModelParams(admission_control="membership")
    for sharing in ("gossip", "ledger"):
        channel = channel_of(ModelParams(sharing=sharing))
        assert isinstance(channel, VotingChannel)
        assert channel.admits_identities(open_) and not channel.admits_identities(listed)
    for sharing in ("central", "none"):
        assert not channel_of(ModelParams(sharing=sharing)).admits_identities(open_)
        plain, sybils = _run(1, sharing=sharing), _run(1, sharing=sharing, sybil_identities=10)
        pd.testing.assert_series_equal(pd.Series(plain.summary), pd.Series(sybils.summary))  # NaN == NaN here
    assert not Channel().admits_identities(open_)


def test_sybil_votes_count_toward_the_tally_and_turnout():
    # with colluders alone short of a majority, their identities' votes decide the forgeries they hold
    confirmed = {k: 0 for k in (0, 10)}
    for seed in SEEDS[:3]:
        for k in confirmed:
            s = _run(seed, sharing="ledger", sybil_identities=k).signatures
            confirmed[k] += int((s.forged & (s.outcome == "confirmed")).sum())
    assert confirmed[10] > confirmed[0] + 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sybil_identities", -1, r"sybil_identities=-1 is out of range; expected an integer with 0 <= x <= 1000"),
        ("sybil_identities", 1001, r"sybil_identities=1001 is out of range; expected an integer with 0 <= x <= 1000"),
        ("sybil_identities", 1.5, r"sybil_identities=1.5 is not a whole number; expected an integer with 0 <= x"),
        ("sybil_identities", "3", r"sybil_identities='3' has the wrong type \(str\)"),
        ("admission_control", "member", r"admission_control='member' is not allowed; .*'none', 'membership'"),
    ],
)
def test_bad_values_are_refused_naming_field_value_and_range(field, value, message):
    with pytest.raises(ValueError, match=message):
        ModelParams(**{field: value})
