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
# # 00 · Explore the model step by step
#
# **Question.** Before sweeping the model, what does one run look like as it unfolds? Attacks start at a few
# nodes and spread along the network; nodes that detect them propose signatures, share them, vote on them, and
# block what consensus confirms. This notebook lets you change a parameter, step the model and watch
# protection catch up with the attacks.
#
# **How to read it.** The interactive view (a Mesa SolaraViz page) and the quorum slider need a live kernel
# in JupyterLab. In the executed report they cannot render, so every interactive cell is followed by static
# figures of the same state. The same page runs standalone with
# `SOLARA_TELEMETRY_MIXPANEL_ENABLE=False python -m solara run workbench/viz/app.py --host 127.0.0.1 --production --no-check-version`
# (offline; every browser tab gets a model of its own, opening at step 0).

# %% tags=["parameters"]
# Parameters (papermill overrides these)
seed = 42
steps = 25
n_nodes = 80
topology = "small_world"
sharing = "gossip"
consensus = "majority"
quorum = 2 / 3
malicious_fraction = 0.3
malicious_behavior = "collude"
detector = "zscore"
quorums = [0.51, 0.67, 0.9]  # compared in the static quorum figure

# %%
# %matplotlib inline
import ipywidgets as widgets
from IPython.display import Markdown, display

from workbench import ModelParams
from workbench.analysis.headline import show_headline
from workbench.analysis.run_plots import provenance_markdown
from workbench.provenance import provenance
from workbench.viz import draw_dashboard, make_page, page_model, state_counts
from workbench.viz.quorum import quorum_comparison, quorum_figure, quorum_outcomes, quorum_prose

params = ModelParams.from_dict(
    {
        "n_nodes": n_nodes,
        "topology": topology,
        "sharing": sharing,
        "consensus": consensus,
        "quorum": quorum,
        "malicious_fraction": malicious_fraction,
        "malicious_behavior": malicious_behavior,
        "detector": detector,
    }
)

# %% [markdown]
# ## The interactive view
#
# The page below shows the network (nodes coloured by state, sized by how many flows they have flagged; the
# layout is computed once per model from its seed), attack flows blocked vs let through, the false-acceptance
# rate and, per campaign, the fraction of honest nodes protected. The model has already been advanced `steps`
# steps, so the page opens at that state.
#
# **The controls** sit in the column left of the figures: **Reset**, **▶** (play) and **Step**, the seed and
# the parameters. A slider's label shows its value. Changing a control changes nothing until **Reset** rebuilds
# the model from the controls; until then the column says "press Reset to apply". The quorum slider is disabled
# under a consensus rule that does not read the quorum.

# %%
page = make_page(params, seed=seed)
model = page_model(page)
for _ in range(steps):
    model.step()
page

# %% [markdown]
# ## The same state, static
#
# The figures the page draws, for the model the page holds, at the step it opened on.

# %%
display(
    Markdown(f"**Step {model.steps}** · " + " · ".join(f"{state}: {n}" for state, n in state_counts(model).items()))
)
draw_dashboard(model)

# %% [markdown]
# ## Quorum: how much agreement before a signature counts?
#
# Under the `supermajority` rule a signature is confirmed when at least `quorum` of the votes cast approve it.
# A higher quorum should make forged signatures harder to push through (fewer reach honest blocklists) but slows the
# confirmation of genuine ones (protection arrives later). Move the slider to rerun the model at another quorum,
# same seed and parameters otherwise.

# %%
# A live slider in JupyterLab: moving it redraws the figure in `slider_output`.
# Nothing is drawn through the widget while the notebook executes (papermill and nbclient can hang on
# output captured by widgets, nteract/papermill#723), so the starting figure is displayed directly.
quorum_slider = widgets.FloatSlider(
    value=round(quorum, 2), min=0.51, max=1.0, step=0.01, description="quorum", continuous_update=False
)
slider_output = widgets.Output()


def redraw(change) -> None:
    with slider_output:
        slider_output.clear_output(wait=True)
        display(quorum_figure(params, change["new"], seed=seed, steps=steps))


quorum_slider.observe(redraw, names="value")
display(widgets.VBox([quorum_slider, slider_output]))
display(quorum_figure(params, quorum, seed=seed, steps=steps))

# %% [markdown]
# Static version of the slider for the report: the same runs at a few quorums side by side.

# %%
quorum_comparison(params, quorums, seed=seed, steps=steps)

# %%
quorum_table = quorum_outcomes(params, quorums, seed=seed, steps=steps)
quorum_table.round(3)

# %% [markdown]
# ## What this shows
#
# Campaigns first reach a couple of nodes and spread to unprotected neighbours; nodes under attack (red) turn
# protected (blue) once a signature in their blocklist covers the campaign. The numbers below are computed from
# the runs above.

# %%
display(Markdown(quorum_prose(quorum_table, seed=seed)))

# %%
low, high = quorum_table.iloc[0], quorum_table.iloc[-1]
show_headline(
    {"reach_low": low.forged_reach_frac, "reach_high": high.forged_reach_frac, "t50_low": low.t50_reached_frac},
    labels={
        "reach_low": f"forged reach at quorum {low.quorum:.2f}",
        "reach_high": f"forged reach at quorum {high.quorum:.2f}",
        "t50_low": f"campaigns with half the nodes protected, quorum {low.quorum:.2f}",
    },
    outcomes={"reach_low": "forged_reach_frac", "reach_high": "forged_reach_frac", "t50_low": "t50_reached_frac"},
)

# %% [markdown]
# ## Provenance

# %%
display(Markdown(provenance_markdown(provenance(seed=seed, steps=steps, parameters=params.to_dict()))))
