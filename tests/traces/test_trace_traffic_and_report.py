"""TraceTraffic (nodes, steps, campaigns, padded per-step flows) and the detector report, on the
CIC-IDS2017 format sample. Expected values are recomputed here with pandas from the read frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.trace_detectors import detector_report, score_trace
from workbench.flows import N_FEATURES, Flows, flow_key
from workbench.traces import PAD_LABEL, TraceError, TraceTraffic, read_trace

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
CIC17 = SAMPLES / "cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv"
CIC17_ML = SAMPLES / "cic-ids2017_FORMAT-SAMPLE_machine-learning.csv"
STEP, MAX_NODES = 60.0, 24


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return read_trace(CIC17, "cic-ids2017")


@pytest.fixture(scope="module")
def traffic(frame) -> TraceTraffic:
    return TraceTraffic(frame, step_seconds=STEP, max_nodes=MAX_NODES)


def _expected(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with ``step`` and ``node`` (index among the busiest destinations, else -1)."""
    counts = frame["dst_addr"].value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_NODES]
    node_of = {name: i for i, (name, _) in enumerate(ranked)}
    out = frame.assign(
        step=((frame["timestamp"] - frame["timestamp"].min()).dt.total_seconds() // STEP).astype(int),
        node=frame["dst_addr"].map(node_of).fillna(-1).astype(int),
    )
    return out


def test_nodes_are_the_busiest_destinations(frame, traffic):
    exp = _expected(frame)
    counts = frame["dst_addr"].value_counts()
    assert traffic.n_nodes == MAX_NODES
    assert list(traffic.node_names) == sorted(counts.index, key=lambda a: (-counts[a], a))[:MAX_NODES]
    assert traffic.summary()["n_rows_dropped_other_destinations"] == int((exp["node"] < 0).sum())
    assert traffic.summary()["n_rows_dropped_other_destinations"] > 0  # the sample has more hosts than 24


def test_steps_and_label_matrix(frame, traffic):
    exp = _expected(frame)
    kept = exp[exp["node"] >= 0]
    assert traffic.n_steps == kept["step"].max() + 1 == 50
    per_step = kept.groupby("step").size().reindex(range(traffic.n_steps), fill_value=0)
    np.testing.assert_array_equal(traffic.label_matrix.sum(axis=1), per_step.to_numpy())
    attacks = kept[kept["is_attack"]]
    for c, name in enumerate(traffic.campaign_labels):
        per = attacks[attacks["attack_category"] == name].groupby("step").size()
        per = per.reindex(range(traffic.n_steps), fill_value=0)
        np.testing.assert_array_equal(traffic.label_matrix[:, c + 1], per.to_numpy())


def test_campaigns_are_the_labelled_categories_in_order_of_first_step(frame, traffic):
    exp = _expected(frame)
    attacks = exp[(exp["node"] >= 0) & exp["is_attack"]]
    first = attacks.groupby("attack_category")["step"].min().sort_values(kind="stable")
    camp = traffic.campaigns
    assert list(camp["name"]) == list(first.index) == ["DDoS", "PortScan", "SSH-Patator"]
    assert list(camp["first_step"]) == list(first.to_numpy())
    assert list(camp["n_flows"]) == [int((attacks["attack_category"] == n).sum()) for n in first.index]
    assert list(camp["n_nodes_hit"]) == [
        attacks.loc[attacks["attack_category"] == n, "node"].nunique() for n in first.index
    ]
    t = int(first["PortScan"]) + 3
    at_t = attacks[attacks["step"] == t]
    targeted = traffic.targeted(t)
    for c, name in enumerate(traffic.campaign_labels):
        assert set(np.flatnonzero(targeted[c])) == set(at_t.loc[at_t["attack_category"] == name, "node"])


@pytest.mark.parametrize("width", [None, 3])
def test_step_is_padded_or_subsampled_with_a_valid_mask(frame, traffic, width):
    exp = _expected(frame)
    tt = traffic if width is None else TraceTraffic(frame, step_seconds=STEP, max_nodes=MAX_NODES, flows_per_node=width)
    name_to_code = {n: c + 1 for c, n in enumerate(tt.campaign_labels)}
    for t in (0, 25, 40):
        st = tt.step(t, rng=np.random.default_rng(t))
        at = exp[(exp["step"] == t) & (exp["node"] >= 0)]
        true_counts = at.groupby("node").size().reindex(range(tt.n_nodes), fill_value=0).to_numpy()
        F = width or true_counts.max()
        assert isinstance(st.flows, Flows) and st.flows.src_ip.shape == st.valid.shape == (tt.n_nodes, F)
        assert st.flows.features().shape == (tt.n_nodes, F, N_FEATURES)
        np.testing.assert_array_equal(st.n_flows, true_counts)
        np.testing.assert_array_equal(st.valid.sum(axis=1), np.minimum(true_counts, F))
        assert (st.flows.label[~st.valid] == PAD_LABEL).all() and (st.flows.label[st.valid] >= 0).all()
        assert (st.flows.src_ip[~st.valid] == 0).all()
        np.testing.assert_allclose(
            st.weight[true_counts > 0], true_counts[true_counts > 0] / np.minimum(true_counts, F)[true_counts > 0]
        )
        for node in np.flatnonzero(true_counts):  # each node's kept labels are drawn from its own flows
            own = at[at["node"] == node]
            codes = own["attack_category"].map(name_to_code).fillna(0).astype(int)
            kept = st.flows.label[node][st.valid[node]]
            if width is None:
                assert sorted(kept) == sorted(codes)
            else:
                assert set(kept) <= set(codes)
        # features match the frame's, as log(1 + x), for the valid flows
        lb = np.sort(st.flows.log_bytes[st.valid])
        if width is None:
            np.testing.assert_allclose(lb, np.sort(np.log1p(at["bytes"].to_numpy(float))))


def test_subsampling_is_reproducible_from_the_generator(frame):
    tt = TraceTraffic(frame, step_seconds=STEP, max_nodes=MAX_NODES, flows_per_node=2)
    t = 40
    a, b = tt.step(t, np.random.default_rng(7)), tt.step(t, np.random.default_rng(7))
    for name in ("src_ip", "dst_port", "proto", "log_bytes", "label"):
        np.testing.assert_array_equal(getattr(a.flows, name), getattr(b.flows, name))
    draws = {tuple(tt.step(t, np.random.default_rng(s)).flows.log_bytes[0]) for s in range(8)}
    assert tt.step(t, None).n_flows[0] > 2 and len(draws) > 1  # different seeds, different samples


def test_flow_key_is_source_slash16_and_protocol(traffic):
    t = int(traffic.campaigns.loc[0, "first_step"])
    st = traffic.step(t)
    attack = st.flows.label > 0
    # every attack flow of the sample comes from 172.16.0.1 over TCP
    expected = flow_key(np.array([(172 << 24) | (16 << 16) | 1], np.uint32), np.array([6]))[0]
    assert attack.any() and (st.flows.key[attack] == expected).all()


def test_warmup_features_come_from_the_first_steps(traffic):
    W = 32
    X = traffic.warmup_features(5, W, np.random.default_rng(0))
    assert X.shape == (traffic.n_nodes, W, N_FEATURES) and np.isfinite(X).all()
    pool = np.concatenate([traffic.features_of(t)[0] for t in range(5)])
    own = {t: traffic.features_of(t) for t in range(5)}
    for node in range(traffic.n_nodes):
        mine = np.concatenate([f[n == node] for f, n in own.values()])
        allowed = mine if len(mine) else pool
        assert all((allowed == row).all(axis=1).any() for row in X[node])
    np.testing.assert_array_equal(X, traffic.warmup_features(5, W, np.random.default_rng(0)))


def test_traces_without_addresses_or_timestamps():
    ml = read_trace(CIC17_ML, "cic-ids2017")
    with pytest.raises(TraceError, match="has no timestamps.*rows_per_step"):
        TraceTraffic(ml, step_seconds=60, max_nodes=10, node_rule="port")
    with pytest.raises(TraceError, match=r"node_rule='host' needs destination addresses.*node_rule='port'"):
        TraceTraffic(ml, step_seconds=60, max_nodes=10, rows_per_step=20)
    tt = TraceTraffic(ml, step_seconds=60, max_nodes=5, node_rule="port", rows_per_step=20)
    top = ml["dst_port"].value_counts()
    assert list(tt.node_names) == [f"port {p}" for p in sorted(top.index, key=lambda p: (-top[p], str(p)))[:5]]
    assert tt.n_steps == int(np.ceil(len(ml) / 20))
    assert (tt.step(0).flows.src_ip[tt.step(0).valid] == 0).all()  # no source address: 0.0.0.0


def test_subnet24_rule_groups_destinations(frame):
    tt = TraceTraffic(frame, step_seconds=STEP, max_nodes=100, node_rule="subnet24")
    nets = frame["dst_addr"].str.rsplit(".", n=1).str[0] + ".0/24"
    assert set(tt.node_names) == set(nets)
    assert tt.node_names[0] == nets.value_counts().index[0] == "192.168.10.0/24"


def test_bad_parameters_name_the_field(frame):
    with pytest.raises(ValueError, match=r"step_seconds=0 is out of range"):
        TraceTraffic(frame, step_seconds=0, max_nodes=5)
    with pytest.raises(ValueError, match=r"max_nodes=0 is out of range"):
        TraceTraffic(frame, step_seconds=60, max_nodes=0)
    with pytest.raises(ValueError, match=r"node_rule='dst' is not allowed"):
        TraceTraffic(frame, step_seconds=60, max_nodes=5, node_rule="dst")
    with pytest.raises(TraceError, match=r"lacks column\(s\) \['label'\]"):
        TraceTraffic(frame.drop(columns="label"), step_seconds=60, max_nodes=5)


def test_detector_report_on_the_sample(traffic):
    report = detector_report(traffic, ("zscore", "iforest"), warmup_steps=10, iforest_trees=50)
    assert list(report["attack_category"].unique()) == ["DDoS", "PortScan", "SSH-Patator", "all attacks"]
    scored = score_trace(traffic, "zscore", warmup_steps=10, rng=np.random.default_rng([0, 0]))
    z = report[report["detector"] == "zscore"].set_index("attack_category")
    assert z.loc["all attacks", "n_attack_flows"] == int((scored["label"] > 0).sum())
    assert z.loc["DDoS", "n_benign_flows"] == int((scored["label"] == 0).sum())
    assert z.loc["all attacks", "fpr"] == pytest.approx(scored.loc[scored["label"] == 0, "flagged"].mean())
    assert z.loc["PortScan", "recall"] == pytest.approx(scored.loc[scored["label"] == 2, "flagged"].mean())
    assert report["roc_auc"].between(0, 1).all()
    # the sample's attacks are built to be separable from its benign traffic, though not perfectly
    assert (report.loc[report["attack_category"] == "all attacks", "roc_auc"] > 0.6).all()
    assert (report.loc[report["attack_category"] == "all attacks", "roc_auc"] < 0.99).all()
    # warm-up flows are never scored
    assert scored["step"].min() >= 10


def test_probes_are_each_campaigns_own_flows(traffic):
    probes = traffic.probes(64, np.random.default_rng(3))
    assert len(probes) == traffic.n_campaigns
    attacker = np.uint32((172 << 24) | (16 << 16) | 1)
    for c, probe in enumerate(probes):
        assert set(probe) == {"src_ip", "dst_port", "proto", "log_bytes", "log_packets", "log_duration"}
        assert all(v.shape == (64,) for v in probe.values())
        assert (probe["src_ip"] == attacker).all()
        own = np.concatenate([traffic.features_of(t)[0][traffic.labels_of(t) == c + 1] for t in range(traffic.n_steps)])
        assert all((own[:, 0] == b).any() for b in probe["log_bytes"])


def test_check_trace_and_the_per_process_cache(tmp_path):
    from workbench.traces import TraceConfig, check_trace, load_traffic

    check_trace(CIC17, "cic-ids2017")  # reads the header only
    with pytest.raises(TraceError, match="does not exist"):
        check_trace(tmp_path / "none.csv", "cic-ids2017")
    config = TraceConfig(str(CIC17), "cic-ids2017", step_seconds=STEP, max_nodes=MAX_NODES)
    a = load_traffic(config)
    b = load_traffic(TraceConfig(CIC17, "cic-ids2017", step_seconds=int(STEP), max_nodes=MAX_NODES))
    c = load_traffic(config.replace(options={"block_size": 1 << 16}))
    assert a is b and c is not a
    assert a.campaign_labels == c.campaign_labels and a.n_steps == c.n_steps
    copy = tmp_path / "copy.csv"  # a file changed in place is read again
    copy.write_bytes(CIC17.read_bytes())
    d = load_traffic(config.replace(path=str(copy)))
    copy.write_bytes(CIC17.read_bytes()[: len(CIC17.read_bytes()) // 2].rsplit(b"\n", 1)[0] + b"\n")
    assert load_traffic(config.replace(path=str(copy))).n_rows_total < d.n_rows_total


def test_trace_config_validates_then_loads():
    from workbench.traces import TraceConfig, check_config, load_traffic

    with pytest.raises(ValueError, match=r"trace_format='pcap' is not allowed"):
        TraceConfig(str(CIC17), "pcap")
    with pytest.raises(ValueError, match=r"step_seconds=-1 is out of range"):
        TraceConfig(str(CIC17), "cic-ids2017", step_seconds=-1)
    with pytest.raises(ValueError, match=r"flows_per_node=0 is out of range"):
        TraceConfig(str(CIC17), "cic-ids2017", flows_per_node=0)
    with pytest.raises(ValueError, match=r"unknown option 'colums' for format 'zeek-conn'; known: "):
        check_config(TraceConfig(str(CIC17), "zeek-conn", options={"colums": {}}))
    config = TraceConfig(CIC17, "cic-ids2017", step_seconds=60, max_nodes=MAX_NODES, flows_per_node=8)
    check_config(config)
    traffic = load_traffic(config)
    assert traffic is load_traffic(config) and traffic.n_nodes == MAX_NODES and traffic.flows_per_node == 8
