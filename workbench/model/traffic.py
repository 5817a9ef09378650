"""Synthetic network traffic with ground truth: per-node benign baselines and attack campaigns.

Every step each node sees ``flows_per_node`` flow records. A step's traffic for all nodes is one
:class:`Flows` of arrays shaped ``(n_nodes, flows_per_node)``; nothing here loops over flows.

Units: IPv4 addresses as ``uint32``; ``log_bytes``, ``log_packets`` and ``log_duration`` are natural
logs of bytes, packets and milliseconds. Labels: 0 is benign, ``c + 1`` is campaign ``c``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TCP, UDP, ICMP = 6, 17, 1
CAMPAIGN_TYPES = ("ddos", "port_scan", "exfiltration")

# Popular services every node talks to: (port, protocol). Their source prefixes are drawn per run.
_SERVICES = ((443, TCP), (53, UDP), (80, TCP), (123, UDP), (25, TCP), (993, TCP), (22, TCP), (3478, UDP))
_PEER_PORTS = np.array([443, 80, 22, 445, 3389, 8080, 5432, 6379], dtype=np.int32)
N_FEATURES = 4  # detector features: log bytes, log packets, log duration, log bytes per packet


def prefix_of(ip: np.ndarray) -> np.ndarray:
    """The /16 prefix of IPv4 addresses (``uint32 >> 16``)."""
    return (ip >> np.uint32(16)).astype(np.int64)


def flow_key(ip: np.ndarray, proto: np.ndarray) -> np.ndarray:
    """Key a flow by (source /16 prefix, protocol): every signature rule matches one key."""
    return prefix_of(ip) * 256 + proto.astype(np.int64)


@dataclass
class Flows:
    """One step of traffic for all nodes; every array has shape ``(n_nodes, flows_per_node)``."""

    src_ip: np.ndarray
    dst_port: np.ndarray
    proto: np.ndarray
    log_bytes: np.ndarray
    log_packets: np.ndarray
    log_duration: np.ndarray
    label: np.ndarray

    @property
    def key(self) -> np.ndarray:
        return flow_key(self.src_ip, self.proto)

    def features(self) -> np.ndarray:
        """Detector input, shape ``(n_nodes, flows_per_node, 4)``."""
        return np.stack(
            [self.log_bytes, self.log_packets, self.log_duration, self.log_bytes - self.log_packets], axis=-1
        )


@dataclass
class Campaign:
    """An attack campaign: its type, attacker /16 prefix, start step and flow pattern."""

    index: int
    kind: str
    prefix: int  # attacker /16 prefix (uint32 >> 16)
    start_step: int
    port: int
    proto: int

    def sample(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """``n`` attack flows of this campaign (feature arrays of length ``n``)."""
        src = (np.uint32(self.prefix) << np.uint32(16)) | rng.integers(1, 65535, n).astype(np.uint32)
        if self.kind == "ddos":  # UDP amplification flood: many packets, large volume
            lp = rng.normal(np.log(400.0), 0.7, n)
            lb = lp + rng.normal(np.log(900.0), 0.2, n)
            ld = rng.normal(np.log(1500.0), 0.5, n)
            port = np.full(n, self.port, np.int32)
        elif self.kind == "port_scan":  # one tiny probe per port
            lp = np.log(rng.integers(1, 3, n).astype(float))
            lb = np.log(rng.uniform(40, 120, n))
            ld = rng.normal(np.log(2.0), 0.5, n)
            port = rng.integers(1, 65536, n).astype(np.int32)
        else:  # exfiltration: long, large uploads to an HTTPS port
            lb = rng.normal(np.log(3e6), 1.0, n)
            lp = lb - np.log(1200.0) + rng.normal(0, 0.1, n)
            ld = rng.normal(np.log(6e4), 0.6, n)
            port = np.full(n, self.port, np.int32)
        return dict(src_ip=src, dst_port=port, proto=np.full(n, self.proto, np.int16),
                    log_bytes=lb, log_packets=lp, log_duration=ld)


class TrafficGenerator:
    """Draws benign traffic from per-node baselines and overlays the attack flows of campaigns.

    Every draw uses the generator passed in (the model's numpy Generator).
    """

    def __init__(self, rng: np.random.Generator, n_nodes: int, flows_per_node: int,
                 n_campaigns: int, first_campaign_step: int, campaign_interval_steps: int,
                 attack_flows_per_node: int) -> None:
        self.rng = rng
        self.n_nodes, self.flows_per_node = n_nodes, flows_per_node
        self.attack_flows_per_node = attack_flows_per_node
        # Benign baselines (log units): per-node means and spreads.
        self.mu = np.stack([rng.normal(8.0, 0.5, n_nodes), rng.normal(2.5, 0.3, n_nodes),
                            rng.normal(5.5, 0.5, n_nodes)], axis=1)
        self.sigma = rng.uniform(0.45, 0.7, (n_nodes, 3))
        # Address plan: internal peers live in 10.0.0.0/8, services and attackers in distinct public /16s.
        public = rng.choice(np.arange(11 * 256, 223 * 256), size=len(_SERVICES) + n_campaigns, replace=False)
        self.service_prefix = public[: len(_SERVICES)].astype(np.int64)
        self.service_port = np.array([p for p, _ in _SERVICES], np.int32)
        self.service_proto = np.array([q for _, q in _SERVICES], np.int16)
        weights = 1.0 / np.arange(1, len(_SERVICES) + 1)  # Zipf popularity
        self.service_weight = weights / weights.sum()
        self.peers = (np.uint32(10 << 24) | rng.integers(1, 1 << 24, (n_nodes, 20)).astype(np.uint32))
        self.campaigns = []
        for c in range(n_campaigns):
            kind = CAMPAIGN_TYPES[c % len(CAMPAIGN_TYPES)]
            port, proto = {"ddos": (int(rng.choice([53, 123, 1900])), UDP), "port_scan": (0, TCP),
                           "exfiltration": (443, TCP)}[kind]
            self.campaigns.append(Campaign(c, kind, int(public[len(_SERVICES) + c]),
                                           first_campaign_step + c * campaign_interval_steps, port, proto))

    def benign(self) -> Flows:
        """Benign traffic for every node: 35% to popular services, the rest with the node's usual peers."""
        rng, n, f = self.rng, self.n_nodes, self.flows_per_node
        logs = self.mu[:, None, :] + self.sigma[:, None, :] * rng.standard_normal((n, f, 3))
        to_service = rng.random((n, f)) < 0.35
        service = rng.choice(len(self.service_prefix), size=(n, f), p=self.service_weight)
        peer = np.take_along_axis(self.peers, rng.integers(0, self.peers.shape[1], (n, f)), axis=1)
        service_ip = (self.service_prefix[service].astype(np.uint32) << np.uint32(16)) | rng.integers(
            1, 65535, (n, f)).astype(np.uint32)
        src = np.where(to_service, service_ip, peer)
        port = np.where(to_service, self.service_port[service], _PEER_PORTS[rng.integers(0, len(_PEER_PORTS), (n, f))])
        proto = np.where(to_service, self.service_proto[service], TCP).astype(np.int16)
        return Flows(src, port.astype(np.int32), proto, logs[..., 0], logs[..., 1], logs[..., 2],
                     np.zeros((n, f), np.int16))

    def overlay_attacks(self, flows: Flows, targeted: np.ndarray) -> None:
        """Replace some benign flows of targeted nodes by attack flows, in place.

        ``targeted`` has shape ``(n_campaigns, n_nodes)``. Campaign ``c`` writes its flows into slots
        ``[c * a, c * a + a)`` (mod ``flows_per_node``) of each targeted node, ``a`` being
        ``attack_flows_per_node``.
        """
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

    def probes(self, n: int = 256) -> list[dict[str, np.ndarray]]:
        """A fixed sample of each campaign's flows: ground truth for which campaign a rule covers."""
        return [camp.sample(self.rng, n) for camp in self.campaigns]
