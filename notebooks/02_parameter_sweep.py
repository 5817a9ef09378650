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
# # 02 · Parameter sweep: does the sharing mode matter when nodes turn malicious?
#
# **Question.** Nodes detect anomalies locally and may share the signatures they derive. Sharing should protect
# nodes before an attack reaches them, but it also gives malicious nodes a channel. How do the four sharing modes
# (`none`, `central`, `ledger`, `gossip`) compare as the fraction of malicious nodes grows?
#
# **Method.** A full-factorial sweep of `sharing` × `malicious_fraction`, every cell replicated over independent
# seeds derived from one root seed (`numpy.random.SeedSequence(seed).spawn`), run with `workbench.experiments`.
# Results are cached in a store (`data/sweeps/<name>/` by default): re-executing this notebook skips finished runs,
# and an interrupted sweep resumes where it stopped. Figures show means over replicates with 95% t-intervals.
#
# Every run lasts until the last campaign's evaluation window is complete (`steps = None`: the fewest such steps,
# `ModelParams.steps_covering_windows`, 55 at the default campaigns); a `steps` that would cut a window is refused.
# The defaults below are deliberately small so that `make test` and `make report` stay quick; scale them up with
# papermill, e.g. `papermill notebooks/02_parameter_sweep.ipynb out.ipynb -p replicates 10 -p steps 120 -p n_nodes 60 -p backend ray`.

# %% tags=["parameters"]
# Parameters (papermill overrides these)
sharing_modes = None  # None: every registered sharing channel (workbench.model.channels.CHANNELS)
malicious_fractions = [0.0, 0.2, 0.4]
n_nodes = 20
flows_per_node = 20
steps = None  # None: the fewest steps in which every campaign's evaluation window is complete
replicates = 3
seed = 20261126
backend = "processes"  # "local", "processes" or "ray" (RAY_ADDRESS selects an existing cluster)
store = None  # None: data/sweeps/<name>/ in this checkout
name = "02_sharing_vs_malicious"
quiet = False

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from workbench import ModelParams
from workbench.analysis.headline import show_headline
from workbench.analysis.run_plots import provenance_markdown
from workbench.analysis.stats import summarize
from workbench.analysis.sweep_plots import plot_heatmap, plot_outcome
from workbench.experiments import Sweep
from workbench.model.channels import CHANNELS
from workbench.provenance import provenance

sharing_modes = list(sharing_modes or CHANNELS.names())
base = {"n_nodes": n_nodes, "flows_per_node": flows_per_node}
steps = steps or ModelParams(**base).steps_covering_windows
sweep = Sweep(
    base=base,
    factors={"sharing": sharing_modes, "malicious_fraction": malicious_fractions},
    replicates=replicates,
    steps=steps,
    seed=seed,
    name=name,
)
sweep

# %%
results = sweep.run(backend=backend, store=store, quiet=quiet)
print(f"{len(results)} runs, {int((results.status != 'ok').sum())} failed; store: {results.attrs['store']}")
results.head()

# %% [markdown]
# ## Outcomes per cell
#
# Definitions (one each, the same in every sharing mode: `docs/outcomes.md`): `attack_blocked_frac` is the share
# of attack flows at honest nodes blocked within each campaign's evaluation window; `exposed_attack_frac` the
# share of a campaign's attack flows that reached honest nodes not protected against it at the time; `forged_reach_frac` the share of
# forged signatures that entered at least one honest node's blocklist (undefined, NaN, where nothing was forged);
# `messages_per_signature` the cost. `n` counts the replicates with a defined value.

# %%
outcomes = ["attack_blocked_frac", "exposed_attack_frac", "forged_reach_frac", "messages_per_signature"]
table = summarize(results, outcomes)
table.pivot_table(index=["sharing", "malicious_fraction"], columns="outcome", values="mean", sort=False).round(3)

# %% [markdown]
# ## Figures
#
# Each line is a sharing mode; bands are 95% confidence intervals over replicates (absent where a cell has a single
# defined value).

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
plot_outcome(results, "attack_blocked_frac", x="malicious_fraction", hue="sharing", ax=axes[0])
plot_outcome(results, "exposed_attack_frac", x="malicious_fraction", hue="sharing", ax=axes[1])
axes[0].set_title("Attack flows blocked")
axes[1].set_title("Attack flows at unprotected nodes")
for ax in axes:
    ax.set_ylim(-0.05, 1.05)  # fractions; a t-interval over few replicates can overshoot [0, 1]
plt.show()

# %%
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
plot_heatmap(results, "attack_blocked_frac", x="malicious_fraction", y="sharing", ax=ax)
ax.set_title("Attack flows blocked (mean over replicates)")
plt.show()

# %%
# Ranking of the sharing modes at the highest malicious fraction (computed, not hand-written)
worst = max(malicious_fractions)
ranking = table[(table.outcome == "attack_blocked_frac") & (table.malicious_fraction == worst)].sort_values(
    "mean", ascending=False
)[["sharing", "n", "mean", "ci_low", "ci_high"]]
print(f"attack_blocked_frac at malicious_fraction={worst}:")
ranking.round(3)

# %% [markdown]
# ## What the figures show
#
# Read the first panel for protection: with `sharing="none"` each node relies on its own detector, so the blocked
# fraction reflects local detection alone; the sharing modes add protection to the extent that confirmed signatures
# reach nodes before the campaign does, which the second panel measures directly. The heatmap shows where protection
# erodes as the malicious fraction grows, and the ranking above states which mode holds up best at the highest
# fraction in *this* run of the notebook. With the default three replicates the intervals are wide (and, being t-intervals on bounded fractions, can reach past 0 or 1; the axes are clipped to [0, 1]): differences whose
# bands overlap should not be read as effects; rerun with more replicates (papermill `-p replicates 10`) before drawing
# conclusions.

# %%
best, alone = ranking.iloc[0], ranking[ranking.sharing == "none"]
values = {"best": tuple(best[["mean", "ci_low", "ci_high"]]), "runs": int((results.status == "ok").sum())}
labels = {"best": f"attack flows blocked, {best.sharing}, malicious fraction {worst}", "runs": "runs"}
if len(alone) and best.sharing != "none":
    values["none"] = tuple(alone.iloc[0][["mean", "ci_low", "ci_high"]])
    labels["none"] = f"attack flows blocked, none, malicious fraction {worst}"
show_headline(values, labels=labels, outcomes={k: "attack_blocked_frac" for k in values if k != "runs"})

# %% [markdown]
# ## Provenance

# %%
record = provenance(
    notebook="02_parameter_sweep.ipynb",
    sweep=sweep.to_dict(),
    spec_hash=sweep.spec_hash,
    model_version=sweep.model_version,
    backend=backend,
    store=results.attrs["store"],
)
display(Markdown(provenance_markdown(record)))
