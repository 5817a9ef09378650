"""Phase 6: flagged flows become signatures (plus forgeries by malicious nodes) and enter the ledger."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

import numpy as np

from workbench.flows import Flows
from workbench.model.adversaries.base import adversary_of
from workbench.model.channels.base import channel_of
from workbench.model.flagged_window import FlaggedWindow, step_flows
from workbench.model.signatures import (
    CONFIRMED,
    COVERAGE_GENUINE,
    PENDING,
    FlaggedGroup,
    NewSignature,
    Rule,
    campaign_coverage,
    flagged_group_arrays,
    forged_rule,
)
from workbench.model.state import LedgerRecord, ModelState, StepCounts, StepOutput
from workbench.model.traffic import TCP, UDP


class ForgeryTargets(Protocol):
    """Where a forger aims a fake rule: popular services (the traffic source's, synthetic or trace)."""

    service_prefix: np.ndarray
    service_port: np.ndarray
    service_proto: np.ndarray
    service_weight: np.ndarray


def propose(
    state: ModelState, t: int, flows: Flows, flagged: np.ndarray, traffic: ForgeryTargets, rng: np.random.Generator
) -> StepOutput:
    """Turn the flagged flows up to step ``t``, and forgeries, into new signatures and share them.

    A node proposes a rule per key with at least ``min_flagged`` flagged flows over its last
    ``proposal_window_steps`` steps (``state.flagged``, :mod:`workbench.model.flagged_window`; a group's
    flows are used up once counted, whether they make a new rule or not), unless it already holds
    a pending or knows a confirmed signature with that key (so after a campaign moves to fresh prefixes
    new rules are proposed for them); forging nodes may add a forgery each; the sharing channel may file
    signatures of its own (:meth:`~workbench.model.channels.base.Channel.extra_proposals`). Each new
    signature is held by its origin and enters the channel
    (:meth:`~workbench.model.channels.base.Channel.on_proposed`). Returns the counts and records (what the
    channel recorded first, e.g. the decisions of isolated nodes, then the ``signature`` records).
    """
    p, s = state.params, state.sigs
    channel = channel_of(p)
    node, col = np.nonzero(flagged)
    keys = flows.key  # computed once: the property derives it from every flow
    state.flagged.push(step_flows(node, col, keys, flows.dst_port, flows.log_bytes, flows.log_packets))
    window = state.flagged.flows()
    groups = flagged_group_arrays(
        window.node, window.key, window.port, window.log_bytes, window.log_packets, p.min_flagged
    )
    new = _detected(groups.take(_not_yet_known(state, groups.origin, groups.key)).groups(), state.flagged, t)
    # every group's flows are used up: they went into a new rule, or the node already has one for the key
    state.flagged.use_up(groups.origin, groups.key)
    forgers = np.flatnonzero(adversary_of(p).forging(state, t) & state.present)
    if t > p.warmup_steps and forgers.size and p.forge_prob > 0:
        new.extend(
            _forgery(int(origin), t, traffic, rng) for origin in forgers[rng.random(forgers.size) < p.forge_prob]
        )
    new.extend(channel.extra_proposals(state, t, rng, lambda origin: _forgery(origin, t, traffic, rng)))
    if not new:
        return StepOutput()
    new = [_with_ground_truth(sig, state) for sig in new]
    idx = s.add(new)
    s.holds.set(idx, s.cols.origin[idx])
    out = StepOutput(StepCounts(signatures_proposed=idx.size)) + channel.on_proposed(state, t, idx)
    return out + StepOutput(entries=tuple(_signature_record(s.sig_ids[i], sig) for i, sig in zip(idx, new)))


def _forgery(origin: int, t: int, traffic: ForgeryTargets, rng: np.random.Generator) -> NewSignature:
    """A forged rule against a popular benign service, labelled as the attack that fits its protocol."""
    svc = int(rng.choice(len(traffic.service_prefix), p=traffic.service_weight))
    rule = forged_rule(
        int(traffic.service_prefix[svc]), int(traffic.service_port[svc]), int(traffic.service_proto[svc])
    )
    return NewSignature(
        rule, origin, t, confidence=1.0, forged=True, threat_type="ddos" if rule.proto == UDP else "exfiltration"
    )


def threat_type(rule: Rule) -> str:
    """What the detecting node makes of its flagged flows, from the rule's shape (sizes in log units)."""
    log_packets = (rule.lp_lo + rule.lp_hi) / 2
    log_bytes = (rule.lb_lo + rule.lb_hi) / 2
    if rule.port_lo != rule.port_hi:
        return "port_scan"
    if rule.proto == UDP and log_packets > 4.5:
        return "ddos"
    if rule.proto == TCP and log_bytes > 11:
        return "exfiltration"
    return "anomalous_traffic"


def _detected(groups: list[FlaggedGroup], window: FlaggedWindow, t: int) -> list[NewSignature]:
    """Signatures from nodes' flagged groups; confidence = flagged share of the origin's flows with the
    rule's key, over the window's steps in which it flagged one."""
    if not groups:
        return []
    origin = np.array([g.origin for g in groups], np.int64)
    key_flows = window.key_flows(origin, np.array([g.rule.key for g in groups], np.int64))
    return [
        NewSignature(g.rule, g.origin, t, confidence=g.n_flows / max(1, int(n)), threat_type=threat_type(g.rule))
        for g, n in zip(groups, key_flows)
    ]


def _with_ground_truth(sig: NewSignature, state: ModelState) -> NewSignature:
    """The campaign the rule covers best, if it covers at least ``COVERAGE_GENUINE`` of its flows with the
    rule's key, that key being one the campaign sends from now (``state.probe_keys``)."""
    cover = campaign_coverage(sig.rule, state.probes, state.probe_keys)
    best = int(np.argmax(cover)) if cover.size else -1
    campaign = best if best >= 0 and cover[best] >= COVERAGE_GENUINE else -1
    return replace(sig, campaign=campaign, coverage=float(cover[best]) if best >= 0 else 0.0)


def _not_yet_known(state: ModelState, origin: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Which groups (``origin[j]``, ``key[j]``) to keep: those whose origin neither holds a pending nor knows
    a confirmed signature with that key (bools)."""
    s = state.sigs
    keep = np.ones(origin.size, bool)
    if origin.size == 0 or len(s) == 0:
        return keep
    keys, outcome = s.view.key, s.view.outcome
    for k in np.unique(key).tolist():  # a loop over the groups' keys; each vectorised over its groups
        same = keys == k
        pend, conf = np.flatnonzero(same & (outcome == PENDING)), np.flatnonzero(same & (outcome == CONFIRMED))
        at = np.flatnonzero(key == k)
        # the nodes holding a pending or knowing a confirmed rule on the key
        keep[at] = ~(s.holds.any_of(pend) | s.knows.any_of(conf))[origin[at]]
    return keep


def _signature_record(sig_id: str, sig: NewSignature) -> LedgerRecord:
    return (
        sig.origin,
        "signature",
        {
            "sig": sig_id,
            "threat_type": sig.threat_type,
            "confidence": round(float(sig.confidence), 6),
            "rule": sig.rule.payload(),
        },
    )
