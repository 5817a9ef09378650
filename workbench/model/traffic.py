"""Synthetic network traffic with ground truth: per-node benign baselines and attack campaigns.

Every step each node sees ``flows_per_node`` flow records. A step's traffic for all nodes is one
:class:`Flows` of arrays shaped ``(n_nodes, flows_per_node)``; nothing here loops over flows.

Units: IPv4 addresses as ``uint32``; ``log_bytes``, ``log_packets`` and ``log_duration`` are natural
logs of bytes, packets and milliseconds. Labels: 0 is benign, ``c + 1`` is campaign ``c``.

Difficulty. The generator takes the knobs of :data:`DIFFICULTY` (each with unit, range and its
"easy" value). With every knob at its easy value the generator makes exactly the random draws, in
the same order, that the first version of this module made, so "easy" runs reproduce today's
world bit for bit: every extra draw below happens only when its knob is away from its easy value.

* ``attack_separation`` (benign sds): attack flows are pulled toward (or pushed away from) the
  receiving node's current baseline along their own direction, ``x' = mu + (x - mu) * s / D``,
  where ``D`` is the campaign type's native mean distance from the node's baseline in the most
  separated of (bytes, packets, duration), in that node's benign sds. The campaign's mean then sits
  ``s`` sds away in that feature. 0 keeps the native distributions (5-15 sds: trivially detected).
* ``attacker_prefixes`` / ``prefix_rotation_steps``: a campaign sends from ``k`` distinct /16s and
  moves to ``k`` fresh ones every ``R`` steps after it starts (0 = never), so shared rules go stale.
* ``attacker_cloud_share``: each attacker prefix is, with this probability, one of the popular
  service (cloud) /16s that benign traffic also comes from, so rules on it can block benign flows.
* ``benign_drift``: each node's baseline performs a random walk; per step every log feature's mean
  moves by ``benign_drift`` times the node's benign sd times a standard normal (concept drift).
* ``warmup_contamination``: share of warm-up flows replaced by attack flows (:meth:`warmup`).
* ``benign_tail_share`` / ``benign_tail_index``: a share of benign flows are elephants whose byte
  count is Pareto(``alpha``) above the node's 95th body percentile ``x_m = exp(mu + 1.645 sigma)``
  (``log bytes = log x_m + Exp(1) / alpha``); packets and duration scale with bytes (same bytes per
  packet and throughput as the body draw), so the size distribution is a log-normal body with a
  Pareto tail, as measured flow sizes are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from workbench.flows import Flows
from workbench.validation import Range, check_number

TCP, UDP = 6, 17
CAMPAIGN_TYPES = ("ddos", "port_scan", "exfiltration")

# Popular services every node talks to: (port, protocol). Their source prefixes are drawn per run.
_SERVICES = ((443, TCP), (53, UDP), (80, TCP), (123, UDP), (25, TCP), (993, TCP), (22, TCP), (3478, UDP))
_PEER_PORTS = np.array([443, 80, 22, 445, 3389, 8080, 5432, 6379], dtype=np.int32)
_PUBLIC_PREFIXES = (11 * 256, 223 * 256)  # public /16s: 11.0/16 .. 222.255/16

# 1.645: the standard normal's 95th percentile, where the Pareto tail of benign sizes begins.
_TAIL_START_Z = 1.6448536269514722

# Native mean of (log bytes, log packets, log duration) of each campaign type, as drawn in
# Campaign.sample (the port scan's packets are 1 or 2; its bytes uniform on [40, 120]).
_E_LOG_UNIFORM_40_120 = (120 * math.log(120) - 40 * math.log(40)) / 80 - 1
_NATIVE_MEAN = {
    "ddos": (math.log(400.0) + math.log(900.0), math.log(400.0), math.log(1500.0)),
    "port_scan": (_E_LOG_UNIFORM_40_120, math.log(2.0) / 2, math.log(2.0)),
    "exfiltration": (math.log(3e6), math.log(3e6) - math.log(1200.0), math.log(6e4)),
}


@dataclass(frozen=True)
class Knob:
    """One difficulty parameter: its allowed range, its easy (today's) value, a realistic default, docs."""

    range: Range
    easy: float | int
    doc: str


DIFFICULTY: dict[str, Knob] = {
    "attack_separation": Knob(
        Range(0.0, 50.0),
        0.0,
        "benign sds between a campaign's mean and the node's baseline in its most separated "
        "feature (0 = native distributions, 5-15 sds)",
    ),
    "attacker_prefixes": Knob(Range(1, 64, integer=True), 1, "distinct source /16 prefixes per campaign"),
    "prefix_rotation_steps": Knob(
        Range(0, None, integer=True), 0, "steps between moves of a campaign to fresh prefixes (0 = never)"
    ),
    "attacker_cloud_share": Knob(
        Range(0.0, 1.0), 0.0, "chance an attacker prefix is a popular service /16 that benign traffic shares"
    ),
    "benign_drift": Knob(
        Range(0.0, 1.0), 0.0, "per-step sd of each node's baseline random walk, in the node's benign sds"
    ),
    "warmup_contamination": Knob(Range(0.0, 0.5), 0.0, "share of warm-up flows that are attack flows"),
    "benign_tail_share": Knob(Range(0.0, 0.5), 0.0, "share of benign flows drawn from the Pareto tail"),
    "benign_tail_index": Knob(Range(0.5, 10.0), 1.5, "Pareto shape alpha of the benign size tail (smaller = heavier)"),
}


def easy_difficulty() -> dict[str, float | int]:
    """The knob values that reproduce the first version of the generator exactly."""
    return {name: knob.easy for name, knob in DIFFICULTY.items()}


@dataclass
class Campaign:
    """An attack campaign: its type, attacker /16 prefixes (at its start), start step and flow pattern."""

    index: int
    kind: str
    prefix: int  # first attacker /16 prefix (uint32 >> 16); the only one when attacker_prefixes = 1
    start_step: int
    port: int
    proto: int
    prefixes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # all prefixes at the start

    def sample(self, rng: np.random.Generator, n: int, prefixes: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """``n`` attack flows of this campaign (feature arrays of length ``n``).

        ``prefixes``: the /16s to send from (each flow picks one uniformly); ``None`` means ``self.prefix``.
        """
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
        if prefixes is not None and not (len(prefixes) == 1 and int(prefixes[0]) == self.prefix):
            # drawn after the features, so a single unchanged prefix keeps the original draws
            pick = np.asarray(prefixes, np.int64)[rng.integers(0, len(prefixes), n)]
            src = (pick.astype(np.uint32) << np.uint32(16)) | (src & np.uint32(0xFFFF))
        return {
            "src_ip": src,
            "dst_port": port,
            "proto": np.full(n, self.proto, np.int16),
            "log_bytes": lb,
            "log_packets": lp,
            "log_duration": ld,
        }


class TrafficGenerator:
    """Draws benign traffic from per-node baselines and overlays the attack flows of campaigns.

    Every draw uses the generator passed in (the model's numpy Generator). The keyword-only
    difficulty knobs are documented in :data:`DIFFICULTY` and the module docstring; their easy
    values (the defaults) reproduce the first version of this generator exactly.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        n_nodes: int,
        flows_per_node: int,
        n_campaigns: int,
        first_campaign_step: int,
        campaign_interval_steps: int,
        attack_flows_per_node: int,
        *,
        attack_separation: float = 0.0,
        attacker_prefixes: int = 1,
        prefix_rotation_steps: int = 0,
        attacker_cloud_share: float = 0.0,
        benign_drift: float = 0.0,
        warmup_contamination: float = 0.0,
        benign_tail_share: float = 0.0,
        benign_tail_index: float = 1.5,
        attack_share: float | None = None,
    ) -> None:
        knobs = {
            "attack_separation": attack_separation,
            "attacker_prefixes": attacker_prefixes,
            "prefix_rotation_steps": prefix_rotation_steps,
            "attacker_cloud_share": attacker_cloud_share,
            "benign_drift": benign_drift,
            "warmup_contamination": warmup_contamination,
            "benign_tail_share": benign_tail_share,
            "benign_tail_index": benign_tail_index,
        }
        for name, value in knobs.items():
            knobs[name] = check_number(name, value, DIFFICULTY[name].range)
        self.difficulty = knobs
        self.attack_separation = float(knobs["attack_separation"])
        self.attacker_prefixes = int(knobs["attacker_prefixes"])
        self.prefix_rotation_steps = int(knobs["prefix_rotation_steps"])
        self.attacker_cloud_share = float(knobs["attacker_cloud_share"])
        self.benign_drift = float(knobs["benign_drift"])
        self.warmup_contamination = float(knobs["warmup_contamination"])
        self.benign_tail_share = float(knobs["benign_tail_share"])
        self.benign_tail_index = float(knobs["benign_tail_index"])

        self.rng = rng
        self.n_nodes, self.flows_per_node = n_nodes, flows_per_node
        self.attack_flows_per_node = attack_flows_per_node
        self.attack_share = attack_share
        # Benign baselines (log units): per-node means and spreads.
        self.mu = np.stack(
            [rng.normal(8.0, 0.5, n_nodes), rng.normal(2.5, 0.3, n_nodes), rng.normal(5.5, 0.5, n_nodes)], axis=1
        )
        self.sigma = rng.uniform(0.45, 0.7, (n_nodes, 3))
        # Address plan: internal peers live in 10.0.0.0/8, services and attackers in distinct public /16s.
        k = self.attacker_prefixes
        public = rng.choice(np.arange(*_PUBLIC_PREFIXES), size=len(_SERVICES) + n_campaigns * k, replace=False)
        self.service_prefix = public[: len(_SERVICES)].astype(np.int64)
        self.service_port = np.array([p for p, _ in _SERVICES], np.int32)
        self.service_proto = np.array([q for _, q in _SERVICES], np.int16)
        weights = 1.0 / np.arange(1, len(_SERVICES) + 1)  # Zipf popularity
        self.service_weight = weights / weights.sum()
        self.peers = np.uint32(10 << 24) | rng.integers(1, 1 << 24, (n_nodes, 20)).astype(np.uint32)
        attacker = public[len(_SERVICES) :].astype(np.int64).reshape(n_campaigns, k)
        self.campaigns: list[Campaign] = []
        for c in range(n_campaigns):
            kind = CAMPAIGN_TYPES[c % len(CAMPAIGN_TYPES)]
            port, proto = {
                "ddos": (int(rng.choice([53, 123, 1900])), UDP),
                "port_scan": (0, TCP),
                "exfiltration": (443, TCP),
            }[kind]
            self.campaigns.append(
                Campaign(
                    c,
                    kind,
                    int(attacker[c, 0]),
                    first_campaign_step + c * campaign_interval_steps,
                    port,
                    proto,
                    attacker[c].copy(),
                )
            )
        # Draws below happen only away from the easy values, so easy runs keep the original stream.
        if self.attacker_cloud_share > 0 and n_campaigns > 0:
            attacker = self._hide_in_cloud(rng, attacker)
            for camp in self.campaigns:
                camp.prefixes = attacker[camp.index].copy()
                camp.prefix = int(camp.prefixes[0])
        self._rotation_seed = int(rng.integers(2**63 - 1)) if self.prefix_rotation_steps > 0 else 0
        self._fresh_pool: np.ndarray | None = None
        self._fresh_prefixes: dict[tuple[int, int], np.ndarray] = {}  # (campaign, epoch) -> its prefixes

    # --- attacker address plan --------------------------------------------------------------------
    def _hide_in_cloud(self, rng: np.random.Generator, attacker: np.ndarray) -> np.ndarray:
        """Replace each attacker prefix by a popular service /16 with probability ``attacker_cloud_share``."""
        attacker = attacker.copy()
        hide = rng.random(attacker.shape) < self.attacker_cloud_share
        service = rng.choice(len(self.service_prefix), size=attacker.shape, p=self.service_weight)
        attacker[hide] = self.service_prefix[service[hide]]
        return attacker

    def epoch(self, campaign: int, t: int) -> int:
        """How many times campaign ``campaign`` has moved to fresh prefixes by step ``t`` (0 before it starts)."""
        start, r = self.campaigns[campaign].start_step, self.prefix_rotation_steps
        return 0 if r == 0 or t < start else (t - start) // r

    def rotated(self, campaign: int, t: int) -> bool:
        """Whether the campaign moved to fresh prefixes at step ``t`` (so its old rules went stale)."""
        return self.epoch(campaign, t) > 0 and self.epoch(campaign, t) != self.epoch(campaign, t - 1)

    def prefixes(self, campaign: int, t: int) -> np.ndarray:
        """The /16 prefixes campaign ``campaign`` sends from at step ``t`` (``attacker_prefixes`` of them).

        Epoch 0 uses the prefixes drawn at construction; epoch ``e > 0`` draws fresh ones from a
        generator seeded by (a seed drawn from the model's Generator, campaign, e), so the answer is
        a pure function of (campaign, t) whatever order callers ask in. Fresh prefixes avoid the
        service /16s (except where ``attacker_cloud_share`` hides them there on purpose); a clash
        with another campaign's prefix is possible but has chance about ``k / 54,000``.
        """
        e = self.epoch(campaign, t)
        if e == 0:
            return self.campaigns[campaign].prefixes
        cached = self._fresh_prefixes.get((campaign, e))
        if cached is None:  # a pure function of (campaign, epoch), asked several times a step
            cached = self._fresh_prefixes[campaign, e] = self._draw_fresh(campaign, e)
        return cached

    def _draw_fresh(self, campaign: int, e: int) -> np.ndarray:
        """Campaign ``campaign``'s prefixes in epoch ``e > 0`` (see :meth:`prefixes`)."""
        if self._fresh_pool is None:
            # the public /16s but the services' (np.setdiff1d's sorted result, by a mask: no sort of 54,000)
            lo, hi = _PUBLIC_PREFIXES
            keep = np.ones(hi - lo, bool)
            keep[self.service_prefix - lo] = False
            self._fresh_pool = np.arange(lo, hi)[keep]
        sub = np.random.default_rng([self._rotation_seed, campaign, e])
        fresh = sub.choice(self._fresh_pool, size=self.attacker_prefixes, replace=False).astype(np.int64)
        return self._hide_in_cloud(sub, fresh[None, :])[0] if self.attacker_cloud_share > 0 else fresh

    def campaign_keys(self, t: int) -> list[np.ndarray]:
        """Per campaign, the flow keys (``prefix * 256 + proto``) its flows carry at step ``t``."""
        return [self.prefixes(c.index, t) * 256 + c.proto for c in self.campaigns]

    # --- traffic ------------------------------------------------------------------------------------
    def benign(self) -> Flows:
        """Benign traffic for every node: 35% to popular services, the rest with the node's usual peers.

        Advances the baselines by one step of drift afterwards (when ``benign_drift > 0``).
        """
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
        proto = np.where(to_service, self.service_proto[service], TCP).astype(np.int16)
        if self.benign_tail_share > 0:
            logs = self._heavy_tail(logs)
        if self.benign_drift > 0:
            self.mu = self.mu + self.benign_drift * self.sigma * rng.standard_normal(self.mu.shape)
        return Flows(
            src, port.astype(np.int32), proto, logs[..., 0], logs[..., 1], logs[..., 2], np.zeros((n, f), np.int16)
        )

    def _heavy_tail(self, logs: np.ndarray) -> np.ndarray:
        """Make a ``benign_tail_share`` of flows Pareto elephants (see the module docstring)."""
        rng = self.rng
        n, f, _ = logs.shape
        tail = rng.random((n, f)) < self.benign_tail_share
        start = self.mu[:, None, 0] + _TAIL_START_Z * self.sigma[:, None, 0]  # log x_m per node
        log_bytes = start + rng.standard_exponential((n, f)) / self.benign_tail_index
        shift = np.where(tail, log_bytes - logs[..., 0], 0.0)
        return logs + shift[..., None]  # bytes, packets and duration grow together

    def warmup(self) -> Flows:
        """A warm-up step's traffic: benign, with a ``warmup_contamination`` share of attack flows.

        Contaminating flows come from campaigns chosen uniformly per flow, sent from their starting
        prefixes and shaped by ``attack_separation``; ``label`` is their ground truth (``c + 1``).
        Identical to :meth:`benign` when ``warmup_contamination`` is 0 or there are no campaigns.
        """
        flows = self.benign()
        if self.warmup_contamination == 0 or not self.campaigns:
            return flows
        rng = self.rng
        node, col = np.nonzero(rng.random(flows.label.shape) < self.warmup_contamination)
        which = rng.integers(0, len(self.campaigns), node.size)
        for camp in self.campaigns:
            sel = which == camp.index
            self._write_attack(flows, camp, node[sel], col[sel], camp.prefixes)
        return flows

    def overlay_attacks(self, flows: Flows, targeted: np.ndarray, t: int | None = None) -> None:
        """Replace some benign flows of targeted nodes by attack flows, in place.

        ``targeted`` has shape ``(n_campaigns, n_nodes)``. How many flows a targeted node gets per
        campaign ``c`` and step:

        * ``attack_share=None``: exactly ``a = attack_flows_per_node``, written into slots
          ``[c * a, c * a + a)`` (mod ``flows_per_node``) of each targeted node;
        * ``attack_share=s``: a rate. Each targeted node's count is drawn from ``Binomial(f, s)``
          (``f = flows_per_node``; from the generator's numpy Generator, one draw per targeted node
          and campaign), so an expected ``s * f`` of its ``f`` flows per step are the campaign's even
          where ``s * f < 1`` (at ``s = 0.001`` and ``f = 50`` a targeted node sees a flow in about one
          step in 20). The flows fill slots from ``c * band`` on, ``band = max(1, f // n_campaigns)``
          flows per campaign: a count above the band (probability negligible unless ``s`` nears
          ``1 / n_campaigns``) is cut to it, so campaigns never overwrite each other's flows.

        ``t`` is the model step; it is needed only when prefixes rotate.
        """
        if t is None and self.prefix_rotation_steps > 0:
            raise ValueError("t=None is not allowed when prefix_rotation_steps > 0; pass the model step")
        a, f = self.attack_flows_per_node, self.flows_per_node
        band = max(1, f // max(len(self.campaigns), 1))
        for camp in self.campaigns:
            nodes = np.flatnonzero(targeted[camp.index])
            if nodes.size == 0:
                continue
            if self.attack_share is None:
                slots = (camp.index * a + np.arange(a)) % f
                rows = np.repeat(nodes, a)
                cols = np.tile(slots, nodes.size)
            else:
                counts = np.minimum(self.rng.binomial(f, self.attack_share, nodes.size), band)
                rows = np.repeat(nodes, counts)
                if rows.size == 0:
                    continue
                within = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
                cols = (camp.index * band + within) % f
            prefixes = camp.prefixes if t is None else self.prefixes(camp.index, t)
            self._write_attack(flows, camp, rows, cols, prefixes)

    def _write_attack(
        self, flows: Flows, camp: Campaign, rows: np.ndarray, cols: np.ndarray, prefixes: np.ndarray
    ) -> None:
        values = camp.sample(self.rng, rows.size, prefixes)
        if self.attack_separation > 0:
            self._separate(camp.kind, rows, values)
        for name, v in values.items():
            getattr(flows, name)[rows, cols] = v
        flows.label[rows, cols] = camp.index + 1

    def native_separation(self, kind: str) -> np.ndarray:
        """Per node, the campaign type's native mean distance from the current baseline in its most
        separated feature (bytes, packets, duration), in the node's benign sds: ``(n_nodes,)``."""
        return (np.abs(np.asarray(_NATIVE_MEAN[kind]) - self.mu) / self.sigma).max(axis=1)

    def _separate(self, kind: str, rows: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Rescale attack flows' distance from their node's baseline to ``attack_separation`` sds."""
        ratio = self.attack_separation / self.native_separation(kind)[rows]
        for j, name in enumerate(("log_bytes", "log_packets", "log_duration")):
            mu = self.mu[rows, j]
            values[name] = mu + (values[name] - mu) * ratio

    def probes(self, n: int = 256) -> list[dict[str, np.ndarray]]:
        """A fixed sample of each campaign's flows: ground truth for which campaign a rule covers.

        Sent from each campaign's first prefix (callers that need the others use :meth:`prefixes` or
        :meth:`campaign_keys`). With ``attack_separation > 0`` each probe flow is shaped for a node
        drawn uniformly, as the campaign's flows are across the network at the baselines of now.
        """
        probes = [camp.sample(self.rng, n) for camp in self.campaigns]
        if self.attack_separation > 0:
            for camp, probe in zip(self.campaigns, probes):
                self._separate(camp.kind, self.rng.integers(0, self.n_nodes, n), probe)
        return probes
