"""The built-in outcomes, declared once each and in summary order (see :mod:`workbench.model.outcomes`).

Detection (``recall``, ``fpr``, ``precision``): per flow at honest nodes over the whole run. Protection:
over the campaigns' evaluation windows (:func:`workbench.model.metrics.campaigns_frame`). Security:
shares of signatures by their ground truth. Cost: messages and votes. Every rate with an empty
denominator is NaN. Adding an outcome is one :class:`Outcome` in :data:`BUILTIN` (then
``PYTHONPATH=. python scripts/outcomes_glossary.py --update`` writes it into the glossaries).
"""

from __future__ import annotations

from workbench.model import churn, confirmations, metrics
from workbench.model.outcomes import INFO, MAXIMIZE, MINIMIZE, Outcome, RunView
from workbench.model.signatures import CONFIRMED, PENDING, REJECTED
from workbench.model.survival import km_median, km_median_counts

_ratio = metrics._ratio


# --- helpers on the campaigns frame ---------------------------------------------------------------------
def _campaign_mean(column: str):
    def fn(run: RunView) -> float:
        c = run.campaigns
        return float(c[column].mean()) if len(c) and c[column].notna().any() else float("nan")

    return fn


def _km(name: str):
    def fn(run: RunView) -> float:
        c = run.campaigns
        if not len(c):
            return float("nan")
        return km_median(c[f"{name}_steps"].to_numpy(float), c[f"{name}_reached"].to_numpy(bool))

    return fn


def _reached(name: str):
    def fn(run: RunView) -> float:
        c = run.campaigns
        return float(c[f"{name}_reached"].mean()) if len(c) else float("nan")

    return fn


def _ttp_median(run: RunView) -> float:
    events, censored = metrics.protection_times(run.state)
    return km_median_counts(events.sum(axis=0), censored.sum(axis=0))


def _ttp_reached(run: RunView) -> float:
    events, censored = metrics.protection_times(run.state)
    return _ratio(events.sum(), events.sum() + censored.sum())


def _window_sum(column: str, run: RunView) -> int:
    return int(run.campaigns[column].sum()) if len(run.campaigns) else 0


def _outcome_count(code: int):
    def fn(run: RunView) -> int:
        return int((run.state.sigs.view.outcome == code).sum())

    return fn


def _node_steps(state) -> int:
    """Nodes present summed over the steps run: ``N`` x steps without churn."""
    return state.churn.present_node_steps if state.params.churn else state.params.n_nodes * max(1, state.t_last)


def _messages_per_node_step(run: RunView) -> float:
    return _ratio(run.state.totals.messages, _node_steps(run.state))


def _bytes_per_node_step(run: RunView) -> float:
    return _ratio(run.state.totals.bytes, _node_steps(run.state))


def _no_joins(params) -> bool:
    return params.churn_join_rate == 0


# --- values by definition (Outcome.structural): read from what the design's components declare --------------
def _channel(params):
    from workbench.model.channels.base import channel_of  # the channels import the model's state

    return channel_of(params)


def no_forgeries(params) -> bool:
    """No node and no channel can publish a forgery in a run of ``params``: no malicious node, or
    ``forge_prob=0``, or a behaviour that declares it never forges (``may_forge``), and a channel that files
    none of its own (:meth:`~workbench.model.channels.base.Channel.files_forgeries`)."""
    from workbench.model.adversaries.base import adversary_of

    nodes_forge = params.n_malicious > 0 and params.forge_prob > 0 and getattr(adversary_of(params), "may_forge", True)
    return not nodes_forge and not _channel(params).files_forgeries(params)


def _forgeries_stay_at_forgers(params) -> bool:
    """Every forgery is a malicious node's own rule and reaches no other node's blocklist."""
    channel = _channel(params)
    return getattr(channel, "rules_stay_at_origin", False) and not channel.files_forgeries(params)


def _if(condition, value: float):
    def structural(params) -> float | None:
        return value if condition(params) else None

    return structural


def _silent(params) -> bool:
    return bool(getattr(_channel(params), "sends_no_messages", False))


def _no_votes(params) -> bool:
    return not getattr(_channel(params), "carries_votes", True)


def _confirms_all(params) -> bool:
    return bool(getattr(_channel(params), "confirms_every_proposal", False))


def _no_forged_harm(params) -> bool:
    return no_forgeries(params) or _forgeries_stay_at_forgers(params)


def _forged_confirmed_by_definition(params) -> float | None:
    return None if no_forgeries(params) else 1.0 if _confirms_all(params) else None  # none: NaN, not a value


def _forged_reach_by_definition(params) -> float | None:
    return None if no_forgeries(params) else 0.0 if _forgeries_stay_at_forgers(params) else None


def _ledger_stat(name: str):
    """An ordering ledger's figure (:class:`~workbench.model.ledger_protocols.base.LedgerStats`), NaN for a
    channel that keeps no ledger (one without ``ledger_stats``)."""

    def fn(run: RunView) -> float:
        stats = getattr(_channel(run.state.params), "ledger_stats", None)
        return float(getattr(stats(run.state), name)) if callable(stats) else float("nan")

    return fn


def _consistent_log(params) -> bool:
    consistent = getattr(_channel(params), "consistent_by_construction", None)
    return bool(consistent(params)) if callable(consistent) else False


_CAMPAIGNS = "campaigns started"
_ENDED = "confirmed signatures whose delivery window (`eval_window_steps` from the confirmation) ended within the run"


def _delivery_median(run: RunView) -> float:
    d = confirmations.delivery(run.state)
    return km_median(d.steps.astype(float), d.reached)


def _delivery_reached(run: RunView) -> float:
    d = confirmations.delivery(run.state)
    return float(d.reached.mean()) if d.reached.size else float("nan")


def _ended_mean(field: str):
    def fn(run: RunView) -> float:
        d = confirmations.delivery(run.state)
        values = getattr(d, field)[d.ended]
        return float(values.mean()) if values.size else float("nan")

    return fn


BUILTIN: tuple[Outcome, ...] = (
    # --- detection ---
    Outcome(
        "recall",
        lambda r: _ratio(r.state.totals.attack_flagged, r.state.totals.attack_flows),
        MAXIMIZE,
        "share of attack flows",
        "attack flows at honest nodes that their detector flagged, over the whole run",
        "detection",
        "attack flows at honest nodes",
    ),
    Outcome(
        "fpr",
        lambda r: _ratio(r.state.totals.benign_flagged, r.state.totals.benign_flows),
        MINIMIZE,
        "share of benign flows",
        "benign flows at honest nodes that their detector flagged, over the whole run",
        "detection",
        "benign flows at honest nodes",
    ),
    Outcome(
        "precision",
        lambda r: _ratio(r.state.totals.attack_flagged, r.state.totals.attack_flagged + r.state.totals.benign_flagged),
        MAXIMIZE,
        "share of flagged flows",
        "flagged flows at honest nodes that were attack flows",
        "detection",
        "flagged flows at honest nodes",
    ),
    # --- protection and false blocks ---
    Outcome(
        "attack_flows",
        lambda r: _window_sum("attack_flows", r),
        INFO,
        "flows",
        "attack flows received by honest nodes inside the campaigns' evaluation windows",
        "counts",
    ),
    Outcome(
        "attack_blocked_frac",
        lambda r: _ratio(_window_sum("attack_flows_blocked", r), _window_sum("attack_flows", r)),
        MAXIMIZE,
        "share of attack flows",
        "attack flows blocked at honest nodes inside the campaigns' evaluation windows",
        "protection",
        "attack flows received by honest nodes inside those windows",
    ),
    Outcome(
        "benign_flows_blocked",
        lambda r: int(r.state.totals.benign_flows_blocked),
        MINIMIZE,
        "flows",
        "benign flows blocked at honest nodes over the whole run",
        "counts",
    ),
    Outcome(
        "benign_blocked_frac",
        lambda r: _ratio(r.state.totals.benign_flows_blocked, r.state.totals.benign_flows),
        MINIMIZE,
        "share of benign flows",
        "benign flows blocked at honest nodes (the cost an honest user pays)",
        "security",
        "benign flows at honest nodes",
    ),
    # --- signatures ---
    Outcome(
        "signatures_proposed",
        lambda r: len(r.state.sigs),
        INFO,
        "signatures",
        "signatures proposed by any node (forgeries included)",
        "counts",
    ),
    Outcome("signatures_confirmed", _outcome_count(CONFIRMED), INFO, "signatures", "signatures confirmed", "counts"),
    Outcome(
        "signatures_rejected",
        _outcome_count(REJECTED),
        INFO,
        "signatures",
        "signatures rejected",
        "counts",
        structural=_if(_confirms_all, 0.0),
    ),
    Outcome(
        "signatures_pending",
        _outcome_count(PENDING),
        INFO,
        "signatures",
        "signatures still undecided at the end of the run",
        "counts",
        structural=_if(_confirms_all, 0.0),
    ),
    Outcome(
        "signatures_forged",
        lambda r: int(r.state.sigs.view.forged.sum()),
        INFO,
        "signatures",
        "signatures made up by malicious nodes (or a compromised aggregator)",
        "counts",
        structural=_if(no_forgeries, 0.0),
    ),
    Outcome(
        "forged_confirmed_frac",
        lambda r: metrics.forged_confirmed_share(r.state),
        MINIMIZE,
        "share of forged signatures",
        "forged signatures confirmed",
        "security",
        "forged signatures decided",
        structural=_forged_confirmed_by_definition,
    ),
    Outcome(
        "forged_reach_frac",
        lambda r: metrics.forged_reach_share(r.state),
        MINIMIZE,
        "share of forged signatures",
        "forged signatures that entered at least one honest node's blocklist",
        "security",
        "forged signatures (0 for `none`: a forgery only blocks at its forger)",
        structural=_forged_reach_by_definition,
    ),
    Outcome(
        "forged_benign_blocked_frac",
        lambda r: _ratio(r.state.totals.benign_blocked_forged, r.state.totals.benign_flows),
        MINIMIZE,
        "share of benign flows",
        "benign flows at honest nodes blocked by forged rules, over the whole run: the harm forgeries do, "
        "comparable across sharing modes (0 without forgeries)",
        "security",
        "benign flows at honest nodes",
        structural=_if(_no_forged_harm, 0.0),
    ),
    Outcome(
        "false_positive_confirmed_frac",
        lambda r: metrics.false_positive_confirmed_share(r.state),
        MINIMIZE,
        "share of false-positive signatures",
        "honest signatures that cover no campaign (a detector's false positives turned into rules), confirmed",
        "security",
        "such signatures decided",
        structural=_if(_confirms_all, 1.0),
    ),
    Outcome(
        "genuine_rejected_frac",
        lambda r: metrics.genuine_rejected_share(r.state),
        MINIMIZE,
        "share of genuine signatures",
        "genuine signatures rejected",
        "security",
        "genuine signatures decided",
        structural=_if(_confirms_all, 0.0),
    ),
    # --- cost ---
    Outcome(
        "votes_cast",
        lambda r: int(r.state.totals.votes_cast),
        INFO,
        "votes",
        "votes cast by any node",
        "cost",
        structural=_if(_no_votes, 0.0),
    ),
    Outcome(
        "messages_total",
        lambda r: int(r.state.totals.messages),
        MINIMIZE,
        "messages",
        "every message that carried a signature, a report, a vote or a decision",
        "cost",
        structural=_if(_silent, 0.0),
    ),
    Outcome(
        "messages_per_signature",
        lambda r: _ratio(r.state.totals.messages, len(r.state.sigs)),
        MINIMIZE,
        "messages per signature",
        "`messages_total` per signature proposed",
        "cost",
        "signatures proposed",
        structural=_if(_silent, 0.0),
    ),
    Outcome(
        "messages_per_node_step",
        _messages_per_node_step,
        MINIMIZE,
        "messages per node and step",
        "`messages_total` per node and step",
        "cost",
        "nodes present x steps (nodes x steps without churn)",
        structural=_if(_silent, 0.0),
    ),
    Outcome(
        "bytes_per_node_step",
        _bytes_per_node_step,
        MINIMIZE,
        "bytes per node and step",
        "bytes of every message counted by `messages_total` (sizes by kind: signature 138 B with its Ed25519 "
        "signature and key, vote 110 B, decision 118 B, confirmation 256 B, push-pull request 37 B, ledger "
        "entries 76 B more; `workbench.model.message_sizes`), per node and step",
        "cost",
        "nodes present x steps (nodes x steps without churn)",
        structural=_if(_silent, 0.0),
    ),
    # --- campaigns ---
    Outcome(
        "campaigns_started",
        lambda r: len(r.campaigns),
        INFO,
        "campaigns",
        "attack campaigns that started within the run",
        "counts",
    ),
    Outcome(
        "ttd_median_steps",
        _km("ttd"),
        MINIMIZE,
        "steps",
        "Kaplan-Meier median of the steps from a campaign's start to its first flow flagged by an honest "
        "node's detector; campaigns not detected within their window are censored, not dropped",
        "protection",
        _CAMPAIGNS + " (NaN when the curve never falls to one half)",
    ),
    Outcome(
        "ttd_reached_frac",
        _reached("ttd"),
        MAXIMIZE,
        "share of campaigns",
        "campaigns detected within their window",
        "protection",
        _CAMPAIGNS,
    ),
    Outcome(
        "t50_median_steps",
        _km("t50"),
        MINIMIZE,
        "steps",
        "Kaplan-Meier median of the steps from a campaign's start until 50% of honest nodes were protected; "
        "campaigns that never got there are censored, not dropped",
        "protection",
        _CAMPAIGNS + " (NaN when the curve never falls to one half)",
    ),
    Outcome(
        "t50_reached_frac",
        _reached("t50"),
        MAXIMIZE,
        "share of campaigns",
        "campaigns that reached 50% of honest nodes protected within their window",
        "protection",
        _CAMPAIGNS,
    ),
    Outcome(
        "t90_median_steps",
        _km("t90"),
        MINIMIZE,
        "steps",
        "Kaplan-Meier median of the steps until 90% of honest nodes were protected, censoring included",
        "protection",
        _CAMPAIGNS + " (NaN when the curve never falls to one half)",
    ),
    Outcome(
        "t90_reached_frac",
        _reached("t90"),
        MAXIMIZE,
        "share of campaigns",
        "campaigns that reached 90% of honest nodes protected within their window",
        "protection",
        _CAMPAIGNS,
    ),
    Outcome(
        "ttp_median_steps",
        _ttp_median,
        MINIMIZE,
        "steps",
        "Kaplan-Meier median, over (honest node, campaign, protection episode), of the steps from the episode's "
        "start (the campaign's start or a prefix rotation, which makes old rules stale) to the node's protection; "
        "nodes unprotected when the episode ends (next rotation or window end) are censored, not dropped",
        "protection",
        "honest nodes x campaigns x episodes (NaN when the curve never falls to one half)",
    ),
    Outcome(
        "ttp_reached_frac",
        _ttp_reached,
        MAXIMIZE,
        "share of node-episodes",
        "(honest node, campaign, protection episode) triples in which the node was protected before the episode ended",
        "protection",
        "honest nodes x campaigns x episodes",
    ),
    Outcome(
        "targeted_frac_mean",
        _campaign_mean("targeted_frac"),
        MINIMIZE,
        "share of honest nodes",
        "honest nodes a campaign reached by the end of its window (mean over campaigns)",
        "protection",
        "honest nodes",
    ),
    Outcome(
        "protected_time_frac_mean",
        _campaign_mean("protected_time_frac"),
        MAXIMIZE,
        "share of honest nodes",
        "honest nodes whose blocklist covers the campaign, averaged over every step of its window (the area "
        "under its protection curve over the window's length; mean over campaigns): the primary protection outcome",
        "protection",
        "honest nodes x steps of the window",
    ),
    Outcome(
        "protected_frac_mean",
        _campaign_mean("protected_frac"),
        MAXIMIZE,
        "share of honest nodes",
        "honest nodes whose blocklist covers the campaign at the last step of its window, a snapshot "
        "(mean over campaigns; secondary to `protected_time_frac_mean`)",
        "protection",
        "honest nodes",
    ),
    Outcome(
        "exposed_attack_frac",
        _campaign_mean("exposed_attack_frac"),
        MINIMIZE,
        "share of attack flows",
        "a campaign's attack flows inside its window that reached honest nodes not protected against it at the "
        "time (before they were protected, or after a prefix rotation cost them their protection; mean over "
        "campaigns)",
        "protection",
        "the campaign's attack flows received by honest nodes inside its window",
    ),
    # --- a confirmation's delivery (workbench.model.confirmations; every channel) ---
    Outcome(
        "confirmed_all_median_steps",
        _delivery_median,
        MINIMIZE,
        "steps",
        "Kaplan-Meier median, over confirmed signatures, of the steps from a signature's confirmation until every "
        "honest node applies it; signatures some honest node still does not apply when their delivery window "
        "(`eval_window_steps` steps) or the run ends are censored, not dropped",
        "delivery",
        "confirmed signatures (NaN when the curve never falls to one half)",
    ),
    Outcome(
        "confirmed_all_reached_frac",
        _delivery_reached,
        MAXIMIZE,
        "share of confirmed signatures",
        "confirmed signatures that every honest node applied within their delivery window",
        "delivery",
        "confirmed signatures",
    ),
    Outcome(
        "confirmed_never_applied_frac",
        _ended_mean("missing"),
        MINIMIZE,
        "share of honest nodes",
        "honest nodes that never applied a confirmed signature within its delivery window (mean over signatures)",
        "delivery",
        _ENDED,
    ),
    Outcome(
        "confirmed_inconsistent_frac",
        _ended_mean("inconsistent"),
        MINIMIZE,
        "share of confirmed signatures",
        "confirmed signatures that some honest nodes applied and others did not when their delivery window "
        "closed: whether honest nodes' applied rule sets differ (0: consistent)",
        "delivery",
        _ENDED,
    ),
    Outcome(
        "confirmed_pair_disagreement_frac",
        _ended_mean("pair_disagreement"),
        MINIMIZE,
        "share of honest-node pairs",
        "pairs of honest nodes of which one applied a confirmed signature and the other did not when its delivery "
        "window closed, k(H-k) / (H(H-1)/2) for k of H honest nodes (mean over signatures): how far honest "
        "nodes' applied rule sets differ",
        "delivery",
        _ENDED,
    ),
    # --- the ledger's ordering (sharing="ledger"; NaN for channels that keep no ledger) ---
    Outcome(
        "conflicting_entries",
        _ledger_stat("conflicting_entries"),
        MINIMIZE,
        "log positions",
        "log positions (block height, place in the block) at which two honest nodes applied different entries: "
        "0 when the honest logs are consistent (an equivocating leader's fork; `workbench.model.ledger_protocols`)",
        "ledger",
        "NaN for channels without a ledger",
        structural=_if(_consistent_log, 0.0),
    ),
    Outcome(
        "entry_commit_delay_steps",
        _ledger_stat("entry_delay_steps"),
        MINIMIZE,
        "steps",
        "mean steps from an honest node's ledger entry (signature, vote, decision) to its first application by "
        "an honest node; entries still waiting at the run's end count with their wait so far (a censoring "
        "leader's delay shows here); `ledger_latency_steps` on the ideal ledger",
        "ledger",
        "honest nodes' ledger entries (NaN without a ledger)",
    ),
    Outcome(
        "entry_commit_delay_max_steps",
        _ledger_stat("entry_delay_max_steps"),
        MINIMIZE,
        "steps",
        "the longest wait of an honest node's ledger entry for its first application by an honest node (as "
        "`entry_commit_delay_steps`; a censoring leader's reign shows here whole)",
        "ledger",
        "honest nodes' ledger entries (NaN without a ledger)",
    ),
    Outcome(
        "view_changes",
        _ledger_stat("view_changes"),
        INFO,
        "view changes",
        "times the ledger's replicas replaced their leader (elections, view changes); 0 on the ideal ledger",
        "ledger",
    ),
    Outcome(
        "ledger_blocks",
        _ledger_stat("blocks"),
        INFO,
        "blocks",
        "blocks cut by the ledger's leaders, committed or not; 0 on the ideal ledger (no blocks)",
        "ledger",
    ),
    # --- churn (workbench.model.churn) ---
    Outcome(
        "nodes_present_mean",
        lambda r: churn.nodes_present_mean(r.state),
        INFO,
        "nodes",
        "nodes present, averaged over the steps run (`n_nodes` without churn; its law: docs/churn.md)",
        "churn",
        "steps",
        structural=lambda params: None if params.churn else float(params.n_nodes),
    ),
    Outcome(
        "churn_joins",
        lambda r: int(r.state.churn.joins),
        INFO,
        "nodes",
        "new nodes that joined (each a new identity that caught up from its channel)",
        "churn",
        structural=_if(_no_joins, 0.0),
    ),
    Outcome(
        "catch_up_messages",
        lambda r: int(r.state.churn.catch_up_messages),
        MINIMIZE,
        "messages",
        "messages of the joiners' catch-up (a request each, then a message per confirmed rule sent; also in "
        "`messages_total`)",
        "churn",
        structural=lambda params: 0.0 if _no_joins(params) or _silent(params) else None,
    ),
    Outcome(
        "catch_up_bytes_per_join",
        lambda r: _ratio(r.state.churn.catch_up_bytes, r.state.churn.joins),
        MINIMIZE,
        "bytes per join",
        "bytes of the joiners' catch-up (`workbench.model.message_sizes`; also in `bytes_per_node_step`) per node "
        "that joined",
        "churn",
        "nodes that joined",
    ),
)

_names = [o.name for o in BUILTIN]
if len(set(_names)) != len(_names):  # the names are the summary's columns: one each
    raise ValueError(f"two built-in outcomes share a name: {sorted(n for n in _names if _names.count(n) > 1)}")
