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
# # 13 · The base-rate problem
#
# **Question:** When attacks are a small share of a node's traffic, as in real networks, how many of the flows the
# detectors flag and the designs block are attacks, and how many attack flows are still blocked?
#
# **Method.** A detector's precision at an attack base rate `b`, with recall `r` and false-positive rate `f`, is
# `r b / (r b + f (1 - b))` (Axelsson 2000): at a fixed `f` it falls towards zero with `b`. Every sharing design
# runs in the realistic world with the attack's share of a targeted node's flows (`attack_share`, per campaign and
# step) from 10% down to 0.1%. Attack flows are a rate: each targeted node's count is drawn as
# `Binomial(flows_per_node, attack_share)` from the model's generator, so at 0.1% of 50 flows a targeted node sees
# an attack flow in about one step in 20. Per run, from the counts at honest nodes after the warm-up: the
# detector's precision (flagged flows that are attacks), the **blocking precision** (blocked flows that are
# attacks; undefined where nothing was blocked) and the **blocking recall** (attack flows blocked), with Student-t
# 95% intervals over replicates (common seeds across designs), clipped to [0, 1]: every outcome is a share.
#
# **Sizes.** `size = "small"` (default; 36 runs of 20 nodes, 3 shares, 3 replicates; seconds): a sketch.
# `size = "full"`: 200 runs of 50 nodes, 5 shares, 10 replicates, e.g.
# `papermill notebooks/13_base_rate.ipynb out.ipynb -p size full -p backend processes`.

# %% tags=["parameters"]
size = "small"  # "small" (36 runs) or "full" (200 runs)
backend = "local"  # "local", "processes" or "ray"
seed = 20261203  # root seed of the replicate seeds
store = None  # None: data/sweeps/<sweep name>/; else a directory for the sweep's store
quiet = False

# %%
import time

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from workbench.analysis import base_rate as study
from workbench.analysis.run_plots import provenance_markdown

design = study.design(size, seed=seed)
started = time.perf_counter()
results = design.run(backend=backend, store=store, quiet=quiet)
wall_s = time.perf_counter() - started
print(f"{len(results)} runs ({int((results.status != 'ok').sum())} failed) in {wall_s:.0f} s on backend {backend!r}")
found = study.table(study.per_run(design.kept(results, "steps"), design.base.warmup_steps))

# %% [markdown]
# ## Precision and recall against the attack share
#
# Left: the detector's precision (the same for every design up to what blocking changes in the traffic) and each
# design's blocking precision; right: the share of attack flows blocked. Bars: 95% intervals over replicates; a
# design without a blocking-precision point blocked nothing at that share.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
for sharing, group in found.groupby("sharing", sort=False):
    for ax, column in zip(axes, ("blocking_precision", "blocking_recall")):
        err = [group[column] - group[f"{column}_low"], group[f"{column}_high"] - group[column]]
        ax.errorbar(group.attack_share, group[column], yerr=err, marker="o", capsize=3, label=sharing)
none = found[found.sharing == "none"]
axes[0].plot(none.attack_share, none.detector_precision, "k--", label="detector (flags)")
axes[0].set(title="Precision", ylabel="share of blocked (flagged) flows that are attacks", ylim=(-0.02, 1.02))
axes[1].set(title="Recall of blocking", ylabel="share of attack flows blocked", ylim=(-0.02, 1.02))
for ax in axes:
    ax.set(xscale="log", xlabel="attack share of a targeted node's flows per step")
axes[0].legend(loc="lower right", fontsize=8)
fig.tight_layout()
plt.show()

# %%
display(Markdown(study.prose(found)))
study.headline(found).show()

# %% [markdown]
# Every design and share (means over replicates; `runs_blocking`: replicates in which anything was blocked):

# %%
columns = ["sharing", "attack_share", "base_rate", "detector_recall", "fpr", "detector_precision"]
columns += ["blocking_precision", "blocking_recall", "benign_blocked_frac", "runs_blocking", "replicates"]
found[columns].round(4)

# %% [markdown]
# ## Limits
#
# Nodes propose a rule once `min_flagged` flagged flows of one source prefix arrived within their last
# `proposal_window_steps` steps, so at low shares they rarely propose one against the attack, while rules made from
# false positives still block benign flows: the base rate cuts blocking recall as well as precision. Intervals are
# Student-t over replicates clipped to [0, 1] (a share cannot leave it); near 0 or 1, with few replicates, a clipped
# interval is a rough guide, not an exact 95%: read the replicate counts beside it. Precision counts flows at honest
# nodes over whole runs; the benign traffic is the generator's (a real trace has its own base rate, notebook 09).
# One world (realistic defaults of the model version in the provenance block) and one network size per run size.

# %% [markdown]
# ## Provenance

# %%
record = design.provenance(
    "13_base_rate.ipynb", results, size=size, backend=backend, seed=seed, wall_s=round(wall_s, 1)
)
display(Markdown(provenance_markdown(record)))
