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
# **Question:** On a researcher's own flow records (CIC-IDS2017/2018, UNSW-NB15, Zeek `conn.log`, CTU-13
# binetflow or any mapped table), how well do the local detectors separate each labelled attack category from
# benign traffic, and how do the ways of sharing signatures (none, central, ledger, gossip) compare on that
# traffic, on attack flows blocked, benign flows blocked, protection and messages at once?
#
# **By default this notebook replays real traffic**: the first 3,000 rows of UNSW-NB15's `UNSW-NB15_1.csv` as
# published (headerless, 98 attack flows in 5 categories, 2 minutes of traffic), a slice committed in
# `tests/data/real/` with its source and citation (Moustafa and Slay, MilCIS 2015). It is a small slice: the
# numbers below describe these two minutes, not UNSW-NB15. Point `trace_path` at your own file, e.g.
# `papermill notebooks/09_trace_replay.ipynb out.ipynb -p trace_path /data/capture.binetflow -p trace_format
# '"argus-binetflow"'`.
#
# **Method.** The trace's busiest destinations (`max_nodes`) become the nodes, time bins of `step_seconds` the
# steps, and each labelled attack category a campaign (`docs/traces.md`). The trace report says what was read,
# kept and dropped and what to be wary of. The detector report fits each detector on the first `warmup_steps`
# steps of the trace (whatever they contain) and scores every later flow. The comparison then runs the whole
# model on the trace for every sharing mode over `replicates` seeds; the traffic is the same in every run, so the
# seeds vary the topology, the roles, the subsampling of busy nodes and the gossip, and the intervals (Student t
# over seeds) say how much the result depends on those, not on traffic.

# %% tags=["parameters"]
trace_path = "tests/data/real/unsw-nb15_1_rows-1-3000.csv"  # relative to the repository, or absolute
trace_format = "unsw-nb15"  # cic-ids2017, cic-ids2018, unsw-nb15, zeek-conn, argus-binetflow or table
trace_options = {"anchor_quantile": 0.01}  # reader and binning options (the first rows of this file start 38 s early)
trace_columns = {}  # trace_format="table": {schema name: file column}
step_seconds = 5.0  # seconds of trace per model step
max_nodes = 20  # the busiest destinations become nodes
node_rule = "host"  # host, subnet24, port (files without addresses) or all
rows_per_step = 0  # files without timestamps: consecutive rows per step (0: bin by timestamp)
flows_per_node = None  # cap of flows a node keeps per step; None: the 99th percentile of the trace's node-steps
warmup_steps = 5  # first steps of the trace the detectors are fitted on (attacks in them are learnt as normal)
steps = None  # model steps; None: the whole trace
eval_window_steps = None  # steps each campaign is measured over; None: the longest every campaign completes
seed = 20261130  # root seed of the replicate seeds
replicates = 20  # seeds per sharing mode
sharing_modes = None  # None: every registered sharing channel (workbench.model.channels.CHANNELS)
topology = "small_world"  # the topology among nodes stays a parameter
detectors = ["zscore", "iforest"]
backend = "local"  # "local", "processes" or "ray"
store = None  # None: data/sweeps/<name>/ in this checkout
quiet = True

# %%
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import workbench
from workbench.analysis.headline import show_headline
from workbench.analysis.run_plots import provenance_markdown
from workbench.analysis.stats import summarize
from workbench.analysis.trace_detectors import detector_report
from workbench.analysis.trace_replay import design_ranking, ranking_summary, ranking_text
from workbench.experiments import Sweep, load_frames
from workbench.model.channels import CHANNELS
from workbench.model.params import ModelParams
from workbench.model.trace_params import load_trace, with_trace
from workbench.provenance import provenance
from workbench.traces import TraceWarning, trace_report

warnings.filterwarnings("ignore", category=TraceWarning)  # the file's unused columns: listed in the trace report

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
    rows_per_step=rows_per_step,
    warmup_steps=warmup_steps,
    topology=topology,
)
base = ModelParams(**trace_params)  # checks the file (path, format, header columns) before anything runs
if is_sample:
    display(
        Markdown(
            "> **FORMAT SAMPLE: every number below comes from a synthetic file written by "
            "`scripts/make_sample_traces.py`, not from real traffic.**"
        )
    )

# %% [markdown]
# ## What was read, kept and dropped
#
# Every data row of the file is counted once: kept (a flow at a kept node) or dropped with its reason. The
# warnings say what could decide the results below: a thin or zero-variance warm-up (the model refuses one
# that is degenerate), attacks already running during warm-up (learnt as normal), categories that never reach
# a kept node, clock and calendar questions, how concentrated benign traffic is on one flow key.

# %%
report = trace_report(base)
assert report.counts_add_up  # kept + dropped = read
report

# %%
trace = load_trace(base)  # the binned trace (read once); refuses a degenerate warm-up, naming the way out
if flows_per_node is None:
    flows_per_node = trace.flows_per_node_quantile(0.99)
base = base.replace(flows_per_node=int(flows_per_node))
steps = trace.n_steps if steps is None else int(steps)
if eval_window_steps is None and trace.n_campaigns:
    # every campaign's window complete and of one length: from the last campaign's start to the run's end
    eval_window_steps = max(1, steps - int(trace.campaigns["first_step"].max()))
if eval_window_steps is not None:
    base = base.replace(eval_window_steps=int(eval_window_steps))
effective = with_trace(base, trace)  # the model's n_nodes and n_campaigns are the trace's
print(
    f"{effective.n_nodes} nodes, {effective.n_campaigns} campaigns, {steps} steps of {step_seconds:g} s; "
    f"flows_per_node = {base.flows_per_node} (node-steps above it are subsampled); every campaign measured "
    f"over {effective.eval_window_steps} steps from its start"
)
trace.campaigns

# %% [markdown]
# ## How the local detectors do on this trace
#
# Per detector and attack category: the per-flow ROC AUC of the anomaly score against benign flows, the recall
# and the false-positive rate at the detector's own threshold (all flows after warm-up, at every node, without
# subsampling; `"all attacks"` pools the categories). An AUC near 0.5 means the detector's features do not tell
# that category from this network's benign traffic, and no sharing scheme can fix that. `fit` says when a
# detector did not fit this trace: a degenerate warm-up, or flagging most benign flows.

# %%
det = detector_report(trace, detectors, warmup_steps=warmup_steps, seed=seed)
det[["detector", "attack_category", "n_attack_flows", "n_benign_flows", "roc_auc", "recall", "fpr", "fit"]].round(3)

# %%
if trace.n_campaigns:
    fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
    cats = list(dict.fromkeys(det["attack_category"]))
    width = 0.8 / len(detectors)
    for k, name in enumerate(detectors):
        rows = det[det["detector"] == name].set_index("attack_category").loc[cats]
        ax.bar(np.arange(len(cats)) + k * width, rows["roc_auc"], width, label=name)
    ax.axhline(0.5, color="grey", lw=0.8, ls="--")
    ax.set(
        xticks=np.arange(len(cats)) + width * (len(detectors) - 1) / 2,
        xticklabels=cats,
        ylim=(0, 1.02),
        ylabel="per-flow ROC AUC",
        title="detectors per attack category" + (" (FORMAT SAMPLE)" if is_sample else ""),
    )
    ax.tick_params(axis="x", labelrotation=20)
    ax.legend()
    plt.show()


# %%
def detector_sentence(report: pd.DataFrame) -> str:
    pooled = report[report["attack_category"] == "all attacks"].set_index("detector")
    failed = pooled[pooled["fit"] != "ok"]
    text = ""
    if len(failed):
        text += (
            " ".join(
                f"**{name} did not fit this trace ({row.fit}: FPR {row.fpr:.1%})**; its flags, and every signature "
                "built from them, mostly hit benign traffic."
                for name, row in failed.iterrows()
            )
            + " "
        )
    if pooled["roc_auc"].notna().any():
        best = pooled["roc_auc"].idxmax()
        parts = [
            f"{name}: AUC {row.roc_auc:.2f}, recall {row.recall:.1%} at FPR {row.fpr:.1%}"
            for name, row in pooled.iterrows()
        ]
        text += f"Pooled over attack categories ({'; '.join(parts)}), **{best}** separates attacks best."
        inverted = pooled[pooled["roc_auc"] < 0.3]
        for name, row in inverted.iterrows():
            text += (
                f" {name}'s AUC of {row.roc_auc:.2f} is far below 0.5: it scores this trace's attacks as *more* normal "
                "than its benign traffic (attacks learnt during warm-up, or attacks that look like the commonest "
                "flows); its flags on attacks are chance hits."
            )
        per_cat = report[(report["detector"] == best) & (report["attack_category"] != "all attacks")]
        if per_cat["roc_auc"].notna().any():
            worst = per_cat.loc[per_cat["roc_auc"].idxmin()]
            text += (
                f" Its weakest category is {worst.attack_category} (AUC {worst.roc_auc:.2f}, recall "
                f"{worst.recall:.1%}, {worst.n_attack_flows:,} flows)."
            )
    else:
        rates = "; ".join(f"{name}: FPR {row.fpr:.1%}" for name, row in pooled.iterrows())
        text += f"The trace has no attack flow after warm-up, so only false-positive rates are measured ({rates})."
    return text


display(Markdown(detector_sentence(det)))

# %% [markdown]
# ## The sharing modes on this trace, on several outcomes at once
#
# The same trace, nodes and detector (`detector` default, z-score) for every mode; outcomes per run: the share of
# attack flows blocked (higher is better), the share of benign flows blocked (lower), the share of honest nodes a
# category reached before they were protected against it (lower) and messages per node and step (lower). A mode
# is better than another on an outcome only where their 95% intervals do not overlap; it dominates another when
# it is better on some outcome and worse on none.

# %%
sweep = Sweep(
    base,
    {"sharing": list(sharing_modes)},
    replicates=replicates,
    steps=steps,
    seed=seed,
    keep=["campaigns", "steps"],
    name=f"09_trace_replay_{path.stem}",
)
results = sweep.run(backend=backend, store=store, quiet=quiet)
failed = results[results.status != "ok"]
if len(failed):
    raise RuntimeError(f"{len(failed)} runs failed: {failed.error.iloc[0]}")
outcomes = {  # outcome -> (label, shown as a percentage); which way is better is the declared outcome's
    "attack_blocked_frac": ("attack flows blocked", True),
    "benign_blocked_frac": ("benign flows blocked", True),
    "exposed_attack_frac": ("attack flows at unprotected nodes", True),
    "messages_per_node_step": ("messages per node and step", False),
}
table = summarize(results, list(outcomes), by=["sharing"])
ranking = design_ranking(table, list(outcomes))
ranking.round(4)

# %%
fig, axes = plt.subplots(1, len(outcomes), figsize=(3.2 * len(outcomes), 3.0), layout="constrained")
for ax, (outcome, (label, _)) in zip(axes, outcomes.items()):
    rows = table[table["outcome"] == outcome].set_index("sharing").loc[list(sharing_modes)]
    err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
    ax.errorbar(np.arange(len(rows)), rows["mean"], yerr=np.nan_to_num(err), fmt="o", capsize=3)
    ax.set(xticks=np.arange(len(rows)), xticklabels=rows.index, title=label)
    if rows["mean"].isna().all():
        ax.text(0.5, 0.5, "undefined\n(no attack flow)", ha="center", va="center", transform=ax.transAxes)
fig.suptitle(f"mean and 95% interval over {replicates} seeds" + (" (FORMAT SAMPLE)" if is_sample else ""))
plt.show()

# %% [markdown]
# ### Protection over time
#
# The share of honest nodes protected against each campaign at each step (mean over campaigns and seeds); with no
# campaign there is nothing to protect against, and the figure says so.

# %%
steps_frame = load_frames(results.attrs["store"], "steps")
protected_cols = [c for c in steps_frame.columns if c.startswith("protected_frac_c")]
fig, ax = plt.subplots(figsize=(6.5, 3.0), layout="constrained")
if protected_cols:
    curve = steps_frame.assign(protected=steps_frame[protected_cols].mean(axis=1)).groupby(["sharing", "step"])[
        "protected"
    ]
    for mode in sharing_modes:
        series = curve.mean().loc[mode]
        ax.plot(series.index, series.to_numpy(), label=mode)
    ax.set(xlabel="model step", ylabel="honest nodes protected", ylim=(0, 1.02))
    ax.axvline(warmup_steps + 0.5, color="grey", lw=0.8, ls=":")
    ax.legend()
else:
    ax.text(0.5, 0.5, "no attack campaign in this trace", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
plt.show()

# %%
sentences = [
    ranking_text(table, outcome, label.capitalize(), percent=percent) for outcome, (label, percent) in outcomes.items()
]
summary = ranking_summary(ranking, {k: v[0].capitalize() for k, v in outcomes.items()})
bad_fit = det[(det["attack_category"] == "all attacks") & (det["fit"] != "ok")]["detector"].tolist()
caveat = (
    "These results come from a **FORMAT SAMPLE** generated by a script: they show that the replay works, "
    "not how the modes compare on real traffic."
    if is_sample
    else f"These results describe `{path.name}` ({report.rows_kept:,} flows at {effective.n_nodes} nodes, "
    f"{effective.n_campaigns} campaigns) at step_seconds={step_seconds:g}, max_nodes={max_nodes}, with {replicates} "
    "seeds; another capture, binning or node rule can rank the modes differently."
)
if "zscore" in bad_fit:
    caveat += " The z-score detector did not fit this trace (above), so every mode's blocking rests on poor flags."
display(Markdown("\n\n".join([summary] + ["- " + s for s in sentences] + [caveat])))

# %%
blocked = table[table["outcome"] == "attack_blocked_frac"].set_index("sharing")
benign = table[table["outcome"] == "benign_blocked_frac"].set_index("sharing")
pooled = det[det["attack_category"] == "all attacks"].set_index("detector")
zscore_auc = pooled.loc["zscore", "roc_auc"] if "zscore" in pooled.index else float("nan")
# the undominated mode that blocks the most attack flows (the first undominated one when none is defined)
undominated = ranking.loc[ranking["pareto"]]
leader = undominated.sort_values("attack_blocked_frac", ascending=False, na_position="last").iloc[0]["sharing"]
suffix = " (format sample)" if is_sample else ""
show_headline(
    {
        "leader_blocked": tuple(blocked.loc[leader, ["mean", "ci_low", "ci_high"]]),
        "leader_benign": tuple(benign.loc[leader, ["mean", "ci_low", "ci_high"]]),
        "zscore_auc": zscore_auc,
    },
    labels={
        "leader_blocked": f"attack flows blocked, {leader}{suffix}",
        "leader_benign": f"benign flows blocked, {leader}{suffix}",
        "zscore_auc": f"z-score per-flow ROC AUC, all attacks{suffix}",
    },
    units={"leader_blocked": "share of attack flows", "leader_benign": "share of benign flows"},
)

# %% [markdown]
# ## Provenance

# %%
record = provenance(
    notebook="09_trace_replay.ipynb",
    trace_path=str(path),
    format_sample=is_sample,
    n_nodes=effective.n_nodes,
    n_campaigns=effective.n_campaigns,
    campaigns=list(trace.campaign_labels),
    trace_report=report.to_dict(),
    model_params=effective.to_dict(),
    sweep=sweep.to_dict(),
    spec_hash=sweep.spec_hash,
    model_version=sweep.model_version,
    backend=backend,
    store=results.attrs["store"],
)
display(Markdown(provenance_markdown(record)))
