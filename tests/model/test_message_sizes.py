"""Bytes per message kind: the documented table, the constants, and a run's bytes against its messages by kind."""

from __future__ import annotations

import re
from pathlib import Path

from workbench import ModelParams, run_model
from workbench.model import message_sizes as ms

DOC = Path(__file__).resolve().parents[2] / "docs" / "message-sizes.md"
SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)


def test_the_documented_sizes_are_the_constants_and_add_up():
    documented = dict(re.findall(r"^\| `(\w+)` \| (\d+) \|", DOC.read_text(), re.M))
    assert {k: int(v) for k, v in documented.items()} == dict(ms.MESSAGE_BYTES)
    assert ms.ED25519_SIGNATURE == 64 and ms.ED25519_PUBLIC_KEY == 32
    assert ms.CONFIRMATION == ms.DECISION + ms.SIGNATURE
    assert ms.SIGNATURE == 1 + 8 + 4 + 4 + ms.RULE + 64 + 32 and ms.RULE == 25


def test_ledger_bytes_are_its_entries_by_kind_times_their_sizes():
    params = ModelParams.preset(
        "easy", sharing="ledger", ledger_latency_steps=0, zscore_threshold=2.5, min_flagged=2, **SMALL
    )
    r = run_model(params, seed=1, steps=30)
    sigs, votes = r.signatures, len(r.votes)  # latency 0: every vote cast arrives, one entry each
    decided = int((sigs.outcome != "pending").sum())
    per_entry = params.n_nodes - 1
    expected = per_entry * (
        len(sigs) * (ms.LEDGER_HEADER + ms.SIGNATURE)
        + votes * (ms.LEDGER_HEADER + ms.VOTE)
        + decided * (ms.LEDGER_HEADER + ms.DECISION)
    )
    assert len(sigs) > 10 and votes > 0 and decided > 0
    assert int(r.steps.bytes.sum()) == expected
    steps = len(r.steps)
    assert r.summary["bytes_per_node_step"] == expected / (params.n_nodes * steps)
    assert int(r.steps.messages.sum()) == per_entry * (len(sigs) + votes + decided)


def test_central_bytes_are_reports_and_confirmation_broadcasts():
    params = ModelParams.preset("easy", sharing="central", **SMALL)
    r = run_model(params, seed=2, steps=30)
    sigs = r.signatures
    reports = int((sigs.origin >= 0).sum())  # every signature but none filed by an honest aggregator
    confirmed = int((sigs.outcome == "confirmed").sum())
    assert reports > 5 and confirmed > 0
    assert int(r.steps.bytes.sum()) == reports * ms.SIGNATURE + confirmed * params.n_nodes * ms.CONFIRMATION


def test_gossip_bytes_lie_between_its_smallest_and_largest_message():
    r = run_model(ModelParams.preset("realistic", **SMALL), seed=3, steps=30)
    messages, total = int(r.steps.messages.sum()), int(r.steps.bytes.sum())
    smallest, largest = min(ms.MESSAGE_BYTES.values()), ms.CONFIRMATION
    assert messages > 0 and smallest * messages <= total <= largest * messages
    assert ((r.steps.bytes > 0) == (r.steps.messages > 0)).all()
