"""Which detector a run uses: a registered batched bank, or any scikit-learn-style novelty detector per node.

``ModelParams.detector`` names

* a registered bank (:data:`DETECTORS`): ``"zscore"`` or ``"iforest"``, the fast batched banks of
  :mod:`workbench.model.detectors` that fit and score every node at once; or
* an import path ``"package.module:attr"`` of a scikit-learn-style novelty detector: a class or a
  factory called without arguments (``"sklearn.ensemble:IsolationForest"``, or a function returning
  ``LocalOutlierFactor(novelty=True)``) whose instances have ``fit(X)`` and ``score_samples(X)``
  (higher = more normal) on one node's ``(n, d)`` flows. One instance is made and fitted per node on
  that node's warm-up flows (:class:`NoveltyBank`); or
* an import path of a batched bank of a researcher's own: a class with a ``from_params(params, rng)``
  classmethod returning a :class:`~workbench.model.detectors.DetectorBank`.

Threshold rule of a per-node detector, the built-in isolation-forest bank's: node ``n`` flags a flow
when its score is below the ``100 * detector_contamination`` th percentile of the scores of ``n``'s own
warm-up flows (scikit-learn's ``offset_`` for a given contamination), so about that share of
warm-up flows would be flagged. A per-node detector is fitted once (no baseline updates).

Randomness: an estimator that has a ``random_state`` parameter (scikit-learn's ``get_params()``) or
attribute gets ``random_state`` set, per node at fit time, to an integer drawn from the model's
Generator, so runs stay reproducible; nothing else is drawn. A per-node detector is slower than the
batched banks: ``N`` calls of ``score_samples`` per step (see ``docs/extending.md`` for the cost).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from workbench.model.components import Registry, describe_object, missing_methods
from workbench.model.detectors import DetectorBank, _check_array, _FlagsMixin
from workbench.options import DETECTORS as BANK_NAMES
from workbench.validation import Range, check_number

#: A bank's builder: ``(params, rng) -> unfitted DetectorBank``.
BankBuilder = Callable[[Any, np.random.Generator], DetectorBank]


def seed_random_state(estimator: Any, rng: np.random.Generator) -> None:
    """Give ``estimator`` a ``random_state`` drawn from ``rng`` if it has that parameter (else draw nothing)."""
    params = estimator.get_params(deep=False) if callable(getattr(estimator, "get_params", None)) else None
    if params is not None and "random_state" in params:
        estimator.set_params(random_state=int(rng.integers(2**31 - 1)))
    elif params is None and hasattr(estimator, "random_state"):
        estimator.random_state = int(rng.integers(2**31 - 1))


class NoveltyBank(_FlagsMixin):
    """One scikit-learn-style novelty detector per node, behind the bank interface.

    Args:
        factory: called without arguments, once per node, for an unfitted detector.
        contamination: share of each node's warm-up flows its threshold flags, in (0, 0.5].
        rng: the model's Generator (``random_state`` of each node's detector, when it has one).
    """

    def __init__(self, factory: Callable[[], Any], contamination: float, rng: np.random.Generator) -> None:
        self.factory = factory
        self.contamination = float(
            check_number("detector_contamination", contamination, Range(0.0, 0.5, low_open=True))
        )
        self.rng = rng

    def fit(self, X: np.ndarray) -> NoveltyBank:
        """Fit node ``n``'s detector on its warm-up flows ``X[n]`` (``X``: ``(N, W, d)``); set ``threshold_``."""
        X = _check_array(X, "X", "(N, W, d)")
        self.detectors_ = []
        for node_X in X:  # a loop over nodes: one estimator each
            detector = self.factory()
            seed_random_state(detector, self.rng)
            self.detectors_.append(detector.fit(node_X) or detector)
        self.threshold_ = np.percentile(self.score_samples(X), 100.0 * self.contamination, axis=1)
        return self

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """Every node's detector's ``score_samples`` of its own flows ``X[n]``: ``(N, F)``, higher = more normal."""
        X = _check_array(X, "X", "(N, F, d)", n_nodes=len(self.detectors_))
        return np.stack([np.asarray(d.score_samples(x), float) for d, x in zip(self.detectors_, X)])

    def update(self, X: np.ndarray, flagged: np.ndarray) -> None:
        """No-op: per-node detectors are fitted once on the warm-up window."""


class PerNode:
    """The builder of a :class:`NoveltyBank` for a class or factory named by import path."""

    def __init__(self, factory: Any) -> None:
        self.factory = factory

    def problem(self) -> str | None:
        """Why ``factory`` does not make a novelty detector, or ``None`` (makes one instance to see)."""
        if not callable(self.factory):
            return f"{describe_object(self.factory)} is not a class or factory"
        try:
            detector = self.factory()
        except Exception as exc:
            return f"calling {describe_object(self.factory)}() failed ({type(exc).__name__}: {exc})"
        problem = missing_methods(detector, ("fit", "score_samples"))
        if problem and "score_samples" in problem and hasattr(detector, "novelty"):
            problem += " (scikit-learn's LocalOutlierFactor scores new flows only with novelty=True: name a factory)"
        return problem

    def __call__(self, params: Any, rng: np.random.Generator) -> DetectorBank:
        return NoveltyBank(self.factory, params.detector_contamination, rng)


class Batched:
    """The builder of a batched bank: a class with ``from_params(params, rng)``."""

    def __init__(self, bank: Any) -> None:
        self.bank = bank

    def problem(self) -> str | None:
        return None

    def __call__(self, params: Any, rng: np.random.Generator) -> DetectorBank:
        bank: DetectorBank = self.bank.from_params(params, rng)
        return bank


def bank_builder(obj: Any) -> PerNode | Batched:
    """How an imported detector becomes a bank builder: a batched bank if it has ``from_params``, else a
    class or factory of per-node detectors."""
    return Batched(obj) if callable(getattr(obj, "from_params", None)) else PerNode(obj)


# the batched banks, by their names in workbench.options.DETECTORS (the one list, also for calibration)
_BANK_CLASSES = {"iforest": "IsolationForestBank", "zscore": "RobustZScoreBank"}
DETECTORS = Registry(
    "detector",
    "detector",
    {name: f"workbench.model.detectors:{_BANK_CLASSES[name]}" for name in BANK_NAMES},
    protocol="fit(X) and score_samples(X) on one node's (n, d) flows (higher = more normal), made by a class "
    "or factory called without arguments",
    problem=lambda builder: builder.problem(),
    make=bank_builder,
)


def build_bank(params: Any, rng: np.random.Generator) -> DetectorBank:
    """The unfitted bank ``params.detector`` names, drawing any randomness from ``rng``."""
    builder: BankBuilder = DETECTORS.get(params.detector)
    return builder(params, rng)
