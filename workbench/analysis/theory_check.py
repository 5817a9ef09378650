"""The model against closed forms nobody here fitted: simulate, compare, and say whether they agree.

Each ``*_check`` function runs the model (or the pure decision function) and returns a :class:`Check`:
the formula's value with the band a correct simulation of this size falls in (about 99%), and the
observed value with its own 95% interval. ``tests/model/test_*_against_theory.py`` assert ``check.agrees`` on these
very functions, and ``notebooks/07_theory_check.py`` draws them, so the figure a reviewer reads is the
test that passes.

- Condorcet's jury theorem: independent voters of accuracy ``p``, majority of ``V`` votes:
  ``P(Bin(V, p) >= floor(V/2) + 1)`` (:func:`workbench.model.consensus.condorcet_confirm_probability`).
- Collusion: ``c`` of ``V`` voters always approve a forgery, honest ones approve with probability ``e``:
  ``P(Bin(V - c, e) >= Q - c)`` (:func:`workbench.model.consensus.collusion_false_acceptance`).
- Push gossip on the complete graph: rounds until all ``N`` nodes hold an item, asymptotically
  ``log2 N + ln N + c`` (Frieze & Grimmett 1985, Pittel 1987), and exactly by the Markov chain of
  :func:`workbench.model.theory.push_spreading_time` (push-pull: :func:`push_pull_spreading_time`).
- Rumour mongering with feedback and coin: the residue ``s = exp(-(k + 1)(1 - s))`` (Demers et al. 1987,
  :func:`workbench.model.theory.rumor_residue`).
- Demers et al.'s Tables 1 and 2 (:func:`demers_table`), beside the same process simulated again without the
  model's code (:mod:`workbench.analysis.demers_reference`), which tells a model error from a printed value
  the process does not produce.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis import demers_reference
from workbench.analysis.intervals import wilson_interval
from workbench.analysis.stats import mean_ci
from workbench.model import theory
from workbench.model.consensus import (
    approvals_needed,
    collusion_false_acceptance,
    condorcet_confirm_probability,
    decide,
)
from workbench.model.gossip import expected_push_rounds
from workbench.model.params import ModelParams
from workbench.model.run import run_model

Z99 = 2.5758293035489  # two-sided 99% normal quantile: the acceptance band of every check
# Frieze-Grimmett 1985 / Pittel 1987: rounds = log2 N + ln N + c; c = 1.15-1.19 simulated on K_N
FG_OFFSET = 1.17
# Nothing but the mechanism under test: no message loss, no ledger delay, every relay forwards.
CLEAN_CHANNEL: dict[str, Any] = {"message_loss": 0.0, "ledger_latency_steps": 0, "malicious_relay": "forward"}


@dataclass(frozen=True)
class Check:
    """One simulation-versus-formula comparison.

    ``expected`` is the formula's value; ``band_low``..``band_high`` where the observed value of a correct
    simulation of this size falls with probability about 99% (the test's acceptance region);
    ``observed`` with its 95% interval ``obs_low``..``obs_high``; ``n`` observations (signatures, trials
    or spreading times) behind it; ``quantity`` says what is compared, in which unit.
    """

    name: str
    quantity: str
    expected: float
    band_low: float
    band_high: float
    observed: float
    obs_low: float
    obs_high: float
    n: int

    @property
    def agrees(self) -> bool:
        """The observed value lies inside the formula's acceptance band."""
        return bool(self.band_low <= self.observed <= self.band_high)


def share_check(name: str, quantity: str, successes: int, trials: int, expected: float, slack: float = 0.0) -> Check:
    """A share against a probability: band ``expected +- 2.58 sqrt(e (1 - e) / n) + slack``, Wilson 95% interval."""
    half = Z99 * math.sqrt(expected * (1 - expected) / trials) + slack if trials else math.inf
    low, high = wilson_interval(successes, trials)
    return Check(
        name,
        quantity,
        expected,
        expected - half,
        expected + half,
        successes / trials if trials else math.nan,
        float(low),
        float(high),
        int(trials),
    )


def checks_frame(checks: Iterable[Check]) -> pd.DataFrame:
    """One row per check, with ``agrees``."""
    return pd.DataFrame([{**asdict(c), "agrees": c.agrees} for c in checks])


# --- consensus -----------------------------------------------------------------------------------------
def condorcet_params(n_nodes: int = 11, accuracy: float = 0.6) -> ModelParams:
    """A ledger network of independent voters and many genuine signatures (frequent campaigns)."""
    return ModelParams(
        n_nodes=n_nodes,
        topology="complete",
        sharing="ledger",
        validation="independent",
        validator_accuracy=accuracy,
        consensus="majority",
        n_campaigns=10,
        campaign_interval_steps=3,
        campaign_seed_nodes=4,
        flows_per_node=20,
        warmup_steps=3,
        **CLEAN_CHANNEL,
    )


def condorcet_check(
    n_nodes: int = 11, accuracy: float = 0.6, seeds: Iterable[int] = range(25), steps: int = 36
) -> Check:
    """Share of decided genuine signatures confirmed, against Condorcet's tail for ``n_nodes - 1`` voters
    (every node but the origin votes)."""
    params = condorcet_params(n_nodes, accuracy)
    sigs = pd.concat([run_model(params, seed=s, steps=steps).signatures for s in seeds])
    genuine = sigs[sigs.genuine & (sigs.outcome != "pending")]
    expected = condorcet_confirm_probability(n_nodes - 1, accuracy, "majority")
    return share_check(
        f"Condorcet, {n_nodes - 1} voters, p={accuracy:g}",
        "genuine signatures confirmed (share)",
        int((genuine.outcome == "confirmed").sum()),
        len(genuine),
        expected,
    )


def collusion_decision_check(
    voters: int = 20, colluders: int = 3, error: float = 0.5, quorum: float = 2 / 3, trials: int = 40_000, seed: int = 7
) -> Check:
    """The pure decision rule (:func:`decide`, supermajority) on simulated votes, against the collusion formula."""
    rng = np.random.default_rng(seed)
    needed = int(approvals_needed(voters, "supermajority", quorum))
    votes_for = (rng.random((trials, voters - colluders)) < error).sum(axis=1) + colluders
    accepted = int(decide(votes_for, voters - votes_for, "supermajority", quorum).sum())
    expected = collusion_false_acceptance(voters, colluders, error, needed)
    return share_check(
        f"collusion on decide(), V={voters}, c={colluders}, e={error:g}",
        "forgeries accepted (share)",
        accepted,
        trials,
        expected,
        slack=1e-4,
    )


def collusion_params(n_nodes: int = 21, error: float = 0.5, quorum: float = 2 / 3, n_malicious: int = 4) -> ModelParams:
    """A ledger network of independent voters with ``n_malicious`` colluders forging often, no campaigns."""
    return ModelParams(
        n_nodes=n_nodes,
        topology="complete",
        sharing="ledger",
        validation="independent",
        validator_accuracy=1 - error,
        consensus="supermajority",
        quorum=quorum,
        malicious_fraction=n_malicious / n_nodes,
        malicious_behavior="collude",
        forge_prob=0.5,
        n_campaigns=0,
        flows_per_node=5,
        attack_flows_per_node=1,
        warmup_steps=2,
        **CLEAN_CHANNEL,
    )


def collusion_check(
    n_nodes: int = 21,
    error: float = 0.5,
    quorum: float = 2 / 3,
    n_malicious: int = 4,
    seeds: Iterable[int] = range(10),
    steps: int = 30,
) -> Check:
    """Share of decided forgeries confirmed through the model, against ``P(Bin(V - c, e) >= Q - c)`` with
    ``V = n_nodes - 1`` voters (the origin does not vote) and ``c = n_malicious - 1`` colluding voters."""
    params = collusion_params(n_nodes, error, quorum, n_malicious)
    sigs = pd.concat([run_model(params, seed=s, steps=steps).signatures for s in seeds])
    forged = sigs[sigs.forged & (sigs.outcome != "pending")]
    voters, colluding = n_nodes - 1, params.n_malicious - 1
    expected = collusion_false_acceptance(
        voters, colluding, error, int(approvals_needed(voters, "supermajority", quorum))
    )
    return share_check(
        f"collusion via model, N={n_nodes}, {params.n_malicious} colluders, e={error:g}",
        "forgeries confirmed (share)",
        int((forged.outcome == "confirmed").sum()),
        len(forged),
        expected,
    )


def colluders_win(n_nodes: int = 11, malicious_fraction: float = 0.6, seed: int = 3, steps: int = 10) -> pd.Series:
    """Outcomes of the decided forgeries when colluders are a majority of perfect honest voters (all confirmed)."""
    params = ModelParams(
        n_nodes=n_nodes,
        topology="complete",
        sharing="ledger",
        validation="independent",
        validator_accuracy=1.0,
        consensus="majority",
        malicious_fraction=malicious_fraction,
        malicious_behavior="collude",
        forge_prob=1.0,
        n_campaigns=0,
        flows_per_node=5,
        attack_flows_per_node=1,
        warmup_steps=2,
        **CLEAN_CHANNEL,
    )
    sigs = run_model(params, seed=seed, steps=steps).signatures
    return sigs.loc[sigs.forged & (sigs.outcome != "pending"), "outcome"]


# --- gossip --------------------------------------------------------------------------------------------
def gossip_params(
    n_nodes: int,
    malicious_fraction: float,
    fanout: int = 1,
    gossip_mode: str = "push",
    rumor_k: float = 2.0,
    loss: float = 0.0,
) -> ModelParams:
    """Forgers publish a signature every step on a complete graph; no vote ends a spread early
    (deadline 1000 steps), so each signature's spread is the bare gossip protocol."""
    return ModelParams(
        n_nodes=n_nodes,
        topology="complete",
        sharing="gossip",
        gossip_fanout=fanout,
        gossip_mode=gossip_mode,
        rumor_k=rumor_k,
        validation="independent",
        validator_accuracy=1.0,
        vote_deadline_steps=1000,
        n_campaigns=0,
        flows_per_node=4,
        attack_flows_per_node=1,
        warmup_steps=2,
        malicious_fraction=malicious_fraction,
        malicious_behavior="forge",
        forge_prob=1.0,
        **{**CLEAN_CHANNEL, "message_loss": loss},
    )


def spread_rounds(params: ModelParams, steps: int, seeds: Iterable[int], tail: int = 30) -> np.ndarray:
    """Rounds until every node holds a signature (``spread_rounds``), for signatures made at least ``tail``
    steps before the end (so slow spreads are not cut off, which would bias the mean down). Raises
    ``RuntimeError`` if such a signature did not finish spreading."""
    rounds = []
    for seed in seeds:
        sigs = run_model(params, seed=seed, steps=steps).signatures
        early = sigs[sigs.created_step <= steps - tail]
        if early.spread_rounds.isna().any():
            raise RuntimeError("a signature did not reach every node within the tail; lengthen the tail")
        rounds.append(early.spread_rounds.to_numpy(dtype=float))
    return np.concatenate(rounds) if rounds else np.empty(0)


def _mean_check(name: str, quantity: str, values: np.ndarray, expected: float, half_band: float) -> Check:
    mean, low, high = mean_ci(values)
    return Check(
        name, quantity, expected, expected - half_band, expected + half_band, mean, low, high, int(values.size)
    )


def frieze_grimmett_check(
    n_nodes: int = 100, malicious_fraction: float = 0.1, steps: int = 45, seeds: Iterable[int] = range(3)
) -> Check:
    """Mean push spreading time through the model against ``log2 N + ln N + 1.17``: band = the sample's own
    99% interval plus 0.1 round of tolerance (the constant is asymptotic)."""
    rounds = spread_rounds(gossip_params(n_nodes, malicious_fraction), steps, seeds)
    half = Z99 * rounds.std(ddof=1) / math.sqrt(rounds.size) + 0.1
    return _mean_check(
        f"push spreading, N={n_nodes} (Frieze-Grimmett)",
        "rounds to reach all nodes (mean)",
        rounds,
        expected_push_rounds(n_nodes) + FG_OFFSET,
        half,
    )


def exact_spreading_check(
    n_nodes: int = 64,
    fanout: int = 1,
    gossip_mode: str = "push",
    loss: float = 0.0,
    malicious_fraction: float = 0.1,
    steps: int = 40,
    seeds: Iterable[int] = range(3),
    tail: int = 25,
) -> Check:
    """Mean spreading time through the model against the exact Markov chain (push or push-pull on ``K_N``):
    band = the chain's mean +- 2.58 sd / sqrt(n). Signatures made in the same step spread independently."""
    chain = {"push": theory.push_spreading_time, "push_pull": theory.push_pull_spreading_time}[gossip_mode]
    exact = chain(n_nodes, fanout, loss)
    rounds = spread_rounds(
        gossip_params(n_nodes, malicious_fraction, fanout, gossip_mode, loss=loss), steps, seeds, tail
    )
    low, high = exact.mean_interval(max(rounds.size, 1))
    return _mean_check(
        f"{gossip_mode} spreading, N={n_nodes}, fanout {fanout}, loss {loss:g} (exact chain)",
        "rounds to reach all nodes (mean)",
        rounds,
        exact.mean,
        (high - low) / 2,
    )


def rumor_residue_check(
    n_nodes: int = 500,
    k: float = 2.0,
    malicious_fraction: float = 0.02,
    steps: int = 40,
    seeds: Iterable[int] = range(2),
    tail: int = 25,
    tolerance: float = 0.01,
) -> Check:
    """Mean residue (share of nodes a finished rumour never reached) through the model against the
    large-N fixed point ``s = exp(-(k + 1)(1 - s))``: band = +- 2.58 standard errors of the sample mean plus
    ``tolerance`` for finite ``N``."""
    params = gossip_params(n_nodes, malicious_fraction, gossip_mode="rumor", rumor_k=k)
    values = []
    for seed in seeds:
        sigs = run_model(params, seed=seed, steps=steps).signatures
        early = sigs[sigs.created_step <= steps - tail]
        values.append(early["residue"].dropna().to_numpy(dtype=float))
    residue = np.concatenate(values)
    expected = theory.rumor_residue(k)
    half = Z99 * residue.std(ddof=1) / math.sqrt(residue.size) + tolerance if residue.size > 1 else math.inf
    return _mean_check(
        f"rumour residue, N={n_nodes}, k={k:g}", "share of nodes never reached (mean)", residue, expected, half
    )


# --- Demers et al.'s tables ----------------------------------------------------------------------------
# Demers, Greene, Hauser, Irish, Larson, Shenker, Sturgis, Swinehart, Terry, "Epidemic algorithms for
# replicated database maintenance", PODC 1987, pp. 1-12; Xerox PARC CSL-89-1 (1989), Tables 1 and 2: push
# rumour mongering on 1000 sites (complete graph, one contact per site and cycle, no loss), each entry as
# printed: residue s, traffic m (messages per site), t_ave and t_last (cycles). Table 1: feedback and
# counter; Table 2: blind and coin.
DEMERS_PUBLISHED: dict[str, dict[int, tuple[str, str, str, str]]] = {
    "table_1": {
        1: ("0.18", "1.7", "11.0", "16.8"),
        2: ("0.037", "3.3", "12.1", "16.9"),
        3: ("0.011", "4.5", "12.5", "17.4"),
        4: ("0.0036", "5.6", "12.7", "17.5"),
        5: ("0.0012", "6.7", "12.8", "17.7"),
    },
    "table_2": {
        1: ("0.96", "0.04", "19", "38"),
        2: ("0.20", "1.6", "17", "33"),
        3: ("0.060", "2.8", "15", "32"),
        4: ("0.021", "3.9", "14.1", "32"),
        5: ("0.008", "4.9", "13.8", "32"),
    },
}
# the variant each table simulates, as ModelParams fields; Table 1 with feedback about the start-of-round
# state (rumor_feedback_at="round_start"), the convention that reproduces its residue and traffic
DEMERS_VARIANTS: dict[str, dict[str, Any]] = {
    "table_1": {"rumor_feedback": True, "rumor_stop": "counter", "rumor_feedback_at": "round_start"},
    "table_2": {"rumor_feedback": False, "rumor_stop": "coin"},
}
DEMERS_MEASURES = ("residue", "traffic_per_node", "t_ave_rounds", "t_last_rounds")


def demers_params(table: str, k: int, n_nodes: int = 1000, forgers: int = 4, **variant: Any) -> ModelParams:
    """:func:`gossip_params` with Demers' setting: ``n_nodes`` on the complete graph, fanout 1, no loss, push
    rumour mongering in ``table``'s variant (``variant`` overrides its fields, e.g. ``rumor_feedback_at``);
    ``forgers`` forging nodes publish one rumour each per step; one flow per node and step (no campaigns)."""
    return gossip_params(n_nodes, forgers / n_nodes, gossip_mode="rumor", rumor_k=float(k)).replace(
        flows_per_node=1, **{**DEMERS_VARIANTS[table], **variant}
    )


def demers_rumours(
    params: ModelParams, seeds: Iterable[int], forging_steps: int = 15, tail: int = 60
) -> tuple[pd.DataFrame, int]:
    """The measures (:data:`DEMERS_MEASURES`) of the rumours made in the first ``forging_steps`` steps after the
    warm-up, run ``tail`` steps longer, over ``seeds``; and how many of them were still spreading at the end
    (censored, left out of the frame)."""
    steps = params.warmup_steps + forging_steps + tail
    frames, censored = [], 0
    for seed in seeds:
        sigs = run_model(params, seed=seed, steps=steps).signatures
        early = sigs[sigs.created_step <= params.warmup_steps + forging_steps]
        censored += int(early["residue"].isna().sum())
        frames.append(early.loc[early["residue"].notna(), list(DEMERS_MEASURES)])
    return pd.concat(frames, ignore_index=True), censored


def _half_unit(printed: str) -> float:
    """Half a unit in the last printed digit of ``printed`` (``"0.037"`` -> 0.0005, ``"32"`` -> 0.5)."""
    decimals = len(printed.partition(".")[2])
    return 0.5 * 10.0**-decimals


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    """Mean and standard error of the mean (``inf`` for fewer than two values)."""
    se = values.std(ddof=1) / math.sqrt(values.size) if values.size > 1 else math.inf
    return float(values.mean()), float(se)


def demers_reference_rumours(table: str, k: int, n_nodes: int = 1000, runs: int = 1000, seed: int = 0) -> pd.DataFrame:
    """``runs`` rumours of ``table``'s process simulated by :mod:`workbench.analysis.demers_reference` (the paper's
    process written again, sharing no code with the model; feedback about the start-of-round state), one row each,
    columns :data:`DEMERS_MEASURES`. Seeded by ``(seed, table number, k)``."""
    variant = DEMERS_VARIANTS[table]
    rng = np.random.default_rng([seed, int(table.rpartition("_")[2]), k])
    return demers_reference.simulate(
        n_nodes, k, feedback=variant["rumor_feedback"], stop=variant["rumor_stop"], runs=runs, rng=rng
    )


def demers_table(
    tables: Iterable[str] = ("table_1", "table_2"),
    ks: Iterable[int] = (1, 2, 3),
    seeds: Iterable[int] = range(1),
    n_nodes: int = 1000,
    forging_steps: int = 15,
    reference_runs: int = 1000,
    **variant: Any,
) -> pd.DataFrame:
    """The simulation beside Demers et al.'s Tables 1 and 2 (:data:`DEMERS_PUBLISHED`): one row per table, ``k``
    and measure, with the published value, the mean over the finished rumours with its 95% t-interval
    (``obs_low``..``obs_high``), ``n`` rumours and ``censored`` ones, and ``agrees``: the published value lies
    within ``margin`` of the mean, ``margin`` = 2.58 standard errors of the mean plus half a unit in the
    published value's last printed digit (the paper prints two or three significant digits and no
    sampling error of its own). ``variant``: :func:`demers_params` overrides (the same for every table).
    Each run goes on ``3 t_last + 10`` steps after its forging (published ``t_last``), so that its rumours finish.

    Beside them, the same process simulated independently of the model (:func:`demers_reference_rumours`,
    ``reference_runs`` rumours per cell; 0 leaves these columns NaN): ``reference`` (its mean) with its 95%
    interval (``ref_low``..``ref_high``); ``matches_reference``: the model's mean lies within ``ref_margin`` of
    it, ``ref_margin`` = 2.58 standard errors of the difference of the two means (no tolerance: it is the same
    process); ``published_in_reference``: the published value lies within 2.58 standard errors of the reference
    mean plus half a printed unit. The reference is the paper's process whatever ``variant`` says."""
    rows = []
    seeds = list(seeds)
    for table in tables:
        for k in ks:
            published = DEMERS_PUBLISHED[table][k]
            tail = int(3 * float(published[3])) + 10
            found, censored = demers_rumours(demers_params(table, k, n_nodes, **variant), seeds, forging_steps, tail)
            ref = (
                demers_reference_rumours(table, k, n_nodes, reference_runs, seeds[0] if seeds else 0)
                if reference_runs > 0
                else None
            )
            for measure, printed in zip(DEMERS_MEASURES, published):
                values = found[measure].to_numpy(dtype=float)
                mean, low, high = mean_ci(values)
                _, se = _mean_se(values)
                margin = Z99 * se + _half_unit(printed)
                row = {
                    "table": table,
                    "k": k,
                    "measure": measure,
                    "published": float(printed),
                    "observed": mean,
                    "obs_low": low,
                    "obs_high": high,
                    "margin": margin,
                    "agrees": bool(abs(mean - float(printed)) <= margin),
                    "n": int(values.size),
                    "censored": censored,
                    "reference": math.nan,
                    "ref_low": math.nan,
                    "ref_high": math.nan,
                    "ref_margin": math.nan,
                    "matches_reference": False,
                    "published_in_reference": False,
                }
                if ref is not None:
                    ref_values = ref[measure].to_numpy(dtype=float)
                    ref_mean, ref_low, ref_high = mean_ci(ref_values)
                    _, ref_se = _mean_se(ref_values)
                    ref_margin = Z99 * math.hypot(se, ref_se)
                    row.update(
                        reference=ref_mean,
                        ref_low=ref_low,
                        ref_high=ref_high,
                        ref_margin=ref_margin,
                        matches_reference=bool(abs(mean - ref_mean) <= ref_margin),
                        published_in_reference=bool(
                            abs(float(printed) - ref_mean) <= Z99 * ref_se + _half_unit(printed)
                        ),
                    )
                rows.append(row)
    return pd.DataFrame(rows)
