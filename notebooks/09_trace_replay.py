# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · Replaying flow records: the detectors and the sharing modes on a trace
#
# **Question:** On a researcher's own flow records (CIC-IDS2017/2018, UNSW-NB15, Zeek `conn.log` or any mapped
# table), how well do the local detectors separate each labelled attack category from benign traffic, and which
# way of sharing signatures (none, central, ledger, gossip) blocks the most attack flows on that traffic?
#
# **By default this notebook replays a FORMAT SAMPLE, not real traffic.** The default `trace_path` is
# `data/samples/cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv`, written by `scripts/make_sample_traces.py` from a
# fixed seed in the exact layout of CIC-IDS2017's labelled flows; every value in it was drawn by that script. The
# numbers below then show that the pipeline works, and nothing about CIC-IDS2017 or any real network. Point
# `trace_path` at your own file to learn about your traffic, e.g.
# `papermill notebooks/09_trace_replay.ipynb out.ipynb -p trace_path /data/Wednesday-workingHours.pcap_ISCX.csv`.
#
# **Method.** The trace's busiest destinations (`max_nodes`) become the nodes, time bins of `step_seconds` the
# steps, and each labelled attack category a campaign (see `docs/traces.md`). The detector report fits each
# detector on the first `warmup_steps` steps of the trace (whatever they contain) and scores every later flow. The
# comparison then runs the whole model on the trace for every sharing mode over `replicates` seeds; the traffic
# is the same in every run, so the seeds vary the topology, the roles, the subsampling of busy nodes and the
# gossip, and the intervals (Student t over seeds) say how much the result depends on those, not on traffic.

# %% tags=["parameters"]
trace_path = "data/samples/cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv"  # relative to the repository, or absolute
trace_format = "cic-ids2017"  # cic-ids2017, cic-ids2018, unsw-nb15, zeek-conn or table
trace_options = {}  # reader options, e.g. {"labels_path": "labels.csv"} for zeek-conn, {"duration_unit": "ms"}
trace_columns = {}  # trace_format="table": {schema name: file column}
step_seconds = 60.0  # seconds of trace per model step
max_nodes = 30  # the busiest destinations become nodes
node_rule = "host"  # host, subnet24, port (files without addresses) or all
flows_per_node = None  # cap of flows a node keeps per step; None: the 99th percentile of the trace's node-steps
warmup_steps = 10  # first steps of the trace the detectors are fitted on (attacks in them are learnt as normal)
steps = None  # model steps; None: the whole trace
seed = 20261130  # root seed of the replicate seeds
replicates = 20  # seeds per sharing mode
sharing_modes = None  # None: every registered sharing channel (workbench.model.channels.CHANNELS)
topology = "small_world"  # the topology among nodes stays a parameter
detectors = ["zscore", "iforest"]
backend = "local"  # "local", "processes" or "ray"
store = None  # None: data/sweeps/<name>/ in this checkout
quiet = True

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

import workbench
from workbench.analysis.headline import show_headline
from workbench.analysis.stats import summarize
from workbench.analysis.trace_detectors import detector_report
from workbench.analysis.trace_replay import ranking_text
from workbench.experiments import Sweep
from workbench.model.channels import CHANNELS
from workbench.model.params import ModelParams
from workbench.model.trace_params import load_trace
from workbench.provenance import provenance

sharing_modes = list(sharing_modes or CHANNELS.names())
REPO = Path(workbench.__file__).resolve().parents[1]
path = Path(trace_path).expanduser()
if not path.is_absolute() and not path.exists():
    path = REPO / path  # papermill runs in the notebook's folder; the default is relative to the repository
is_sample = "FORMAT-SAMPLE" in path.name
trace_params = dict(
    traffic="trace",
    trace_path=str(path.resolve()),
    trace_format=trace_format,
    trace_options=trace_options,
    trace_columns=trace_columns,
    step_seconds=step_seconds,
    max_nodes=max_nodes,
    node_rule=node_rule,
    warmup_steps=warmup_steps,
    topology=topology,
)
base = ModelParams(**trace_params)  # checks the file (path, format, header columns) before anything runs
trace = load_trace(base)  # reads and bins the whole file (a bad row is reported here, with its row number)
if flows_per_node is None:
    flows_per_node = trace.flows_per_node_quantile(0.99)
base = base.replace(flows_per_node=int(flows_per_node))
steps = trace.n_steps if steps is None else int(steps)
if is_sample:
    display(
        Markdown(
            "> **FORMAT SAMPLE: every number below comes from a synthetic file written by "
            "`scripts/make_sample_traces.py`, not from real traffic.**"
        )
    )
info = trace.summary()
print(json.dumps(info, indent=1))
print(f"flows_per_node = {base.flows_per_node} (node-steps above it are subsampled); steps = {steps}")
trace.campaigns

# %% [markdown]
# ## How the local detectors do on this trace
#
# Per detector and attack category: the per-flow ROC AUC of the anomaly score against benign flows, the recall
# and the false-positive rate at the detector's own threshold (all flows after warm-up, at every node, without
# subsampling; `"all attacks"` pools the categories). An AUC near 0.5 means the detector's features do not tell
# that category from this network's benign traffic, and no sharing scheme can fix that.

# %%
report = detector_report(trace, detectors, warmup_steps=warmup_steps, seed=seed)
report[["detector", "attack_category", "n_attack_flows", "n_benign_flows", "roc_auc", "recall", "fpr"]].round(3)

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
cats = list(dict.fromkeys(report["attack_category"]))
width = 0.8 / len(detectors)
for k, name in enumerate(detectors):
    rows = report[report["detector"] == name].set_index("attack_category").loc[cats]
    ax.bar(np.arange(len(cats)) + k * width, rows["roc_auc"], width, label=name)
ax.axhline(0.5, color="grey", lw=0.8, ls="--")
ax.set(
    xticks=np.arange(len(cats)) + width * (len(detectors) - 1) / 2,
    xticklabels=cats,
    ylim=(0, 1.02),
    ylabel="per-flow ROC AUC",
    title="detectors per attack category" + (" (FORMAT SAMPLE)" if is_sample else ""),
)
ax.legend()
plt.show()


# %%
def detector_sentence(report):
    pooled = report[report["attack_category"] == "all attacks"].set_index("detector")
    best = pooled["roc_auc"].idxmax()
    parts = [
        f"{name}: AUC {row.roc_auc:.2f}, recall {row.recall:.1%} at FPR {row.fpr:.1%}"
        for name, row in pooled.iterrows()
    ]
    per_cat = report[(report["detector"] == best) & (report["attack_category"] != "all attacks")]
    worst = per_cat.loc[per_cat["roc_auc"].idxmin()] if per_cat["roc_auc"].notna().any() else None
    text = f"Pooled over attack categories ({'; '.join(parts)}), **{best}** separates attacks best."
    if worst is not None:
        text += (
            f" Its weakest category is {worst.attack_category} (AUC {worst.roc_auc:.2f}, recall "
            f"{worst.recall:.1%}, {worst.n_attack_flows:,} flows)."
        )
    return text


display(Markdown(detector_sentence(report)))

# %% [markdown]
# ## The sharing modes on this trace
#
# The same trace, nodes and detector (`detector` default, z-score) for every mode; outcomes per run: the share of
# attack flows blocked, the share of benign flows blocked, the share of honest nodes a category reached before
# they were protected against it, and the messages sent.

# %%
sweep = Sweep(
    base,
    {"sharing": list(sharing_modes)},
    replicates=replicates,
    steps=steps,
    seed=seed,
    keep=["campaigns"],
    name=f"09_trace_replay_{path.stem}",
)
results = sweep.run(backend=backend, store=store, quiet=quiet)
failed = results[results.status != "ok"]
if len(failed):
    raise RuntimeError(f"{len(failed)} runs failed: {failed.error.iloc[0]}")
outcomes = {
    "attack_blocked_frac": "attack flows blocked",
    "benign_blocked_frac": "benign flows blocked",
    "hit_before_protected_frac": "nodes hit before protected",
    "messages_total": "messages",
}
table = summarize(results, list(outcomes), by=["sharing"])
table.round(4)

# %%
fig, axes = plt.subplots(1, len(outcomes), figsize=(3.2 * len(outcomes), 3.0), layout="constrained")
for ax, (outcome, label) in zip(axes, outcomes.items()):
    rows = table[table["outcome"] == outcome].set_index("sharing").loc[list(sharing_modes)]
    err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
    ax.errorbar(np.arange(len(rows)), rows["mean"], yerr=np.nan_to_num(err), fmt="o", capsize=3)
    ax.set(xticks=np.arange(len(rows)), xticklabels=rows.index, title=label)
fig.suptitle(f"mean and 95% interval over {replicates} seeds" + (" (FORMAT SAMPLE)" if is_sample else ""))
plt.show()

# %%
sentences = [
    ranking_text(table, "attack_blocked_frac", "Attack flows blocked"),
    ranking_text(table, "benign_blocked_frac", "Benign flows blocked", higher_is_better=False),
    ranking_text(table, "hit_before_protected_frac", "Honest nodes hit before protected", higher_is_better=False),
    ranking_text(table, "messages_total", "Messages", higher_is_better=False, percent=False),
]
caveat = (
    "These results come from a **FORMAT SAMPLE** generated by a script: they show that the replay works, "
    "not how the modes compare on real traffic."
    if is_sample
    else f"These results describe `{path.name}` at step_seconds={step_seconds:g}, max_nodes={max_nodes}, "
    f"with {replicates} seeds; another capture, binning or node rule can rank the modes differently."
)
display(Markdown("\n\n".join(["- " + s for s in sentences] + [caveat])))

# %%
ranked = table[table["outcome"] == "attack_blocked_frac"].sort_values("mean", ascending=False)
blocked = ranked.iloc[0]
best_mode = str(blocked["sharing"])
if len(ranked) > 1 and ranked.iloc[1]["ci_high"] >= blocked["ci_low"]:  # intervals overlap: say so
    best_mode += f" (not separated from {ranked.iloc[1]['sharing']} by {replicates} seeds)"
pooled = report[report["attack_category"] == "all attacks"].set_index("detector")
zscore_auc = pooled.loc["zscore", "roc_auc"] if "zscore" in pooled.index else float("nan")
suffix = " (format sample)" if is_sample else ""
show_headline(
    {
        "best_blocked": (blocked["mean"], blocked["ci_low"], blocked["ci_high"]),
        "best_mode": best_mode,
        "zscore_auc": zscore_auc,
    },
    labels={
        "best_blocked": f"attack flows blocked, best mode{suffix}",
        "best_mode": f"best sharing mode{suffix}",
        "zscore_auc": f"z-score per-flow ROC AUC, all attacks{suffix}",
    },
    units={"best_blocked": "share of attack flows"},
)

# %% [markdown]
# ## Provenance

# %%
record = provenance(
    notebook="09_trace_replay.ipynb",
    trace_path=str(path),
    format_sample=is_sample,
    trace_summary=info,
    sweep=sweep.to_dict(),
    spec_hash=sweep.spec_hash,
    model_version=sweep.model_version,
    backend=backend,
    store=results.attrs["store"],
)
print(json.dumps(record, indent=2, default=str))
