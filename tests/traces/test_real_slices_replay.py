"""The real slices replayed: the trace report, the detector report and run_model on every sharing mode.

A trace with zero, one or many attack categories replays; the report's counts add up (kept plus
dropped equals read) on every slice; a degenerate warm-up is refused with the way out; categories the
binning drops are named.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import ModelParams, run_model
from workbench.analysis.trace_detectors import detector_report
from workbench.model.trace_params import load_trace
from workbench.traces import TraceConfig, TraceError, load_traffic, read_trace, trace_report
from workbench.traces.table import NF_V2_COLUMNS

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
SHARING = ("none", "central", "ledger", "gossip")
ZEEK_LABELS = {"label_column": "label", "category_column": "detailedlabel"}
#: a replayable binning of every slice (trace fields of ModelParams)
SLICES = {
    "cic-traffic-labelling": dict(
        trace_path=str(REAL / "cic-ids2017_friday-ddos_traffic-labelling_rows-1-299.csv"), trace_format="cic-ids2017"
    ),
    "cic-machine-learning": dict(
        trace_path=str(REAL / "cic-ids2017_friday-ddos_machine-learning_rows-1-2000.csv"),
        trace_format="cic-ids2017",
        node_rule="port",
        rows_per_step=100,
    ),
    "cic-improved": dict(
        trace_path=str(REAL / "cic-ids2017-improved_friday_sample.csv"), trace_format="cic-ids2017", step_seconds=600
    ),
    "unsw-raw": dict(
        trace_path=str(REAL / "unsw-nb15_1_rows-1-3000.csv"),
        trace_format="unsw-nb15",
        step_seconds=5,
        trace_options={"anchor_quantile": 0.01},
    ),
    "unsw-header": dict(
        trace_path=str(REAL / "unsw-nb15_1_rows-1-3500_with-header-row.csv"),
        trace_format="unsw-nb15",
        step_seconds=5,
        trace_options={"anchor_quantile": 0.01},
    ),
    "unsw-test": dict(
        trace_path=str(REAL / "unsw-nb15_testing-set_rows-1-4528.csv"),
        trace_format="unsw-nb15",
        node_rule="all",
        rows_per_step=200,
    ),
    "ctu13": dict(
        trace_path=str(REAL / "ctu-13_scenario-6_capture20110816_1008-1011.binetflow"),
        trace_format="argus-binetflow",
        step_seconds=5,
    ),
    "zeek-labelled": dict(
        trace_path=str(REAL / "zeek_ctu-malware-capture-botnet-230-1_labelled_conn.log"),
        trace_format="zeek-conn",
        trace_options=ZEEK_LABELS,
    ),
    "zeek-unlabelled": dict(
        trace_path=str(REAL / "zeek_android-mischief-rat01_unlabelled_conn.log"),
        trace_format="zeek-conn",
        step_seconds=120,
        max_nodes=10,
    ),
    "zeek-json": dict(trace_path=str(REAL / "zeek_port-scanning_unlabelled_conn.json.log"), trace_format="zeek-conn"),
    "zeek-mixed": dict(
        trace_path=str(REAL / "zeek_ctu-normal-40-day1_mixed_labelled_conn.log"),
        trace_format="zeek-conn",
        step_seconds=600,
        trace_options={**ZEEK_LABELS, "anchor_quantile": 0.01},
    ),
    "netflow": dict(
        trace_path=str(REAL / "netflow-v2_nf-bot-iot-v2-reduced_rows-1-10000.csv.gz"),
        trace_format="table",
        trace_columns=NF_V2_COLUMNS,
        trace_options={"duration_unit": "ms"},
        rows_per_step=500,
    ),
}
pytestmark = pytest.mark.filterwarnings("ignore::workbench.traces.TraceWarning")


def _params(name: str, **changes) -> ModelParams:
    return ModelParams(traffic="trace", **{"max_nodes": 20, "flows_per_node": 16, **SLICES[name], **changes})


@pytest.mark.parametrize("name", list(SLICES))
def test_the_trace_report_counts_add_up_on_every_real_slice(name):
    params = _params(name)
    report = trace_report(params)
    assert report.counts_add_up, (report.rows_read, report.rows_kept, report.rows_dropped)
    assert report.rows_read == report.rows_kept + sum(report.rows_dropped.values())
    traffic = load_traffic(TraceConfig.from_params(params))
    assert report.rows_kept == int(traffic.label_matrix.sum()) == traffic.rows_kept
    cats = report.categories
    assert (cats["rows_kept"] + cats["rows_dropped"] == cats["rows_found"]).all()
    frame = read_trace(params.trace_path, params.trace_format, **TraceConfig.from_params(params).reader_options())
    found = frame.loc[frame["is_attack"], "attack_category"].value_counts()
    assert dict(zip(cats["category"], cats["rows_found"], strict=True)) == found.to_dict()
    assert report.n_campaigns == int((cats["rows_kept"] > 0).sum()) == traffic.n_campaigns
    table = report.table()
    assert list(table.columns) == ["item", "value"] and len(table) >= 12
    assert report.to_dict()["rows_read"] == report.rows_read


def test_a_thin_warmup_is_refused_with_the_way_out_and_reanchoring_fixes_it():
    # UNSW-NB15_1.csv's first rows: a few start 38 s before the rest, so the first steps hold almost nothing
    params = _params("unsw-raw", trace_options={})
    report = trace_report(params)
    assert report.warmup.degenerate
    assert any(w.startswith("thin warm-up: 20 of 20 nodes") for w in report.warnings)
    assert any("anchor_quantile" in w for w in report.warnings)
    with pytest.raises(ValueError, match=r"warm-up is degenerate.*lie 38 s before the rest.*'anchor_quantile': 0.01"):
        run_model(params, seed=1, steps=10)
    anchored = trace_report(_params("unsw-raw"))
    assert not anchored.warmup.degenerate and anchored.rows_dropped["out of time order"] == 24
    assert anchored.counts_add_up
    # the warm-up in numbers: own flows per node per warm-up step
    fps = anchored.warmup_flows_per_node_step
    per_node = anchored.warmup.per_node
    assert fps["median"] == pytest.approx(np.median(per_node["warmup_flows"] / 5))
    assert any(w.startswith("attack in warm-up:") for w in anchored.warnings)  # UNSW attacks from the first second


def test_benign_traffic_concentrated_on_one_flow_key_is_warned_about():
    # UNSW-NB15's benign hosts share one /16: one false rule on it blocks most benign flows (docs/traces.md)
    report = trace_report(_params("unsw-raw"))
    keys = load_traffic(TraceConfig.from_params(_params("unsw-raw"))).benign_keys()
    assert keys["prefix"].iloc[0] == "59.166.0.0/16" and keys["protocol"].iloc[0] == 6
    assert round(keys["share"].iloc[0], 2) == 0.79 and keys["share"].sum() == pytest.approx(1.0)
    assert any(w.startswith("flow keys: 79% of the benign flows") for w in report.warnings)


def test_categories_the_binning_drops_are_named():
    report = trace_report(_params("ctu13", max_nodes=30, warmup_steps=10))
    cats = report.categories.set_index("category")
    assert cats.loc["TCP-Attempt-SPAM", "rows_kept"] == 0 and cats.loc["TCP-Attempt-SPAM", "rows_found"] > 0
    assert any(w.startswith("category 'TCP-Attempt-SPAM': all") for w in report.warnings)
    assert report.rows_dropped["outside kept nodes"] > 0


def test_an_unlabelled_trace_says_so():
    report = trace_report(_params("zeek-unlabelled", trace_options={"warmup_check": "warn"}))
    assert not report.labelled and report.n_campaigns == 0
    assert report.warnings[0].startswith("unlabelled:")


@pytest.mark.parametrize("sharing", SHARING)
@pytest.mark.parametrize("name", ["cic-machine-learning", "zeek-unlabelled", "unsw-raw"])
def test_real_slices_replay_on_every_sharing_mode(name, sharing):
    params = _params(
        name, sharing=sharing, trace_options={**SLICES[name].get("trace_options", {}), "warmup_check": "warn"}
    )
    steps = load_trace(params).n_steps
    r = run_model(params, seed=3, steps=steps)
    s = r.summary
    assert r.steps["benign_flows"].sum() > 0 and 0 <= s["benign_blocked_frac"] <= 1
    assert math.isfinite(s["messages_per_node_step"]) and (s["messages_per_node_step"] == 0) == (sharing == "none")
    if name == "unsw-raw":  # labelled, many categories: campaigns named by the file's labels
        trace = load_trace(params)
        assert len(r.campaigns) > 0 and set(r.campaigns["label"]) <= set(trace.campaign_labels)
        assert set(trace.campaign_labels) == {"DoS", "Exploits", "Generic", "Reconnaissance", "Shellcode"}
        assert r.params.n_campaigns == 5 and r.params.n_nodes == trace.n_nodes
    else:  # no attacks: protection outcomes are undefined, false blocks and costs are measured
        assert len(r.campaigns) == 0 and r.params.n_campaigns == 0
        assert math.isnan(s["attack_blocked_frac"]) and math.isnan(s["protected_frac_mean"])
        assert math.isnan(s["t50_median_steps"]) and s["attack_flows"] == 0


def test_detector_report_on_real_slices():
    traffic = load_traffic(TraceConfig.from_params(_params("unsw-raw")))
    report = detector_report(traffic, ("zscore", "iforest"), warmup_steps=5, iforest_trees=30)
    assert set(report["attack_category"]) == {*traffic.campaign_labels, "all attacks"}
    assert report["roc_auc"].between(0, 1).all() and set(report["fit"]) <= {"ok", "flags most benign flows"}
    pooled = report[report["attack_category"] == "all attacks"]
    assert (pooled["n_attack_flows"] > 0).all() and (pooled["n_benign_flows"] > 0).all()
    benign_only = load_traffic(TraceConfig.from_params(_params("cic-machine-learning")))
    only = detector_report(benign_only, ("zscore",), warmup_steps=5)
    assert only["attack_category"].tolist() == ["all attacks"] and math.isnan(only["roc_auc"].iloc[0])
    assert 0 <= only["fpr"].iloc[0] <= 1
    degenerate = load_traffic(TraceConfig.from_params(_params("unsw-raw", trace_options={})))
    assert set(detector_report(degenerate, ("zscore",), warmup_steps=5)["fit"]) == {"degenerate warm-up"}


def test_every_real_slice_reads_without_error():
    for name in SLICES:
        config = TraceConfig.from_params(_params(name))
        frame = read_trace(config.path, config.format, **config.reader_options())
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0, name


def test_a_too_short_trace_is_refused_before_anything_runs():
    with pytest.raises(TraceError, match="no flow at any node|warm-up is degenerate"):
        run_model(_params("cic-traffic-labelling"), seed=0, steps=1)
