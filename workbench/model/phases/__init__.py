"""The phases of a model step, in the order :meth:`ThreatIntelModel.step` runs them.

Each phase is a function over the explicit :class:`~workbench.model.state.ModelState` (plus the
step ``t`` and, where it draws, the model's numpy Generator). It advances the state in place and
returns what it produced -- a :class:`~workbench.model.state.StepOutput` (counts and ledger
records) or an array -- never writing into shared dicts.

0. :func:`~.delivery.deliver` -- what the sharing channel carries and the votes due at this step arrive;
1. :func:`~.spread.spread_campaigns` -- campaigns start and move along the topology;
2. :func:`~.sharing.share` -- the sharing channel's round (spreading signatures and decisions, if it does);
3. :func:`~.vote.cast_votes` -- nodes vote on the pending signatures they hold; votes leave;
4. :func:`~.decision.decide_due` -- the channel decides due signatures; confirmations reach nodes;
   :func:`~.decision.update_protection` -- protection and T50/T90 follow;
5. :class:`~.detection.WarmupDetector` flags the step's flows, :func:`~.blocking.blocked_flows`
   finds those a confirmed signature blocks, :func:`~.traffic_counts.count_traffic` counts them;
6. :func:`~.proposal.propose` -- flagged flows (and forgeries) become signatures.

Phases never import each other, and not one looks at which sharing channel, detector, consensus rule,
adversary or evidence rule a run uses: each calls the component's protocol. What several channels share
lives in modules they use (:mod:`workbench.model.routes`, :mod:`workbench.model.transit`,
:mod:`workbench.model.decisions`).
"""
