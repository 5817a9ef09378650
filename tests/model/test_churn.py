"""Churn (``churn_leave_rate``, ``churn_join_rate``; :mod:`workbench.model.churn`): the present count follows its
exact law, a departed node does nothing, a joining node catches up from its channel at a counted cost, and no churn
is bit-identical to the model without it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from workbench.model import metrics
from workbench.model.churn import present_probability
from workbench.model.model import ThreatIntelModel
from workbench.model.params import ModelParams
from workbench.model.run import run_model
from workbench.model.signatures import CONFIRMED

SMALL = dict(n_nodes=40, flows_per_node=20, warmup_steps=3, campaign_interval_steps=5, n_campaigns=4)
SEEDS = (0, 1, 2, 3, 4)


def _cast_per_node(model: ThreatIntelModel) -> np.ndarray:
    s = model.state.sigs
    _, node = s.cast.pairs(np.arange(len(s)))
    return np.bincount(node, minlength=model.params.n_nodes)


# --- the law ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("leave, join", [(0.05, 0.05), (0.02, 0.2), (0.1, 0.0)])
def test_present_count_stays_within_its_exact_binomial_band_at_every_step(leave, join):
    """After step t the present count is Binomial(N, p_t); checked at every step of every seed against the
    quantiles of that law, Bonferroni-corrected so the whole test fails by chance with probability <= 0.001."""
    n, steps = 200, 40
    alpha = 1e-3 / (steps * len(SEEDS))
    counts = np.zeros((len(SEEDS), steps), np.int64)
    for i, seed in enumerate(SEEDS):
        model = ThreatIntelModel(
            ModelParams(**dict(SMALL, n_nodes=n, flows_per_node=5, n_campaigns=1), sharing="none"),
            rng=seed,
            churn_leave_rate=leave,
            churn_join_rate=join,
        )
        for t in range(steps):
            model.step()
            counts[i, t] = model.state.present.sum()
    p_t = present_probability(np.arange(1, steps + 1), leave, join)
    lo, hi = stats.binom.ppf(alpha / 2, n, p_t), stats.binom.ppf(1 - alpha / 2, n, p_t)
    assert ((counts >= lo) & (counts <= hi)).all(), (counts, lo, hi)
    # and not merely inside a wide band: the mean over seeds follows N p_t (5 sigma of the mean of 5 binomials)
    sd = np.sqrt(n * p_t * (1 - p_t) / len(SEEDS))
    assert (np.abs(counts.mean(axis=0) - n * p_t) <= 5 * sd + 1e-9).all()


def test_equal_rates_settle_at_half_the_positions():
    assert present_probability(10_000, 0.05, 0.05) == pytest.approx(0.5)
    assert present_probability(0, 0.05, 0.05) == pytest.approx(1.0)
    assert present_probability(10_000, 0.01, 0.19) == pytest.approx(0.95)


# --- a departed node does nothing --------------------------------------------------------------------------
@pytest.mark.parametrize("sharing", ["gossip", "ledger"])
def test_a_departed_node_receives_no_traffic_detects_nothing_and_casts_no_vote(sharing):
    checked_absent = 0
    for seed in SEEDS[:3]:
        model = ThreatIntelModel(
            ModelParams(**SMALL, sharing=sharing), rng=seed, churn_leave_rate=0.1, churn_join_rate=0.1
        )
        for _ in range(30):
            rows_before = len(model.state.sigs)
            detections, cast = model.state.detections.copy(), _cast_per_node(model)
            model.step()
            st = model.state
            gone = ~st.present  # absent during this step's phases (churn runs first)
            # the step's flows are those of the honest nodes present, flows_per_node each (synthetic traffic)
            assert st.last.attack_flows + st.last.benign_flows == SMALL["flows_per_node"] * st.present_honest.sum()
            assert (st.detections[gone] == detections[gone]).all()
            assert (_cast_per_node(model)[gone] == cast[gone]).all()
            assert not st.sigs.relaying.any_of(np.arange(len(st.sigs)))[gone].any()
            assert st.present[st.sigs.cols.origin[rows_before : len(st.sigs)]].all()  # it proposes nothing
            checked_absent += int(gone.sum())
    assert checked_absent > 100


def test_outcomes_are_taken_over_the_nodes_present():
    model = ThreatIntelModel(
        ModelParams(**SMALL, sharing="central"), rng=3, churn_leave_rate=0.05, churn_join_rate=0.05
    )
    present = []
    for _ in range(30):
        model.step()
        present.append(model.state.present.sum())
        st = model.state
        for c in range(len(st.campaigns)):
            assert metrics.protected_frac(model, c) == pytest.approx(st.protected[c, st.honest & st.present].mean())
    result = run_model(SMALL | dict(sharing="central", churn_leave_rate=0.05, churn_join_rate=0.05), seed=3, steps=30)
    assert result.summary["nodes_present_mean"] == pytest.approx(np.mean(present))
    assert result.summary["churn_joins"] == model.state.churn.joins > 0
    assert result.summary["messages_per_node_step"] == pytest.approx(
        model.state.totals.messages / model.state.churn.present_node_steps
    )


# --- a joining node catches up ----------------------------------------------------------------------------
def _common_rules(model: ThreatIntelModel) -> set[int]:
    """Confirmed rules every honest node present knows."""
    st = model.state
    rows = np.flatnonzero(st.sigs.view.outcome == CONFIRMED)
    if rows.size == 0:
        return set()
    known = st.sigs.knows.dense(rows)[:, st.present_honest]
    return set(rows[known.all(axis=1)].tolist())


@pytest.mark.parametrize(
    "design",
    [dict(sharing="central"), dict(sharing="ledger"), dict(sharing="gossip", gossip_mode="push_pull")],
    ids=["central", "ledger", "gossip"],
)
def test_a_joining_node_applies_the_rules_the_others_have_at_the_step_it_joins(design):
    checked = 0
    for seed in SEEDS:
        model = ThreatIntelModel(ModelParams(**SMALL, **design), rng=seed, churn_leave_rate=0.03, churn_join_rate=0.3)
        for _ in range(35):
            common = _common_rules(model)
            joins_before = model.state.churn.catch_up_messages
            model.step()
            st = model.state
            for node in np.flatnonzero(st.churn.joined_step == model.steps).tolist():
                knows = set(np.flatnonzero(st.sigs.knows[:, node]).tolist())
                assert common <= knows, (node, common - knows)
                checked += bool(common)
            if (st.churn.joined_step == model.steps).any():
                assert st.churn.catch_up_messages > joins_before  # a request at least
    assert checked >= 3  # joiners that had rules to catch up on


def test_an_isolated_joiner_learns_nothing_and_sends_nothing():
    result = run_model(SMALL | dict(sharing="none", churn_leave_rate=0.05, churn_join_rate=0.2), seed=1, steps=30)
    assert result.summary["churn_joins"] > 0
    assert result.summary["catch_up_messages"] == 0
    assert result.summary["messages_total"] == 0


def test_a_new_identity_starts_with_no_rules_no_votes_and_prior_trust():
    model = ThreatIntelModel(ModelParams(**SMALL, sharing="none"), rng=2, churn_leave_rate=0.1, churn_join_rate=0.5)
    seen = 0
    for _ in range(30):
        model.step()
        st = model.state
        joined = np.flatnonzero(st.churn.joined_step == model.steps)
        if joined.size == 0 or len(st.sigs) == 0:
            continue
        rows = np.arange(len(st.sigs))
        # it holds and knows only what it proposed itself in its first step (an isolated node confirms its own)
        for matrix in (st.sigs.knows, st.sigs.holds):
            row, j = np.nonzero(matrix.dense(rows)[:, joined])
            assert (st.sigs.cols.origin[row] == joined[j]).all()
            assert (st.sigs.cols.created_step[row] == model.steps).all()
        assert (st.trust.trust[joined] == 0.5).all()
        seen += joined.size
    assert seen > 10


def test_catch_up_messages_and_bytes_follow_the_channel_and_are_in_the_totals():
    """Central: each joiner sends a request and receives every rule confirmed so far, one confirmation each."""
    model = ThreatIntelModel(ModelParams(**SMALL, sharing="central"), rng=4, churn_leave_rate=0.05, churn_join_rate=0.3)
    for _ in range(30):
        confirmed = int((model.state.sigs.view.outcome == CONFIRMED).sum())
        before = (model.state.churn.catch_up_messages, model.state.churn.catch_up_bytes)
        model.step()
        joiners = int((model.state.churn.joined_step == model.steps).sum())
        log = model.state.churn
        assert log.catch_up_messages - before[0] == joiners * (1 + confirmed)
        assert log.catch_up_bytes - before[1] == joiners * (37 + 256 * confirmed)
        assert model.state.last.messages >= log.catch_up_messages - before[0]
    assert log.catch_up_messages > log.joins  # rules were sent, not only requests
    result = run_model(SMALL | dict(sharing="central", churn_leave_rate=0.05, churn_join_rate=0.3), seed=4, steps=30)
    assert result.summary["catch_up_messages"] == log.catch_up_messages
    assert result.summary["catch_up_bytes_per_join"] == pytest.approx(log.catch_up_bytes / log.joins)
    assert result.summary["messages_total"] >= log.catch_up_messages


@pytest.mark.parametrize("protocol", ["crash_tolerant", "bft"])
def test_ordering_ledgers_run_under_churn_and_joiners_catch_up(protocol):
    result = run_model(
        SMALL
        | dict(
            sharing="ledger",
            ledger_protocol=protocol,
            vote_deadline_steps=8,
            churn_leave_rate=0.03,
            churn_join_rate=0.3,
        ),
        seed=1,
        steps=40,
    )
    assert result.summary["churn_joins"] > 0
    assert result.summary["catch_up_messages"] >= result.summary["churn_joins"]


# --- parameters and bit-identity ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["churn_leave_rate", "churn_join_rate"])
@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan")])
def test_bad_churn_rates_are_refused_naming_field_value_and_range(name, value):
    with pytest.raises(ValueError) as err:
        ModelParams(**{name: value})
    message = str(err.value)
    assert name in message and repr(value) in message.replace("nan", "nan") and "0.0 <= x <= 1.0" in message


def test_no_churn_is_bit_identical_to_the_model_without_it():
    base = run_model(SMALL | dict(sharing="gossip"), seed=5, steps=25)
    zero = run_model(SMALL | dict(sharing="gossip", churn_leave_rate=0.0, churn_join_rate=0.0), seed=5, steps=25)
    for frame in ("steps", "signatures", "campaigns", "votes"):
        assert getattr(base, frame).equals(getattr(zero, frame))
    assert base.summary.keys() == zero.summary.keys()
    for key, value in base.summary.items():
        assert value == zero.summary[key] or (np.isnan(value) and np.isnan(zero.summary[key])), key
    assert zero.summary["nodes_present_mean"] == SMALL["n_nodes"] and zero.summary["churn_joins"] == 0
