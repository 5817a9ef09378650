"""A trace as the model's traffic (``ModelParams(traffic="trace", ...)``): runs, campaigns, padding,
every outcome, the sweep engine, and bad input stopped before anything runs.

Expected values are recomputed here from the frame ``read_trace`` gives, with pandas."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import run_model
from workbench.experiments import Sweep, load, load_frames
from workbench.model.detectors import make_detector_bank
from workbench.model.model import ThreatIntelModel
from workbench.model.params import ModelParams
from workbench.model.phases.detection import WarmupDetector
from workbench.options import TRACE_FORMATS, TRACE_NODE_RULES
from workbench.traces import FORMAT_NAMES, NODE_RULES, TraceError, TraceFileNotFound, read_trace

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
CIC17 = SAMPLES / "cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv"
TABLE = SAMPLES / "table_FORMAT-SAMPLE_flows.csv"
MAX_NODES, STEPS = 24, 50
BASE = dict(
    traffic="trace",
    trace_path=str(CIC17),
    trace_format="cic-ids2017",
    step_seconds=60.0,
    max_nodes=MAX_NODES,
    flows_per_node=20,
    warmup_steps=5,
)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """The sample's flows with ``step`` and ``node`` (index among the busiest destinations, else -1)."""
    df = read_trace(CIC17, "cic-ids2017")
    counts = df["dst_addr"].value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_NODES]
    node_of = {name: i for i, (name, _) in enumerate(ranked)}
    return df.assign(
        step=((df["timestamp"] - df["timestamp"].min()).dt.total_seconds() // 60).astype(int),
        node=df["dst_addr"].map(node_of).fillna(-1).astype(int),
    )


@pytest.fixture(scope="module")
def replay():
    return run_model(BASE, seed=3, steps=STEPS)


def test_option_lists_agree_with_the_readers():
    assert TRACE_FORMATS == FORMAT_NAMES and TRACE_NODE_RULES == NODE_RULES


def test_replay_runs_with_the_traces_nodes_and_campaigns(frame, replay):
    kept = frame[frame["node"] >= 0]
    attacks = kept[kept["is_attack"]]
    first = attacks.groupby("attack_category")["step"].min().sort_values(kind="stable")
    camp = replay.campaigns
    assert replay.params.n_nodes == MAX_NODES and replay.params.n_campaigns == len(first) == 3
    # the campaigns are the labelled categories, named by their label, starting when first seen
    assert list(camp["label"]) == list(camp["kind"]) == list(first.index) == ["DDoS", "PortScan", "SSH-Patator"]
    assert list(camp["start_step"]) == list(first.to_numpy() + 1)  # model step t replays trace step t - 1
    # targeted: the nodes each category reached by the end of its evaluation window (trace steps first ..
    # first + eval_window_steps - 1, within the run; no adversaries: every node is honest)
    window = replay.params.eval_window_steps
    end = attacks["attack_category"].map(first) + window - 1
    seen = attacks[(attacks["step"] <= end) & (attacks["step"] < STEPS)]
    hit = seen.groupby("attack_category")["node"].nunique()
    np.testing.assert_allclose(camp["targeted_frac"], hit[first.index].to_numpy() / MAX_NODES)
    np.testing.assert_array_equal(camp["attack_flows"], seen.groupby("attack_category").size()[first.index])
    assert len(replay.steps) == STEPS


def test_every_flow_is_counted_once_and_padding_never(frame, replay):
    # flows_per_node (20) >= the busiest node-step of the sample: nothing is subsampled
    kept = frame[(frame["node"] >= 0) & (frame["step"] < STEPS)]
    assert kept.groupby(["step", "node"]).size().max() <= BASE["flows_per_node"]
    per_step = kept.groupby("step")["is_attack"].agg(["sum", "size"]).reindex(range(STEPS), fill_value=0)
    np.testing.assert_array_equal(replay.steps["attack_flows"], per_step["sum"])
    np.testing.assert_array_equal(replay.steps["benign_flows"], per_step["size"] - per_step["sum"])
    s = replay.steps
    assert (s["attack_flagged"] <= s["attack_flows"]).all() and (s["benign_flagged"] <= s["benign_flows"]).all()
    assert (s["attack_flows_blocked"] <= s["attack_flows"]).all()
    assert (s.loc[s["step"] <= BASE["warmup_steps"], ["attack_flagged", "benign_flagged"]] == 0).all().all()


def test_padding_is_never_flagged_and_never_enters_the_baseline():
    rng = np.random.default_rng(0)
    window = rng.normal(5.0, 0.5, (3, 40, 4))
    det = WarmupDetector(make_detector_bank("zscore", rng=rng, zscore_refit_steps=1), 1, 3, 6, window=window)
    assert not det.flag(1, rng.normal(5.0, 0.5, (3, 6, 4))).any()  # warm-up step: nothing flagged
    features = rng.normal(5.0, 0.5, (3, 6, 4))
    features[:, 4:] = 0.0  # padding: features 0, many sds from the baseline
    valid = np.ones((3, 6), bool)
    valid[:, 4:] = False
    unmasked = det.bank.predict_flags(features)[1]
    assert unmasked[:, 4:].all()  # the test has teeth: unmasked, padding would be flagged
    flagged = det.flag(2, features, valid)
    assert not flagged[~valid].any()
    assert not (det.bank.buffer_ == 0).all(axis=-1).any()  # no padding row was written into the baseline


def test_same_seed_same_frames_other_seed_other_sample():
    a, b = run_model(BASE, seed=3, steps=30), run_model(BASE, seed=3, steps=30)
    for name in ("steps", "signatures", "campaigns"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.ledger_head == b.ledger_head
    narrow = dict(BASE, flows_per_node=3)  # busy nodes are subsampled from the model's Generator
    assert not run_model(narrow, seed=1, steps=30).steps.equals(run_model(narrow, seed=2, steps=30).steps)


@pytest.mark.parametrize("sharing", ["none", "central", "ledger", "gossip"])
def test_every_outcome_works_on_a_trace(sharing):
    r = run_model(dict(BASE, sharing=sharing), seed=1, steps=STEPS)
    s = r.summary
    assert r.summary["attack_flows"] > 0 and 0 <= s["recall"] <= 1 and 0 <= s["fpr"] <= 1
    assert s["signatures_proposed"] > 0 and s["signatures_confirmed"] > 0  # detection -> signatures -> decisions
    assert s["attack_blocked_frac"] > 0  # confirmed signatures block the trace's attack flows
    # a campaign is protected where a confirmed signature covers it (a node knowing a confirmed rule on
    # a key proposes no other rule on it, so on this sample one early rule can shadow the campaigns)
    sigs = r.signatures
    covered = set(sigs.loc[(sigs["outcome"] == "confirmed") & (sigs["campaign"] >= 0), "campaign"])
    assert set(np.flatnonzero(r.campaigns["protected_frac"] > 0)) == covered
    assert (s["votes_cast"] > 0) == (sharing in ("ledger", "gossip"))
    assert (s["messages_total"] > 0) == (sharing != "none")
    assert r.ledger_entries >= s["signatures_proposed"] + s["votes_cast"]


def test_adversaries_and_the_isolation_forest_on_a_trace():
    forge = run_model(
        dict(BASE, sharing="ledger", malicious_fraction=0.25, malicious_behavior="forge", forge_prob=0.5),
        seed=2,
        steps=30,
    )
    forged = forge.signatures[forge.signatures["forged"]]
    assert len(forged) > 0 and forged["origin_malicious"].all()
    assert forge.summary["votes_cast"] > 0
    iforest = run_model(dict(BASE, detector="iforest", iforest_trees=20), seed=2, steps=30)
    assert iforest.summary["attack_flows"] > 0 and iforest.summary["recall"] > 0  # the forests flag attacks


def test_table_format_with_a_column_mapping():
    columns = dict(
        timestamp="start_time",
        src_addr="source",
        dst_addr="destination",
        dst_port="dport",
        protocol="proto",
        bytes="octets",
        packets="pkts",
        duration_s="duration_ms",
        label="verdict",
    )
    as_dict = ModelParams(
        traffic="trace",
        trace_path=str(TABLE),
        trace_format="table",
        trace_columns=columns,
        trace_options={"duration_unit": "ms"},
        max_nodes=10,
        flows_per_node=10,
        warmup_steps=2,
    )
    as_json = as_dict.replace(trace_columns=json.dumps(columns), trace_options='{"duration_unit": "ms"}')
    as_pairs = as_dict.replace(trace_columns=tuple(reversed(list(columns.items()))))
    assert as_dict == as_json == as_pairs and hash(as_dict) == hash(as_json)
    # through JSON (a results store) and back
    plain = as_dict.to_dict()
    assert json.loads(json.dumps(plain)) == plain  # a results store's manifest holds exactly this
    assert ModelParams.from_dict(json.loads(json.dumps(plain))) == as_dict
    # two flows per node in the two warm-up steps: refused as degenerate, unless asked to go on
    with pytest.raises(ValueError, match=r"the detectors' warm-up is degenerate: 10 of 10 nodes"):
        run_model(as_dict, seed=0, steps=5)
    r = run_model(as_dict.replace(trace_options={"duration_unit": "ms", "warmup_check": "warn"}), seed=0, steps=5)
    assert r.summary["attack_flows"] + r.steps["benign_flows"].sum() > 0


@pytest.mark.slow
def test_sweep_local_and_processes_give_identical_frames(tmp_path):
    sweep = Sweep(
        dict(BASE), {"sharing": ["none", "gossip"]}, replicates=2, steps=30, seed=4, keep=["steps", "campaigns"]
    )
    local = sweep.run(backend="local", store=tmp_path / "local", quiet=True)
    assert (local.status == "ok").all(), local.error.dropna().tolist()
    procs = sweep.run(backend="processes", store=tmp_path / "procs", quiet=True, max_workers=2)
    pd.testing.assert_frame_equal(procs, local)
    for name in ("steps", "campaigns"):
        pd.testing.assert_frame_equal(load_frames(tmp_path / "procs", name), load_frames(tmp_path / "local", name))
    camps = load_frames(tmp_path / "local", "campaigns")
    # the campaigns frame lists the categories that started within the run's 30 steps (SSH-Patator: 31)
    assert set(camps.groupby("run_id")["label"].agg(tuple)) == {("DDoS", "PortScan")}
    direct = run_model(
        dict(BASE, sharing="gossip"), seed=int(local.loc[local.sharing == "gossip", "seed"].iloc[0]), steps=30
    )
    row = local[(local.sharing == "gossip")].iloc[0]
    assert row["recall"] == pytest.approx(direct.summary["recall"], nan_ok=True, rel=0, abs=0)


@pytest.mark.ray
def test_sweep_on_ray_gives_the_local_frames(tmp_path, ray_session):
    sweep = Sweep(dict(BASE), {"sharing": ["ledger", "gossip"]}, replicates=1, steps=20, seed=4, keep=["campaigns"])
    local = sweep.run(backend="local", store=tmp_path / "local", quiet=True)
    on_ray = sweep.run(backend="ray", store=tmp_path / "ray", quiet=True)
    assert (local.status == "ok").all()
    pd.testing.assert_frame_equal(on_ray, local)
    pd.testing.assert_frame_equal(load(tmp_path / "ray"), local)
    pd.testing.assert_frame_equal(
        load_frames(tmp_path / "ray", "campaigns"), load_frames(tmp_path / "local", "campaigns")
    )


# --- bad input: a clear error before the model runs, and nothing written ------------------------------
def _cic_lines() -> list[str]:
    return CIC17.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)


def _bad_file(tmp_path: Path, kind: str) -> Path:
    lines = _cic_lines()
    path = tmp_path / f"{kind}.csv"
    if kind == "empty":
        path.write_text("")
    elif kind == "missing_column":
        header = lines[0].rstrip("\r\n").split(",")
        drop = header.index(" Label")
        rows = [",".join(c for i, c in enumerate(line.rstrip("\r\n").split(",")) if i != drop) + "\n" for line in lines]
        path.write_text("".join(rows))
    elif kind == "bad_timestamp":
        cells = lines[27].split(",")
        cells[6] = "2017-13-45 9:00:31"
        path.write_text("".join([*lines[:27], ",".join(cells), *lines[28:]]))
    return path


@pytest.mark.parametrize(
    "kind, match",
    [
        (
            "missing_column",
            r"trace_path=.*column\(s\) 'Label' required by format 'cic-ids2017' not found; "
            r"columns found: 'Flow ID', 'Source IP'",
        ),
        ("empty", r"trace_path=.*empty"),
        ("missing_path", r"trace_path=.*does not exist"),
    ],
)
def test_file_errors_are_raised_by_the_parameters(tmp_path, kind, match):
    path = tmp_path / "nowhere.csv" if kind == "missing_path" else _bad_file(tmp_path, kind)
    with pytest.raises(ValueError, match=match) as info:
        ModelParams(**dict(BASE, trace_path=str(path)))
    if kind == "missing_path":
        assert isinstance(info.value, TraceFileNotFound)
    with pytest.raises(ValueError, match=match):
        run_model(dict(BASE, trace_path=str(path)), steps=5)
    with pytest.raises(ValueError, match=match):  # a sweep plans (and validates) every run before writing
        Sweep(dict(BASE, trace_path=str(path)), {"sharing": ["none", "gossip"]}, steps=5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if kind == "missing_path" else [f"{kind}.csv"])


def test_unknown_format_missing_path_field_and_misplaced_columns():
    with pytest.raises(ValueError, match=r"trace_format='pcap' is not allowed; choose one of 'cic-ids2017'"):
        ModelParams(**dict(BASE, trace_format="pcap"))
    with pytest.raises(ValueError, match=r"trace_path=None is not allowed with traffic='trace'"):
        ModelParams(traffic="trace")
    with pytest.raises(ValueError, match=r"trace_columns=.* is only used with trace_format='table'"):
        ModelParams(**dict(BASE, trace_columns={"bytes": "x"}))
    with pytest.raises(ValueError, match=r"trace_options=.*not allowed"):
        ModelParams(**dict(BASE, trace_options="{not json"))
    with pytest.raises(ValueError, match=r"unknown option 'colour' for format 'cic-ids2017'"):
        ModelParams(**dict(BASE, trace_options={"colour": "red"}))
    with pytest.raises(ValueError, match=r"steps=51 is out of range; expected an integer with 1 <= x <= 50"):
        run_model(BASE, steps=51)


def test_unparsable_timestamp_names_its_row_and_nothing_is_written(tmp_path):
    path = _bad_file(tmp_path, "bad_timestamp")
    params = ModelParams(**dict(BASE, trace_path=str(path), ledger="sqlite", ledger_path=str(tmp_path / "l.db")))
    match = r"trace_path=.*column 'Timestamp', row 27 \(line 28\): timestamp '2017-13-45 9:00:31' is not parsable"
    with pytest.raises(TraceError, match=match):
        run_model(params, steps=5)
    with pytest.raises(TraceError, match=match):
        ThreatIntelModel(params, rng=0)
    assert not (tmp_path / "l.db").exists()


def test_table_with_a_quoted_header(tmp_path):
    # pyarrow's and pandas' CSV writers quote header names; the table reader parses the header as CSV
    frame = pd.read_csv(TABLE)
    path = tmp_path / "quoted.csv"
    frame.to_csv(path, index=False, quoting=1)
    assert path.read_text().startswith('"start_time","source"')
    columns = {
        "timestamp": "start_time",
        "dst_addr": "destination",
        "bytes": "octets",
        "packets": "pkts",
        "duration_s": "duration_ms",
        "label": "verdict",
    }
    quoted = read_trace(path, "table", columns=columns)
    plain = read_trace(TABLE, "table", columns=columns)
    pd.testing.assert_frame_equal(quoted, plain)
