"""The Mesa 3 model: AI-powered nodes detect anomalies, share signatures, vote, and block what is confirmed.

Per step (``t`` is Mesa's 1-based step counter):

1. campaigns start at a few nodes and spread along the topology from every targeted node;
2. sharing: one push-gossip round (``gossip``);
3. nodes vote on the signatures they hold (their own evidence, or independently);
4. signatures whose deadline has come (or that every other node voted on) are decided by consensus;
   confirmations reach nodes (everyone for ``ledger``/``central``, the origin for ``gossip``);
5. traffic: benign flows from per-node baselines plus campaign flows; every node's detector scores
   the whole step in one vectorised call; flows matching a known confirmed signature are blocked;
6. flagged flows become signatures (plus forgeries by malicious nodes) and enter the ledger.

Agents are thin views over per-node arrays: the work of a step is vectorised across nodes, so the
model advances the state and the agents expose it (for visualisation and inspection).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from workbench.ledger import open_ledger
from workbench.model import metrics
from workbench.model.agents import NodeAgent
from workbench.model.consensus import BetaTrust, decide
from workbench.model.detectors import make_detector_bank
from workbench.model.gossip import push_round
from workbench.model.params import ModelParams
from workbench.model.signatures import (
    CONFIRMED, COVERAGE_GENUINE, OUTCOME_NAMES, PENDING, REJECTED, SignatureTable, campaign_coverage,
    forged_rule, rule_matches, rules_from_flagged,
)
from workbench.model.topology import adjacency, build_graph
from workbench.model.traffic import N_FEATURES, TCP, UDP, TrafficGenerator
from workbench.model.voting import EvidenceWindow, apply_behaviour, evidence_votes, independent_votes


class ThreatIntelModel(mesa.Model):
    """Collaborative threat detection on a network of AI-powered nodes.

    Args:
        params: validated parameters; ``None`` means the defaults.
        rng: seed or numpy Generator; all randomness flows from it.
        **overrides: field names of :class:`ModelParams` (so SolaraViz can pass keyword parameters).
    """

    def __init__(self, params: ModelParams | None = None, *, rng: Any = None, **overrides: Any) -> None:
        params = ModelParams.from_dict(overrides) if params is None else params.replace(**overrides) if overrides else params
        if params.ledger == "sqlite" and Path(params.ledger_path).exists():
            raise ValueError(f"ledger_path={params.ledger_path!r} already exists; a run never appends to or overwrites "
                             "an earlier ledger: give a new path or remove the file")
        super().__init__(rng=rng)
        self.params = p = params
        n, f = p.n_nodes, p.flows_per_node
        self.graph = build_graph(p.topology, n, p.mean_degree, p.rewire_prob, self.rng)
        self.adjacency = adjacency(self.graph)
        self.grid = Network(self.graph, capacity=1, random=self.random, layout=None)
        n_bad = min(p.n_malicious, n - 1)
        self.malicious = np.zeros(n, bool)
        self.malicious[self.rng.choice(n, n_bad, replace=False)] = True
        self.honest = ~self.malicious
        self.traffic = TrafficGenerator(self.rng, n, f, p.n_campaigns, p.warmup_steps + 1,
                                        p.campaign_interval_steps, p.attack_flows_per_node)
        self.campaigns = self.traffic.campaigns
        self.probes = self.traffic.probes()
        self.probe_keys = [c.prefix * 256 + c.proto for c in self.campaigns]
        self.detector = make_detector_bank(
            p.detector, rng=self.rng, zscore_threshold=p.zscore_threshold, zscore_refit_steps=p.zscore_refit_steps,
            iforest_trees=p.iforest_trees, iforest_contamination=p.iforest_contamination)
        self._warmup = np.empty((n, p.warmup_steps * f, N_FEATURES))
        self.window = EvidenceWindow(p.evidence_window_steps, n, f)
        self.sigs = SignatureTable(n)
        self.trust = BetaTrust(n)
        n_c = p.n_campaigns
        self.targeted = np.zeros((n_c, n), bool)
        self.protected = np.zeros((n_c, n), bool)
        self.hit_unprotected = np.zeros((n_c, n), bool)
        self.first_detection = np.full(n_c, -1)
        self.t50 = np.full(n_c, -1)
        self.t90 = np.full(n_c, -1)
        self.detections = np.zeros(n, np.int64)
        self.ledger = open_ledger(p.ledger, p.ledger_path, n_nodes=n, key_seed=int(self.rng.integers(2**31 - 1)))
        self.step_metrics: dict[str, float] = {}
        self.totals: Counter[str] = Counter()  # run totals of the per-step counts
        for node in range(n):
            NodeAgent(self, node, self.grid[node])
        self.datacollector = mesa.DataCollector(model_reporters=metrics.model_reporters(n_c))

    # ------------------------------------------------------------------------------------------
    def step(self) -> None:
        self._advance(self.steps)
        self.datacollector.collect(self)

    def _advance(self, t: int) -> None:
        self._entries: list[tuple[int, str, dict]] = []
        m = self.step_metrics = metrics.empty_step()
        self._spread_campaigns(t)
        if self.params.sharing == "gossip":
            self._gossip_round(t, m)
        self._vote(t, m)
        self._decide(t, m)
        self._update_protection(t)
        flows = self.traffic.benign()
        self.traffic.overlay_attacks(flows, self.targeted)
        flagged = self._detect(t, flows.features())
        blocked = self._blocked(flows)
        self.window.push(flows.key, flows.dst_port, flows.log_bytes, flows.log_packets, flagged)
        self._propose(t, flows, flagged, m)
        metrics.record_traffic(self, t, flows, flagged, blocked, m)
        if self._entries:
            self.ledger.append_batch(t, self._entries)
        self.totals.update(m)

    # --- behaviour masks --------------------------------------------------------------------------
    def colluding(self, t: int) -> np.ndarray:
        b = self.params.malicious_behavior
        if b == "collude" or (b == "betray" and t > self.params.betray_after_steps):
            return self.malicious
        return np.zeros_like(self.malicious)

    def forging(self, t: int) -> np.ndarray:
        return self.malicious if self.params.malicious_behavior == "forge" else self.colluding(t)

    def lying(self) -> np.ndarray:
        return self.malicious if self.params.malicious_behavior == "lie" else np.zeros_like(self.malicious)

    # --- phases -------------------------------------------------------------------------------------
    def _spread_campaigns(self, t: int) -> None:
        p, n = self.params, self.params.n_nodes
        for camp in self.campaigns:
            c = camp.index
            if t == camp.start_step:
                pool = np.flatnonzero(self.honest)
                self.targeted[c, self.rng.choice(pool, min(p.campaign_seed_nodes, pool.size), replace=False)] = True
            elif t > camp.start_step and p.spread_prob > 0:
                # attackers keep moving along the topology whether or not a node blocks them
                exposure = self.adjacency @ self.targeted[c].astype(np.int32)
                infect = self.rng.random(n) < 1.0 - (1.0 - p.spread_prob) ** exposure
                self.targeted[c] |= infect

    def _gossip_round(self, t: int, m: dict) -> None:
        s = self.sigs
        pend = np.flatnonzero((s["outcome"] == PENDING) & ~s.holds[: len(s)].all(axis=1))
        conf = np.flatnonzero((s["outcome"] == CONFIRMED) & ~s.knows[: len(s)].all(axis=1))
        for rows, matrix in ((pend, s.holds), (conf, s.knows)):
            if rows.size == 0:
                continue
            block = matrix[rows]
            per_item = block.sum(axis=1) * self.params.gossip_fanout
            push_round(block, self.adjacency, self.params.gossip_fanout, self.rng)
            matrix[rows] = block
            s.cols["messages"][rows] += per_item
            m["messages"] += int(per_item.sum())
        s.holds[conf] |= s.knows[conf]  # a confirmation carries the signature with it
        moved = np.concatenate([pend, conf])
        done = moved[(s.cols["spread_done_step"][moved] < 0) & s.holds[moved].all(axis=1)]
        s.cols["spread_done_step"][done] = t

    def _vote(self, t: int, m: dict) -> None:
        p, s = self.params, self.sigs
        if p.sharing in ("none", "central") or len(s) == 0:
            return
        open_ = np.flatnonzero((s["outcome"] == PENDING) & (t - s["created_step"] <= p.vote_deadline_steps))
        lying, colluding = self.lying(), self.colluding(t)
        independent = p.validation == "independent"
        window_cache: dict[int, dict] = {}
        for i in open_:
            eligible = s.holds[i] & (s.votes[i] == 0)
            eligible[s.cols["origin"][i]] = False
            if not eligible.any():
                continue
            genuine, forged = bool(s.cols["genuine"][i]), bool(s.cols["forged"][i])
            if independent:
                honest = independent_votes(genuine, p.validator_accuracy, p.n_nodes, self.rng)
            else:
                key = int(s.cols["key"][i])
                if key not in window_cache:
                    window_cache[key] = self.window.flows_with_key(key)
                honest = evidence_votes(s.rule(i), window_cache[key], p.n_nodes)
            votes = apply_behaviour(honest, lying=lying, colluding=colluding, forged=forged,
                                    genuine=genuine, independent=independent)
            votes = np.where(eligible, votes, 0).astype(np.int8)
            voters = np.flatnonzero(votes)
            if voters.size == 0:
                continue
            s.votes[i, voters] = votes[voters]
            per_vote = 1 if p.sharing == "gossip" else p.n_nodes - 1  # to the origin, or replicated ledger entry
            s.cols["messages"][i] += per_vote * voters.size
            m["messages"] += per_vote * voters.size
            m["votes_cast"] += voters.size
            sig_id = s.sig_ids[i]
            self._entries.extend((int(v), "vote", {"sig": sig_id, "approve": bool(votes[v] > 0)}) for v in voters)

    def _decide(self, t: int, m: dict) -> None:
        p, s = self.params, self.sigs
        if len(s) == 0:
            return
        pending = s["outcome"] == PENDING
        if p.sharing == "central":
            due = np.flatnonzero(pending & (s["created_step"] < t))
            confirmed = np.ones(due.size, bool)
        elif p.sharing == "none":
            return  # isolated nodes confirm their own signatures when they create them
        else:
            votes = s.votes[: len(s)]
            cast = (votes != 0).sum(axis=1)
            due = np.flatnonzero(pending & ((t - s["created_step"] >= p.vote_deadline_steps) | (cast >= p.n_nodes - 1)))
            if due.size == 0:
                return
            v = votes[due]
            approve, reject = v > 0, v < 0
            trust = self.trust.trust
            confirmed = decide(approve.sum(1), reject.sum(1), p.consensus, p.quorum, p.min_votes,
                               weight_for=approve @ trust, weight_against=reject @ trust)
            self.trust.update(v, confirmed)
        if due.size == 0:
            return
        self._settle(t, due, confirmed, m)

    def _settle(self, t: int, due: np.ndarray, confirmed: np.ndarray, m: dict) -> None:
        """Record decisions and let the right nodes learn of confirmations."""
        p, s = self.params, self.sigs
        v = s.votes[due]
        s.cols["outcome"][due] = np.where(confirmed, CONFIRMED, REJECTED)
        s.cols["decided_step"][due] = t
        s.cols["votes_for"][due] = (v > 0).sum(1)
        s.cols["votes_against"][due] = (v < 0).sum(1)
        ok = due[confirmed]
        if p.sharing in ("gossip", "none"):
            s.knows[ok, s.cols["origin"][ok]] = True  # gossip spreads it from there; isolated nodes keep it
        else:
            s.knows[ok] = True
            s.holds[ok] = True
            per_decision = p.n_nodes if p.sharing == "central" else p.n_nodes - 1
            s.cols["messages"][due] += per_decision
            m["messages"] += per_decision * due.size
        m["signatures_confirmed"] += int(confirmed.sum())
        m["signatures_rejected"] += int((~confirmed).sum())
        self._entries.extend(
            (int(s.cols["origin"][i]), "decision",
             {"sig": s.sig_ids[i], "outcome": OUTCOME_NAMES[int(s.cols["outcome"][i])],
              "votes_for": int(s.cols["votes_for"][i]), "votes_against": int(s.cols["votes_against"][i])})
            for i in due)

    def _update_protection(self, t: int) -> None:
        s = self.sigs
        if len(s) == 0:
            return
        useful = (s["outcome"] == CONFIRMED) & (s["coverage"] >= COVERAGE_GENUINE)
        honest_count = max(1, int(self.honest.sum()))
        for camp in self.campaigns:
            c = camp.index
            rows = np.flatnonzero(useful & (s["campaign"] == c))
            if rows.size:
                self.protected[c] = s.knows[rows].any(axis=0)
            frac = self.protected[c, self.honest].sum() / honest_count
            if t >= camp.start_step:
                if self.t50[c] < 0 and frac >= 0.5:
                    self.t50[c] = t - camp.start_step
                if self.t90[c] < 0 and frac >= 0.9:
                    self.t90[c] = t - camp.start_step

    def _detect(self, t: int, features: np.ndarray) -> np.ndarray:
        p, f = self.params, self.params.flows_per_node
        if t <= p.warmup_steps:
            self._warmup[:, (t - 1) * f: t * f] = features
            if t == p.warmup_steps:
                self.detector.fit(self._warmup)
                self._warmup = None
            return np.zeros(features.shape[:2], bool)
        _, flagged = self.detector.predict_flags(features)
        self.detector.update(features, flagged)
        return flagged

    def _blocked(self, flows) -> np.ndarray:
        """Flows matching a confirmed signature that the receiving node knows of."""
        s = self.sigs
        blocked = np.zeros(flows.label.shape, bool)
        if len(s) == 0:
            return blocked
        confirmed = np.flatnonzero(s["outcome"] == CONFIRMED)
        if confirmed.size == 0:
            return blocked
        keys = flows.key
        sig_keys = s.cols["key"][confirmed]
        for key in np.unique(sig_keys):
            node, col = np.nonzero(keys == key)
            if node.size == 0:
                continue
            port, lb, lp = flows.dst_port[node, col], flows.log_bytes[node, col], flows.log_packets[node, col]
            hit = np.zeros(node.size, bool)
            for i in confirmed[sig_keys == key]:
                hit |= s.knows[i, node] & rule_matches(s.rule(i), port, lb, lp)
            blocked[node[hit], col[hit]] = True
        return blocked

    def _propose(self, t: int, flows, flagged: np.ndarray, m: dict) -> None:
        p, s = self.params, self.sigs
        node, col = np.nonzero(flagged)
        rules = rules_from_flagged(node, flows.key[node, col], flows.dst_port[node, col],
                                   flows.log_bytes[node, col], flows.log_packets[node, col], p.min_flagged)
        rules = self._not_yet_known(rules)
        for r in rules:
            same_key = flows.key[r["origin"]] == r["key"]
            r["confidence"] = r.pop("n_flows") / max(1, int(same_key.sum()))
            r["threat_type"] = _threat_type(r)
        forgers = np.flatnonzero(self.forging(t))
        if t > p.warmup_steps and forgers.size and p.forge_prob > 0:
            tr = self.traffic
            for origin in forgers[self.rng.random(forgers.size) < p.forge_prob]:
                svc = int(self.rng.choice(len(tr.service_prefix), p=tr.service_weight))
                rule = forged_rule(int(origin), int(tr.service_prefix[svc]), int(tr.service_port[svc]), int(tr.service_proto[svc]))
                # a forger labels its fake rule as the attack that fits the service's protocol
                rules.append(dict(rule, confidence=1.0, threat_type="ddos" if rule["proto"] == UDP else "exfiltration"))
        if not rules:
            return
        for r in rules:
            cover = campaign_coverage(r, self.probes, self.probe_keys)
            best = int(np.argmax(cover)) if cover.size else -1
            r.update(created_step=t, campaign=best if best >= 0 and cover[best] >= COVERAGE_GENUINE else -1,
                     coverage=float(cover[best]) if best >= 0 else 0.0)
            r["genuine"] = r["campaign"] >= 0
        idx = s.add(rules)
        origins = s.cols["origin"][idx]
        s.holds[idx, origins] = True
        m["signatures_proposed"] += idx.size
        if p.sharing == "ledger":
            s.holds[idx] = True
            s.cols["messages"][idx] += p.n_nodes - 1
            m["messages"] += (p.n_nodes - 1) * idx.size
        elif p.sharing == "central":
            s.cols["messages"][idx] += 1
            m["messages"] += idx.size
        elif p.sharing == "none":
            self._settle(t, idx, np.ones(idx.size, bool), m)
        for i, r in zip(idx, rules):
            self._entries.append((int(r["origin"]), "signature", {
                "sig": s.sig_ids[i], "threat_type": r["threat_type"], "confidence": round(float(r["confidence"]), 6),
                "rule": {k: (round(float(r[k]), 6) if isinstance(r[k], float) else int(r[k]))
                         for k in ("prefix", "proto", "port_lo", "port_hi", "lb_lo", "lb_hi", "lp_lo", "lp_hi")}}))

    def _not_yet_known(self, rules: list[dict]) -> list[dict]:
        """Drop rules whose origin already holds a pending, or knows a confirmed, signature with that key."""
        s = self.sigs
        if not rules or len(s) == 0:
            return rules
        known: dict[int, np.ndarray] = {}
        for key in {r["key"] for r in rules}:
            same = s["key"] == key
            pend = np.flatnonzero(same & (s["outcome"] == PENDING))
            conf = np.flatnonzero(same & (s["outcome"] == CONFIRMED))
            known[key] = s.holds[pend].any(axis=0) | s.knows[conf].any(axis=0)
        return [r for r in rules if not known[r["key"]][r["origin"]]]

    # --- views ----------------------------------------------------------------------------------------
    def node_state(self, node: int) -> str:
        """``malicious``, ``under_attack`` (targeted by a campaign it is not protected against),
        ``protected`` (protected against some campaign) or ``healthy``."""
        if self.malicious[node]:
            return "malicious"
        if (self.targeted[:, node] & ~self.protected[:, node]).any():
            return "under_attack"
        if self.protected[:, node].any():
            return "protected"
        return "healthy"


def _threat_type(rule: dict) -> str:
    """What the detecting node makes of its flagged flows, from the rule's shape (sizes in log units)."""
    log_packets = (rule["lp_lo"] + rule["lp_hi"]) / 2
    log_bytes = (rule["lb_lo"] + rule["lb_hi"]) / 2
    if rule["port_lo"] != rule["port_hi"]:
        return "port_scan"
    if rule["proto"] == UDP and log_packets > 4.5:
        return "ddos"
    if rule["proto"] == TCP and log_bytes > 11:
        return "exfiltration"
    return "anomalous_traffic"
