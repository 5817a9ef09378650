"""Protection over time from kept frames: the share of honest nodes protected against each campaign,
averaged over every step of the campaign's evaluation window (the area under its protection curve
divided by the window's length), and its mean over a run's campaigns.

This reads the per-step series ``protected_frac_c<c>`` of the steps frame and each campaign's
``start_step`` and ``window_steps`` from the campaigns frame; it is how a study measures protection over
time from the frames a sweep kept, where the model's summary has no such outcome.
"""

from __future__ import annotations

import pandas as pd

PROTECTED_TIME = "protected_time_frac_mean"


def protected_time_by_campaign(steps: pd.DataFrame, campaigns: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, campaign): ``protected_time_frac``, the mean of ``protected_frac_c<c>`` over the
    steps ``start_step .. start_step + window_steps - 1`` (NaN if none of them was recorded).

    ``steps``/``campaigns``: stacked kept frames with a ``run_id`` column (as :func:`load_frames` gives
    them); a single run's frames without ``run_id`` are accepted too.
    """
    steps = steps if "run_id" in steps.columns else steps.assign(run_id="run")
    campaigns = campaigns if "run_id" in campaigns.columns else campaigns.assign(run_id="run")
    columns = [c for c in steps.columns if c.startswith("protected_frac_c")]
    long = (
        steps[["run_id", "step", *columns]]
        .drop_duplicates(["run_id", "step"])
        .melt(id_vars=["run_id", "step"], value_vars=columns, var_name="column", value_name="protected")
    )
    long["campaign"] = long["column"].str.removeprefix("protected_frac_c").astype(int)
    keys = campaigns[["run_id", "campaign", "start_step", "window_steps"]].drop_duplicates(["run_id", "campaign"])
    joined = long.merge(keys, on=["run_id", "campaign"], how="inner")
    inside = joined[
        (joined["step"] >= joined["start_step"]) & (joined["step"] < joined["start_step"] + joined["window_steps"])
    ]
    means = inside.groupby(["run_id", "campaign"], sort=False)["protected"].mean().rename("protected_time_frac")
    out = campaigns[["run_id", "campaign"]].merge(means.reset_index(), on=["run_id", "campaign"], how="left")
    return out


def protected_time_by_run(steps: pd.DataFrame, campaigns: pd.DataFrame) -> pd.Series:
    """``protected_time_frac_mean`` per ``run_id``: the mean over the run's campaigns of
    :func:`protected_time_by_campaign`."""
    per_campaign = protected_time_by_campaign(steps, campaigns)
    return per_campaign.groupby("run_id", sort=False)["protected_time_frac"].mean().rename(PROTECTED_TIME)


def with_protected_time(results: pd.DataFrame, steps: pd.DataFrame, campaigns: pd.DataFrame) -> pd.DataFrame:
    """``results`` (one row per run, with ``run_id``) with a ``protected_time_frac_mean`` column: the
    model's own where the summary has it, else computed from the kept frames."""
    if PROTECTED_TIME in results.columns:
        return results
    per_run = protected_time_by_run(steps, campaigns)
    return results.assign(**{PROTECTED_TIME: results["run_id"].map(per_run).astype(float)})
