"""Blocking (phase 5b) against a rule-by-rule reference, on random signature tables and traffic."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.flows import Flows
from workbench.model.phases import blocking
from workbench.model.phases.blocking import blocked_flows
from workbench.model.signatures import CONFIRMED, PENDING, REJECTED, NewSignature, Rule, SignatureTable, applied

PREFIXES = (7, 9, 300)  # source /16s of the rules; traffic also comes from prefix 5, which no rule names
PORTS = (22, 53, 80, 443)


def _random_table(rng: np.random.Generator, n_nodes: int, n_rules: int) -> SignatureTable:
    """Rules on a few keys (pinned ports and wildcards), each confirmed, pending or rejected, with
    ``knows`` of varying density (none, a few nodes, nearly all) and votes cast of every sign."""
    table = SignatureTable(n_nodes, capacity=4)
    new = []
    for _ in range(n_rules):
        port = int(rng.choice(PORTS))
        wildcard = rng.random() < 0.3
        lb, lp = rng.uniform(2.0, 8.0, 2), rng.uniform(0.0, 4.0, 2)
        rule = Rule(
            prefix=int(rng.choice(PREFIXES)),
            proto=int(rng.choice([6, 17])),
            port_lo=0 if wildcard else port,
            port_hi=65535 if wildcard else port,
            lb_lo=float(lb.min()),
            lb_hi=float(lb.max()),
            lp_lo=float(lp.min()),
            lp_hi=float(lp.max()),
        )
        origin = int(rng.integers(n_nodes))
        new.append(NewSignature(rule, origin=origin, created_step=0, confidence=0.5, threat_type="ddos"))
    table.add(new)
    table.cols.outcome[:n_rules] = rng.choice([PENDING, CONFIRMED, REJECTED], n_rules)
    density = rng.choice([0.0, 0.05, 0.95], n_rules)[:, None]
    table.knows[:n_rules] = rng.random((n_rules, n_nodes)) < density
    table.cast[:n_rules] = rng.choice([-1, 0, 0, 0, 1], (n_rules, n_nodes))
    return table


def _random_flows(rng: np.random.Generator, table: SignatureTable, n_nodes: int, per_node: int) -> Flows:
    """Traffic on the rules' keys and others; a share of the flows sits exactly on a rule's bounds."""
    shape = (n_nodes, per_node)
    prefix = rng.choice([*PREFIXES, 5], shape)
    port = rng.choice([*PORTS, 8080], shape).astype(np.int32)
    # log bytes, packets, duration: strided views of one array, as the traffic generator makes them
    logs = np.stack([rng.uniform(1.0, 9.0, shape), rng.uniform(-0.5, 4.5, shape), np.zeros(shape)], axis=-1)
    edge = rng.random(shape) < 0.2  # copy a random rule's bounds into these flows
    pick = rng.integers(len(table), size=int(edge.sum()))
    logs[edge, 0] = np.where(rng.random(pick.size) < 0.5, table.view.lb_lo[pick], table.view.lb_hi[pick])
    logs[edge, 1] = np.where(rng.random(pick.size) < 0.5, table.view.lp_lo[pick], table.view.lp_hi[pick])
    return Flows(
        src_ip=(prefix.astype(np.uint32) << np.uint32(16)) + rng.integers(0, 2**16, shape).astype(np.uint32),
        dst_port=port,
        proto=rng.choice([6, 17], shape).astype(np.uint8),
        log_bytes=logs[..., 0],
        log_packets=logs[..., 1],
        log_duration=logs[..., 2],
        label=np.zeros(shape, np.int16),
    )


def _reference_applies(table: SignatureTable, row: int, node: int, local_first: bool) -> bool:
    """The blocklist rule, literally: a node applies a confirmed signature it knows of and, with
    ``local_first``, one not rejected that it proposed or approved."""
    outcome = table.cols.outcome[row]
    if outcome == CONFIRMED and table.knows[row, node]:
        return True
    own = table.cast[row, node] > 0 or node == table.cols.origin[row]
    return bool(local_first and outcome != REJECTED and own)


def _reference_blocked(table: SignatureTable, flows: Flows, local_first: bool) -> np.ndarray:
    """Rule by rule and node by node: a flow is blocked when a rule its node applies has its key and matches it."""
    out = np.zeros(flows.label.shape, bool)
    for i in range(len(table)):
        rule = table.rule(i)
        matches = (flows.key == rule.key) & rule.matches(flows.dst_port, flows.log_bytes, flows.log_packets)
        for node in range(table.n_nodes):
            if _reference_applies(table, i, node, local_first):
                out[node] |= matches[node]
    return out


@pytest.mark.parametrize("local_first", [False, True])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    "budget, dense",
    [
        (None, None),
        (40, None),  # a few rows per chunk, small batches of (rule, flow) pairs and of the rules x flows test
        (None, 0.0),  # every chunk tested rules x flows
        (40, 0.0),
        (None, 1.0),  # every chunk tested pair by applying pair
    ],
)
def test_blocked_flows_equal_the_rule_by_rule_reference(seed, local_first, budget, dense, monkeypatch):
    if budget is not None:
        monkeypatch.setattr(blocking, "_BUDGET", budget)
    if dense is not None:
        monkeypatch.setattr(blocking, "_DENSE", dense)
    rng = np.random.default_rng(seed)
    n_nodes = 30
    table = _random_table(rng, n_nodes, n_rules=60)
    flows = _random_flows(rng, table, n_nodes, per_node=40)
    expected = _reference_blocked(table, flows, local_first)
    assert 0 < expected.sum() < expected.size  # the case is not trivial
    got = blocked_flows(table, flows, local_first)
    assert got.shape == expected.shape and got.dtype == bool
    np.testing.assert_array_equal(got, expected)


def test_blocked_flows_with_no_usable_rule_block_nothing():
    rng = np.random.default_rng(0)
    table = _random_table(rng, 10, n_rules=8)
    flows = _random_flows(rng, table, 10, per_node=5)
    assert not blocked_flows(SignatureTable(10), flows).any()
    table.cols.outcome[: len(table)] = PENDING  # pending rules are applied only with local_first
    assert not blocked_flows(table, flows, local_first=False).any()


@pytest.mark.parametrize("local_first", [False, True])
def test_applied_follows_the_blocklist_rule(local_first):
    rng = np.random.default_rng(1)
    table = _random_table(rng, 25, n_rules=40)
    rows = rng.permutation(len(table))[:30]
    expected = [[_reference_applies(table, r, n, local_first) for n in range(25)] for r in rows]
    np.testing.assert_array_equal(applied(table, rows, local_first), np.array(expected))
