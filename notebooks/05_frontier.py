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
# **Question:** Which sharing designs give the best trade-off between protection of honest nodes, harm (benign flows
# blocked, by any rule and by forged ones) and overhead (messages), and which designs are beaten by another on all of
# them, beyond doubt?
#
# **Method.** Every design is run under the same adversary (`malicious_fraction` colluding nodes) with common random
# numbers (replicate i has the same seed in every design): gossip with a supermajority over its `quorum`, push
# `gossip_fanout` and `vote_deadline_steps`; a shared ledger over quorum and deadline; a central aggregator over
# `central_quorum` (distinct reporters it needs) and its report window; and the isolated reference (`none`). Every run
# lasts until each campaign's evaluation window is complete. Four objectives, each a replicate mean with a Student-t
# 95% interval: **protection**, `protected_time_frac_mean` (share of honest nodes protected against a campaign,
# averaged over every step of its window; more is better); **false blocks**, `benign_blocked_frac`; **forged harm**,
# `forged_benign_blocked_frac` (benign flows blocked by forged rules, comparable across sharing modes); **overhead**,
# `messages_per_node_step` (less is better for the last three). The front (`workbench.analysis.pareto.interval_front`)
# follows four rules: a value zero by definition (a *structural zero*: an isolated node sends no message, its
# forgeries block only at their forger) has no interval and ties with every design, so it makes no design optimal;
# designs with identical results on every replicate are merged into one labelled row; designs protecting less than
# `protection_floor` are not on the front; and a design is kept off the front only when another dominates it beyond
# the intervals: the paired 95% interval of the other's improvement lies at or above zero on every objective and
# above zero on one. Beside them, not ranked: the pooled forged reach (Wilson 95%) and the Kaplan-Meier median time to
# 50% protection.
#
# **Sizes.** `size = "small"` (default; about a minute on 2 cores): 17 designs x 3 replicates = 51 runs of a 20-node
# network. `size = "full"`: 58 designs (gossip 4 quorums x 3 fanouts x 3 deadlines, ledger 4 x 3, central 3 x 3, none)
# x 30 replicates = 1,740 runs of a 30-node network (`-p size full`).

# %% tags=["parameters"]
size = "small"  # "small" (51 runs) or "full" (1,740 runs, 30 replicates per design)
backend = "processes"  # "local", "processes" or "ray"
seed = 20261130  # root seed of the replicate seeds
store = None  # None: data/sweeps/<sweep name>/; else a directory holding one store per sweep block
quiet = False
malicious_fraction = 0.2  # the adversary every design faces
malicious_behavior = "collude"
forged_target = 0.01  # "safe": forged rules block at most this share of benign flows at honest nodes
protection_floor = 0.2  # designs protecting less than this share of honest nodes over time are not on the front

# %%
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
found = study.analyse(design, results, campaigns, forged_target, protection_floor)

# %% [markdown]
# ## Protection against each cost, every design
#
# Filled markers: designs on the front; hollow: below the protection floor (dashed) or dominated beyond the intervals.
# Bars: t 95% intervals. A grey cross: a structural zero, drawn at 0 without interval.

# %%
study.plot_frontier(found)
plt.show()

# %% [markdown]
# ## The designs on the front

# %%
study.front_listing(found)

# %%
display(Markdown(study.prose(found)))
study.headline(found).show()

# %% [markdown]
# Every design, front first, then by protection, with why each is off the front:

# %%
study.listing(found.table)

# %% [markdown]
# ## Limits
#
# Dominance beyond the intervals is conservative: with few replicates (3 at the small size) the paired intervals are
# wide and nearly every design above the floor stays on the front; that says the runs cannot tell those designs
# apart, not that each is a best trade-off. The intervals are per objective, not joint. The protection floor is a
# stated choice (`protection_floor`), not an estimate. Identical designs are found from their results (the same value
# of every outcome on every replicate), which with common random numbers is what two parameter sets the model reads
# the same way give. Overhead counts messages, not bytes; a ledger's cost of storing entries is not in it. One
# adversary level is studied here (see 04 for how each design degrades with more malice), and the world (traffic,
# detector, campaigns) is held at the defaults of the model version in the provenance block.

# %% [markdown]
# ## Provenance

# %%
record = design.provenance("05_frontier.ipynb", results, size=size, backend=backend, seed=seed, wall_s=round(wall_s, 1))
display(Markdown(provenance_markdown(record)))
