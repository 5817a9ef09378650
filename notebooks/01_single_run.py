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
# # 01 · One run of the threat-intelligence network
#
# **Question.** When AI-powered nodes detect traffic anomalies locally, turn them into threat signatures, share them and confirm them by peer consensus, how quickly does protection catch up with attacks spreading through the network, and at what cost in false blocks and messages?
#
# This report runs the model once with the parameters below (papermill can change any of them) and reads the figures. Every number is regenerated from the seed and parameters in the provenance block.

# %% tags=["parameters"]
# Parameters (papermill overrides these)
seed = 7
steps = 60
n_nodes = 50
topology = "small_world"
sharing = "gossip"
validation = "evidence"
consensus = "majority"
malicious_fraction = 0.1
malicious_behavior = "forge"
detector = "zscore"

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from workbench import ModelParams, run_model
from workbench.analysis.headline import show_headline
from workbench.analysis.run_plots import (
    describe_run,
    plot_blocking,
    plot_detection,
    plot_signature_outcomes,
    plot_spread_vs_protection,
    provenance_markdown,
)
from workbench.provenance import provenance

params = ModelParams.from_dict(
    {
        "n_nodes": n_nodes,
        "topology": topology,
        "sharing": sharing,
        "validation": validation,
        "consensus": consensus,
        "malicious_fraction": malicious_fraction,
        "malicious_behavior": malicious_behavior,
        "detector": detector,
    }
)
result = run_model(params, seed=seed, steps=steps)

# %% [markdown]
# ## What the run shows

# %%
display(Markdown(describe_run(result)))

# %% [markdown]
# ## Local detection
#
# Each node fits its detector on its own warm-up traffic and then scores every flow it sees. Recall is the share of attack flows flagged; the false-positive rate is the share of benign flows flagged. Recall and precision read on the left axis (solid lines), the false-positive rate on the right axis (dashed, in its colour).

# %%
plot_detection(result.steps)
plt.show()

# %% [markdown]
# ## Attack spread against protection
#
# For each campaign: the fraction of honest nodes the attack has reached (red) and the fraction protected by a confirmed signature they know of (green). Protection ahead of the red curve means nodes were protected before they were hit. The dashed line marks the campaign's start; dotted lines, when `prefix_rotation_steps` > 0, mark the steps at which the campaign moved to fresh source prefixes, where rules against its old ones go stale and protection can fall to zero until new signatures are confirmed.

# %%
plot_spread_vs_protection(result)
plt.tight_layout()
plt.show()
display(result.campaigns.round(3))

# %% [markdown]
# ## Blocking
#
# Attack flows blocked and let through at honest nodes, and benign flows blocked (collateral damage from false or forged signatures).

# %%
plot_blocking(result.steps)
plt.show()

# %% [markdown]
# ## Signature outcomes
#
# Genuine signatures match attack traffic; false positives come from honest detectors flagging benign traffic; forged ones were published by malicious nodes to block benign services.

# %%
plot_signature_outcomes(result.signatures)
plt.show()

# %% [markdown]
# ## Headline

# %%
show_headline(
    {name: result.summary[name] for name in ("protected_time_frac_mean", "attack_blocked_frac", "forged_reach_frac")},
    labels={
        "protected_time_frac_mean": "protected over the window",
        "attack_blocked_frac": "attack flows blocked",
        "forged_reach_frac": "forged signatures that reached an honest blocklist",
    },
    outcomes={name: name for name in ("protected_time_frac_mean", "attack_blocked_frac", "forged_reach_frac")},
)

# %% [markdown]
# ## Provenance

# %%
display(Markdown(provenance_markdown(provenance(seed=seed, steps=steps, parameters=params.to_dict()))))
