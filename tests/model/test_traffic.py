"""The traffic generator: the easy setting reproduces the first version exactly; each knob does what it says."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from workbench.flows import prefix_of
from workbench.model import traffic as T
from workbench.model.traffic import (
    DIFFICULTY,
    TrafficGenerator,
    easy_difficulty,
)

# ------------------------------------------------------------------------------------------------
# The first version of the generator (workbench/model/traffic.py at commit 9e860e0), kept verbatim
# in its random draws so that the easy setting can be compared with it draw for draw.
# ------------------------------------------------------------------------------------------------
_TCP, _UDP = 6, 17
_SERVICES = ((443, _TCP), (53, _UDP), (80, _TCP), (123, _UDP), (25, _TCP), (993, _TCP), (22, _TCP), (3478, _UDP))
_PEER_PORTS = np.array([443, 80, 22, 445, 3389, 8080, 5432, 6379], dtype=np.int32)


@dataclass
class _LegacyCampaign:
    index: int
    kind: str
    prefix: int
    start_step: int
    port: int
    proto: int

    def sample(self, rng, n):
        src = (np.uint32(self.prefix) << np.uint32(16)) | rng.integers(1, 65535, n).astype(np.uint32)
        if self.kind == "ddos":
            lp = rng.normal(np.log(400.0), 0.7, n)
            lb = lp + rng.normal(np.log(900.0), 0.2, n)
            ld = rng.normal(np.log(1500.0), 0.5, n)
            port = np.full(n, self.port, np.int32)
        elif self.kind == "port_scan":
            lp = np.log(rng.integers(1, 3, n).astype(float))
            lb = np.log(rng.uniform(40, 120, n))
            ld = rng.normal(np.log(2.0), 0.5, n)
            port = rng.integers(1, 65536, n).astype(np.int32)
        else:
            lb = rng.normal(np.log(3e6), 1.0, n)
            lp = lb - np.log(1200.0) + rng.normal(0, 0.1, n)
            ld = rng.normal(np.log(6e4), 0.6, n)
            port = np.full(n, self.port, np.int32)
        return {
            "src_ip": src,
            "dst_port": port,
            "proto": np.full(n, self.proto, np.int16),
            "log_bytes": lb,
            "log_packets": lp,
            "log_duration": ld,
        }


class _LegacyGenerator:
    def __init__(
        self,
        rng,
        n_nodes,
        flows_per_node,
        n_campaigns,
        first_campaign_step,
        campaign_interval_steps,
        attack_flows_per_node,
    ):
        self.rng = rng
        self.n_nodes, self.flows_per_node = n_nodes, flows_per_node
        self.attack_flows_per_node = attack_flows_per_node
        self.mu = np.stack(
            [rng.normal(8.0, 0.5, n_nodes), rng.normal(2.5, 0.3, n_nodes), rng.normal(5.5, 0.5, n_nodes)], axis=1
        )
        self.sigma = rng.uniform(0.45, 0.7, (n_nodes, 3))
        public = rng.choice(np.arange(11 * 256, 223 * 256), size=len(_SERVICES) + n_campaigns, replace=False)
        self.service_prefix = public[: len(_SERVICES)].astype(np.int64)
        self.service_port = np.array([p for p, _ in _SERVICES], np.int32)
        self.service_proto = np.array([q for _, q in _SERVICES], np.int16)
        weights = 1.0 / np.arange(1, len(_SERVICES) + 1)
        self.service_weight = weights / weights.sum()
        self.peers = np.uint32(10 << 24) | rng.integers(1, 1 << 24, (n_nodes, 20)).astype(np.uint32)
        self.campaigns = []
        for c in range(n_campaigns):
            kind = ("ddos", "port_scan", "exfiltration")[c % 3]
            port, proto = {
                "ddos": (int(rng.choice([53, 123, 1900])), _UDP),
                "port_scan": (0, _TCP),
                "exfiltration": (443, _TCP),
            }[kind]
            self.campaigns.append(
                _LegacyCampaign(
                    c,
                    kind,
                    int(public[len(_SERVICES) + c]),
                    first_campaign_step + c * campaign_interval_steps,
                    port,
                    proto,
                )
            )

    def benign(self):
        rng, n, f = self.rng, self.n_nodes, self.flows_per_node
        logs = self.mu[:, None, :] + self.sigma[:, None, :] * rng.standard_normal((n, f, 3))
        to_service = rng.random((n, f)) < 0.35
        service = rng.choice(len(self.service_prefix), size=(n, f), p=self.service_weight)
        peer = np.take_along_axis(self.peers, rng.integers(0, self.peers.shape[1], (n, f)), axis=1)
        service_ip = (self.service_prefix[service].astype(np.uint32) << np.uint32(16)) | rng.integers(
            1, 65535, (n, f)
        ).astype(np.uint32)
        src = np.where(to_service, service_ip, peer)
        port = np.where(to_service, self.service_port[service], _PEER_PORTS[rng.integers(0, len(_PEER_PORTS), (n, f))])
        proto = np.where(to_service, self.service_proto[service], _TCP).astype(np.int16)
        return T.Flows(
            src, port.astype(np.int32), proto, logs[..., 0], logs[..., 1], logs[..., 2], np.zeros((n, f), np.int16)
        )

    def overlay_attacks(self, flows, targeted):
        a, f = self.attack_flows_per_node, self.flows_per_node
        for camp in self.campaigns:
            nodes = np.flatnonzero(targeted[camp.index])
            if nodes.size == 0:
                continue
            slots = (camp.index * a + np.arange(a)) % f
            rows = np.repeat(nodes, a)
            cols = np.tile(slots, nodes.size)
            for name, values in camp.sample(self.rng, rows.size).items():
                getattr(flows, name)[rows, cols] = values
            flows.label[rows, cols] = camp.index + 1

    def probes(self, n=256):
        return [camp.sample(self.rng, n) for camp in self.campaigns]


_FIELDS = ("src_ip", "dst_port", "proto", "log_bytes", "log_packets", "log_duration", "label")


def _run(make, seed: int, warmup_method: str = "benign", **kwargs):
    """Construct, draw probes, then 3 warm-up and 5 attacked steps; return everything drawn."""
    rng = np.random.default_rng(seed)
    gen = make(rng, 30, 20, 4, 4, 1, 3, **kwargs)
    out = [gen.probes()]
    for t in range(1, 9):
        flows = getattr(gen, warmup_method)() if t <= 3 else gen.benign()
        if t > 3:
            targeted = rng.random((4, 30)) < 0.4
            gen.overlay_attacks(flows, targeted, *([t] if make is TrafficGenerator else []))
        out.append(flows)
    out.append(rng.random(4))  # the stream continues identically after the generator's draws
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("warmup_method", ["benign", "warmup"])
def test_easy_setting_reproduces_the_first_version_draw_for_draw(seed, warmup_method):
    new = _run(TrafficGenerator, seed, warmup_method, **easy_difficulty())
    old = _run(_LegacyGenerator, seed)
    for probe_new, probe_old in zip(new[0], old[0]):
        for k in probe_old:
            assert np.array_equal(probe_new[k], probe_old[k]), k
    for flows_new, flows_old in zip(new[1:-1], old[1:-1]):
        for k in _FIELDS:
            assert np.array_equal(getattr(flows_new, k), getattr(flows_old, k)), k
    assert np.array_equal(new[-1], old[-1])


def test_icmp_constant_is_gone():
    assert not hasattr(T, "ICMP")


@pytest.mark.parametrize("name", sorted(DIFFICULTY))
def test_bad_values_name_the_knob_the_value_and_the_range(name):
    bad = {"attacker_prefixes": 0, "prefix_rotation_steps": -1, "benign_tail_index": 0.1}.get(name, -0.5)
    with pytest.raises(ValueError, match=rf"{name}={bad!r} is out of range; expected"):
        TrafficGenerator(np.random.default_rng(0), 5, 10, 2, 3, 1, 2, **{name: bad})


def _gen(seed=0, n_nodes=200, flows=50, n_campaigns=3, **knobs):
    return TrafficGenerator(np.random.default_rng(seed), n_nodes, flows, n_campaigns, 5, 2, 5, **knobs)


def test_prefixes_rotate_on_schedule_and_attack_flows_carry_the_current_ones():
    gen = _gen(attacker_prefixes=3, prefix_rotation_steps=4)
    camp = gen.campaigns[1]  # starts at step 7
    start = camp.start_step
    assert [gen.rotated(1, t) for t in range(start - 1, start + 9)] == [
        False,
        False,
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        True,
    ]
    before, after = gen.prefixes(1, start + 3), gen.prefixes(1, start + 4)
    assert len(set(before)) == 3 and len(set(after)) == 3 and not set(before) & set(after)
    assert np.array_equal(gen.prefixes(1, start + 5), after)  # a pure function of (campaign, t)
    assert not set(after) & set(gen.service_prefix)
    flows = gen.benign()
    targeted = np.zeros((3, gen.n_nodes), bool)
    targeted[1] = True
    gen.overlay_attacks(flows, targeted, start + 4)
    sent_from = set(prefix_of(flows.src_ip[flows.label == 2]))
    assert sent_from == set(after)
    with pytest.raises(ValueError, match="t=None"):
        gen.overlay_attacks(flows, targeted)


def test_attackers_hiding_in_cloud_prefixes_share_keys_with_benign_traffic():
    gen = _gen(attacker_prefixes=4, attacker_cloud_share=1.0)
    for camp in gen.campaigns:
        assert set(camp.prefixes) <= set(gen.service_prefix)
    benign_prefixes = set(prefix_of(gen.benign().src_ip).ravel())
    assert set(gen.campaigns[0].prefixes) & benign_prefixes
    none_hidden = _gen(attacker_prefixes=4)
    assert not any(set(c.prefixes) & set(none_hidden.service_prefix) for c in none_hidden.campaigns)


@pytest.mark.parametrize("separation", [2.0, 4.0, 8.0])
def test_attack_separation_places_the_campaign_mean_that_many_benign_sds_away(separation):
    gen = _gen(seed=3, attack_separation=separation)
    flows = gen.benign()
    mu, sigma = gen.mu.copy(), gen.sigma.copy()
    gen.overlay_attacks(flows, np.ones((3, gen.n_nodes), bool))
    logs = np.stack([flows.log_bytes, flows.log_packets, flows.log_duration], axis=-1)
    for camp in gen.campaigns:
        mask = flows.label == camp.index + 1  # (nodes, flows): 5 flows per node
        mean = np.where(mask[..., None], logs, 0).sum(1) / mask.sum(1)[:, None]  # per node
        # the most separated feature in the campaign's native direction
        j = np.argmax(np.abs(np.asarray(T._NATIVE_MEAN[camp.kind]) - mu) / sigma, axis=1)
        rows = np.arange(gen.n_nodes)
        distance = np.abs(mean[rows, j] - mu[rows, j]) / sigma[rows, j]
        # per node the mean of 5 flows scatters; over 200 nodes the average is within 0.25 sds
        assert abs(distance.mean() - separation) < 0.25 + 0.05 * separation, (camp.kind, distance.mean())


def test_drift_moves_baselines_as_a_random_walk_of_the_stated_size():
    still = _gen(benign_drift=0.0)
    mu0 = still.mu.copy()
    for _ in range(5):
        still.benign()
    assert np.array_equal(still.mu, mu0)
    drift = 0.1
    gen = _gen(n_nodes=2000, flows=2, benign_drift=drift)
    mu0 = gen.mu.copy()
    steps = 25
    for _ in range(steps):
        gen.benign()
    z = (gen.mu - mu0) / gen.sigma / (drift * math.sqrt(steps))  # standard normal per node and feature
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05


def test_benign_sizes_have_a_pareto_tail_of_the_stated_index():
    alpha, share = 1.5, 0.1
    gen = _gen(seed=5, n_nodes=400, flows=500, benign_tail_share=share, benign_tail_index=alpha)
    flows = gen.benign()
    start = gen.mu[:, 0:1] + T._TAIL_START_Z * gen.sigma[:, 0:1]
    excess = flows.log_bytes - start
    # beyond 1 log unit past x_m the log-normal body has almost no mass; the Pareto tail is memoryless
    # in log units, so the excess over that point is Exponential with rate alpha (mean 1 / alpha)
    far = excess[excess > 1.0] - 1.0
    expected_count = flows.log_bytes.size * share * math.exp(-alpha)
    # the body's largest possible share past that point: sigma <= 0.7, so z > 1.645 + 1 / 0.7
    body_bound = flows.log_bytes.size * 0.5 * math.erfc((T._TAIL_START_Z + 1 / 0.7) / math.sqrt(2))
    assert -4 * math.sqrt(expected_count) < far.size - expected_count < 4 * math.sqrt(expected_count) + body_bound
    assert abs(far.mean() - 1 / alpha) < 3.5 * (1 / alpha) / math.sqrt(far.size)
    # packets and duration grow with bytes: bytes per packet keep the body's distribution
    plain = _gen(seed=5, n_nodes=400, flows=500).benign()
    ratio = flows.log_bytes - flows.log_packets
    assert abs(ratio.mean() - (plain.log_bytes - plain.log_packets).mean()) < 0.02


def test_warmup_contamination_mixes_in_labelled_attack_flows():
    share = 0.1
    gen = _gen(seed=2, n_nodes=300, flows=50, warmup_contamination=share)
    flows = gen.warmup()
    attack = flows.label > 0
    n = attack.size
    assert abs(attack.mean() - share) < 4 * math.sqrt(share * (1 - share) / n)
    keys = {c.index + 1: set(c.prefixes) for c in gen.campaigns}
    for label, prefixes in keys.items():
        assert set(prefix_of(flows.src_ip[flows.label == label])) <= prefixes
    assert (gen.warmup().label > 0).any() and not (_gen(seed=2).warmup().label > 0).any()


def test_attack_share_draws_each_targeted_nodes_attack_flows_as_a_binomial_rate():
    from workbench.model.traffic import TrafficGenerator

    n, f, share = 2_000, 50, 0.02
    gen = TrafficGenerator(np.random.default_rng(3), n, f, 3, 1, 0, 5, attack_share=share)
    flows = gen.benign()
    targeted = np.zeros((3, n), bool)
    targeted[0, : n // 2] = True
    targeted[2, n // 2 :] = True
    gen.overlay_attacks(flows, targeted, 1)
    per_node = (flows.label > 0).sum(axis=1)
    expected, sd = share * f, np.sqrt(f * share * (1 - share))
    assert abs(per_node.mean() - expected) < 4 * sd / np.sqrt(n)
    assert (per_node == 0).any() and (per_node > 1).any()  # counts vary: a rate, not a fixed number
    # each campaign writes into its own band of slots: campaign 0 from slot 0, campaign 2 from 2 * (50 // 3)
    assert set(np.unique(flows.label[: n // 2])) <= {0, 1} and set(np.unique(flows.label[n // 2 :])) <= {0, 3}
    assert (flows.label[n // 2 :, :32] == 0).all()
