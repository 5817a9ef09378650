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
# # 05 · The frontier: what does protection cost?
#
# **Question:** Which sharing designs give the best trade-off between security (forgeries kept off honest
# blocklists), speed (time until half the honest nodes are protected) and overhead (messages), and which designs are
# beaten by another on all three?
#
# **Method.** Every design is run under the same adversary (`malicious_fraction` colluding nodes): gossip with a
# supermajority over its `quorum`, push `gossip_fanout` and `vote_deadline_steps`; a shared ledger over quorum and
# deadline; a central aggregator over `central_quorum` (distinct reporters it needs) and its report window; and the
# isolated reference (`none`). Three objectives, each with an interval: **security**, the share of forged
# signatures reaching an honest node's blocklist, pooled over replicates (Wilson 95%); **latency**, the Kaplan-Meier
# median over all campaigns of all replicates of the time to 50% of honest nodes protected, with censoring (95%
# interval by inverting the log-log band; "not reached" when fewer than half the campaigns got there within the
# evaluation window); **overhead**, messages per node per step (replicate mean, Student-t 95%), with messages per
# signature beside it. A design is Pareto-optimal when no other is at least as good on all three and better on one
# (`workbench.analysis.pareto.pareto_mask`; a median not reached ranks behind every reached one).
#
# **Sizes.** `size = "small"` (default; under a minute on 2 cores): 17 designs x 3 replicates = 51 runs of a 20-node
# network for 30 steps. `size = "full"`: 58 designs (gossip 4 quorums x 3 fanouts x 3 deadlines, ledger 4 x 3,
# central 3 x 3, none) x 30 replicates = 1,740 runs of a 30-node network for 40 steps (`-p size full`).

# %% tags=["parameters"]
size = "small"  # "small" (51 runs) or "full" (1,740 runs, 30 replicates per design)
backend = "processes"  # "local", "processes" or "ray"
seed = 20261130  # root seed of the replicate seeds
store = None  # None: data/sweeps/<sweep name>/; else a directory holding one store per sweep block
quiet = False
malicious_fraction = 0.2  # the adversary every design faces
malicious_behavior = "collude"
forged_target = 0.05  # "safe": forged reach at most this share

# %%
import json
import time

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from workbench.analysis.run_plots import provenance_markdown
from workbench.analysis.studies import frontier as study

design = study.design(
    size, seed=seed, base={"malicious_fraction": malicious_fraction, "malicious_behavior": malicious_behavior}
)
display(Markdown(study.describe(design)))

# %%
started = time.perf_counter()
results = design.run(backend=backend, store=store, quiet=quiet)
campaigns = design.kept(results, "campaigns")
wall_s = time.perf_counter() - started
print(
    f"{len(results)} runs ({int((results.status != 'ok').sum())} failed), {len(campaigns)} campaigns, "
    f"in {wall_s:.0f} s on backend {backend!r}"
)
found = study.analyse(design, results, campaigns, forged_target)

# %% [markdown]
# ## The three objectives, every design
#
# Filled markers: Pareto-optimal designs; hollow: dominated. A latency median not reached is drawn at the window
# length.

# %%
study.plot_frontier(found)
plt.show()

# %% [markdown]
# ## The Pareto-optimal designs

# %%
study.front_listing(found)

# %%
display(Markdown(study.prose(found)))
study.headline(found).show()

# %% [markdown]
# Every design, best first (front first, then by forged reach and latency):

# %%
found.table.drop(columns=["forged_rank", "latency_rank"]).round(3)

# %% [markdown]
# ## Limits
#
# The front is computed on point estimates; two designs whose intervals overlap on every objective are not shown to
# differ, so read membership of the front together with the intervals in the listing (at the small size, 3
# replicates, many are wide). Overhead counts messages, not bytes; a ledger's cost of storing entries is not in it.
# One adversary level is studied here (see 04 for how each design degrades with more malice), and the world
# (traffic, detector, campaigns) is held at the defaults of the model version in the provenance block.

# %% [markdown]
# ## Provenance

# %%
record = design.provenance("05_frontier.ipynb", results, size=size, backend=backend, seed=seed, wall_s=round(wall_s, 1))
display(Markdown(provenance_markdown(record)))
print(json.dumps({k: record[k] for k in ("spec_hashes", "model_version", "stores", "wall_s")}, indent=1, default=str))
