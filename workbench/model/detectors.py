"""Local anomaly detectors: one detector per node, fitted and scored for all nodes at once.

Shapes used throughout: ``N`` nodes, ``W`` warm-up flows per node, ``F`` flows per node per step,
``d`` numeric features per flow (log-scaled traffic features such as log bytes, log packets; the
detectors treat them as dimensionless reals and require them finite).

Every bank follows scikit-learn's sign convention: ``score_samples`` is HIGHER for MORE NORMAL
flows, and a flow is flagged when its score is below the node's ``threshold_``. Two banks share one
interface (:class:`DetectorBank`), so the model never changes when the detector does:

* :class:`RobustZScoreBank` -- per node and feature median/MAD, streaming baseline updates;
* :class:`IsolationForestBank` -- one isolation forest per node, all forests compiled into flat
  arrays and scored in one batched, fixed-depth traversal.

:class:`RobustZScore` and :class:`BatchedIsolationForest` wrap the banks with ``N = 1`` for
scikit-learn-style use on ``(n, d)`` arrays; :func:`make_detector_bank` builds a bank by name.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from workbench.model.forests import average_path_length, build_numpy_forests, compile_sklearn_forests, mean_path_length
from workbench.options import DETECTORS
from workbench.validation import Range, check_choice, check_int, check_number

FIT_BACKENDS = ("numpy", "sklearn")

# Consistency constant: 1.4826 * MAD estimates the standard deviation of a normal distribution.
MAD_TO_SIGMA = 1.4826
# sqrt(pi / 2): the same for the mean absolute deviation, used where the MAD is 0.
MEANAD_TO_SIGMA = 1.253314
# Default refit guard of the z-score bank, robust-z units below its threshold (see RobustZScoreBank and
# ModelParams.zscore_refit_guard for the calibration behind it).
REFIT_GUARD_Z = 1.0
# Elements of the z-score bank's temporaries (refit lanes, robust z): a chunk of nodes at a time.
_REFIT_BUDGET = 1 << 22


# --------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------


def _check_array(
    X: object, name: str, shape_doc: str, *, n_nodes: int | None = None, n_features: int | None = None
) -> np.ndarray:
    """``X`` as a float64 array of shape (N, rows, d), checked against the fitted N and d."""
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 3:
        raise ValueError(f"{name} must be a 3-D array of shape {shape_doc}; got ndim={arr.ndim} (shape {arr.shape})")
    if n_nodes is not None and arr.shape[0] != n_nodes:
        raise ValueError(f"{name} has {arr.shape[0]} nodes (axis 0) but the bank was fitted on N={n_nodes}")
    if n_features is not None and arr.shape[2] != n_features:
        raise ValueError(f"{name} has {arr.shape[2]} features (axis 2) but the bank was fitted on d={n_features}")
    if arr.shape[1] < 1 or arr.shape[2] < 1:
        raise ValueError(f"{name} must have at least one row and one feature per node; got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must hold finite numbers only; got NaN or infinity")
    return arr


def _check_2d(X: object, name: str) -> np.ndarray:
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (n_samples, d); got ndim={arr.ndim} (shape {arr.shape})")
    return arr


# --------------------------------------------------------------------------------------------
# the shared interface
# --------------------------------------------------------------------------------------------


@runtime_checkable
class DetectorBank(Protocol):
    """What the model needs from a bank of per-node detectors.

    ``update(X, excluded)`` is the baseline update after a step: ``excluded`` ``(N, F)`` marks the flows
    the baseline must not learn from (flagged, blocked, padding, or caught by the refit guard; see
    :func:`workbench.model.phases.detection.kept_out`). A bank may also have ``guard_threshold_``
    ``(N,)``: unflagged flows scoring below it are kept out of its baseline too (the refit guard);
    a bank without it is guarded by its flags alone.
    """

    threshold_: np.ndarray  # (N,) flag a flow when its score is below its node's entry

    def fit(self, X: np.ndarray) -> DetectorBank: ...

    def score_samples(self, X: np.ndarray) -> np.ndarray: ...

    def predict_flags(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def update(self, X: np.ndarray, flagged: np.ndarray) -> None: ...


class _FlagsMixin:
    threshold_: np.ndarray

    def score_samples(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def predict_flags(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores ``(N, F)`` and flags ``(N, F)`` bool (``score < threshold_`` of the flow's node)."""
        scores = self.score_samples(X)
        return scores, scores < self.threshold_[:, None]


# --------------------------------------------------------------------------------------------
# robust z-score
# --------------------------------------------------------------------------------------------


def _median_of_lanes(lanes: np.ndarray) -> np.ndarray:
    """``np.median(lanes, axis=-1)``, partitioning ``lanes`` in place (one partition, no copy)."""
    k = lanes.shape[-1] // 2
    if lanes.shape[-1] % 2:
        lanes.partition(k, axis=-1)
        return lanes[..., k].copy()
    lanes.partition([k - 1, k], axis=-1)
    return np.mean(lanes[..., k - 1 : k + 1], axis=-1)  # the mean of the middle two, as np.median takes it


def _max_last(z: np.ndarray, out: np.ndarray) -> None:
    """``out[...] = z.max(axis=-1)`` for a short last axis, as elementwise maxima (much faster than a reduction)."""
    np.copyto(out, z[..., 0])
    for j in range(1, z.shape[-1]):
        np.maximum(out, z[..., j], out=out)


class RobustZScoreBank(_FlagsMixin):
    """Per-node robust z-score detector with a streaming baseline.

    For node ``n`` and feature ``j`` the baseline is the median ``m[n, j]`` and the scale
    ``s[n, j] = max(1.4826 * MAD[n, j], MAD_FLOOR)`` of the node's last ``W`` accepted flows;
    where ``MAD == 0`` (more than half the window on one value) the scale falls back to
    ``1.2533 * mean |x - m|``, and only a fully constant feature gets the floor.
    A flow's anomaly strength is its robust z, ``max_j |x_j - m[n, j]| / s[n, j]`` (in
    standard-deviation units of a normal baseline); ``score_samples`` returns minus that.

    Parameters
    ----------
    threshold:
        Robust z above which a flow is flagged, > 0 (``threshold_`` is ``-threshold`` per node).
    refit_steps:
        Number of :meth:`update` calls between recomputations of median and MAD, >= 1.
    refit_guard:
        Robust-z margin below ``threshold``, >= 0: an unflagged flow whose robust z exceeds
        ``threshold - refit_guard`` is near enough to the threshold to be the unflagged tail of an
        attack, and is kept out of the baseline (``guard_threshold_ = -(threshold - refit_guard)``,
        floored at z = 0). 0 keeps out flagged flows only.
    """

    #: Lower bound on the scale, in feature units; a constant feature then flags any departure
    #: from its constant value instead of dividing by zero.
    MAD_FLOOR: float = 1e-6

    def __init__(self, threshold: float = 4.0, refit_steps: int = 10, refit_guard: float = REFIT_GUARD_Z) -> None:
        self.threshold = float(check_number("threshold", threshold, Range(0.0, low_open=True)))
        self.refit_steps = check_int("refit_steps", refit_steps, 1)
        self.refit_guard = float(check_number("refit_guard", refit_guard, Range(0.0)))

    @classmethod
    def from_params(cls, params: Any, rng: np.random.Generator | None = None) -> RobustZScoreBank:
        """The bank ``ModelParams`` describe (``zscore_threshold``, ``zscore_refit_steps``, ``zscore_refit_guard``)."""
        return cls(
            threshold=params.zscore_threshold,
            refit_steps=params.zscore_refit_steps,
            refit_guard=params.zscore_refit_guard,
        )

    def fit(self, X: np.ndarray) -> RobustZScoreBank:
        """Fit every node's baseline on its warm-up window ``X`` of shape ``(N, W, d)``."""
        return self._fit_buffer(_check_array(X, "X", "(N, W, d)").copy())

    def fit_owned(self, X: np.ndarray) -> RobustZScoreBank:
        """:meth:`fit` on ``X`` that the caller hands over: ``X`` (float64, C-contiguous) becomes the ring
        buffer itself, without a copy (the model's warm-up buffer: at a million nodes a copy is gigabytes)."""
        X = _check_array(X, "X", "(N, W, d)")
        return self._fit_buffer(X if X.flags.c_contiguous and X.flags.writeable else X.copy())

    def _fit_buffer(self, X: np.ndarray) -> RobustZScoreBank:
        self.buffer_ = X  # ring buffer of each node's last W accepted flows, (N, W, d)
        self._write_pos = np.zeros(X.shape[0], dtype=np.int64)  # per node: accepted counts differ
        self.n_updates_ = 0
        self._refit()
        self.threshold_ = np.full(X.shape[0], -self.threshold)
        self.guard_threshold_ = np.full(X.shape[0], -max(self.threshold - self.refit_guard, 0.0))
        return self

    def _refit(self) -> None:
        n, w, d = self.buffer_.shape
        self.median_, self.scale_ = np.empty((n, d)), np.empty((n, d))
        take = max(1, _REFIT_BUDGET // (w * d))  # nodes at a time: the lanes are a copy of their windows
        for a in range(0, n, take):
            self.median_[a : a + take], self.scale_[a : a + take] = self._baseline(self.buffer_[a : a + take])

    def _baseline(self, buffer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Median and scale ``(n, d)`` of the windows ``buffer`` ``(n, W, d)`` of some nodes."""
        # each node's window of each feature as one contiguous lane (n, d, W): medians partition along it
        lanes = np.ascontiguousarray(buffer.transpose(0, 2, 1))
        median = _median_of_lanes(lanes)  # (n, d)
        lanes -= median[:, :, None]  # the absolute deviations, in place (one window-sized copy in all)
        mad = _median_of_lanes(np.abs(lanes, out=lanes))
        scale = MAD_TO_SIGMA * mad
        if not (mad > 0).all():
            # MAD is 0 when over half the window shares one value (counters that are mostly 0); the
            # mean absolute deviation still sees the spread of the rest (Iglewicz & Hoaglin's fallback)
            mean_ad = np.abs(buffer - median[:, None, :]).mean(axis=1)
            scale = np.where(mad > 0, scale, MEANAD_TO_SIGMA * mean_ad)
        return median, np.maximum(scale, self.MAD_FLOOR)

    def robust_z(self, X: np.ndarray) -> np.ndarray:
        """Robust z of every flow, ``(N, F)``, >= 0 (max over features)."""
        X = _check_array(X, "X", "(N, F, d)", n_nodes=self.median_.shape[0], n_features=self.median_.shape[1])
        out = np.empty(X.shape[:2])
        take = max(1, _REFIT_BUDGET // (X.shape[1] * X.shape[2]))  # nodes at a time: bounded temporaries
        for a in range(0, X.shape[0], take):
            z = X[a : a + take] - self.median_[a : a + take, None, :]
            np.abs(z, out=z)
            z /= self.scale_[a : a + take, None, :]
            _max_last(z, out[a : a + take])  # the max over features (exact in any order)
        return out

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """Minus the robust z of every flow of ``X`` ``(N, F, d)``: ``(N, F)``, higher = more normal."""
        return -self.robust_z(X)

    def update(self, X: np.ndarray, flagged: np.ndarray) -> None:
        """Append the flows of one step ``X`` ``(N, F, d)`` not marked in ``flagged`` to each node's ring buffer.

        Marked flows (``flagged`` ``(N, F)`` True: in the model, flagged, blocked or guarded ones, see
        :func:`~workbench.model.phases.detection.kept_out`) are left out, so suspected attacks do not
        drag the baseline; each node's write position advances by its own count of accepted flows (a
        node with none keeps its buffer). (Writing left-out flows as the median instead would shrink the
        MAD at attacked nodes and feed back into more false positives.) Median and MAD are recomputed
        every ``refit_steps`` calls.
        """
        N, W, d = self.buffer_.shape
        X = _check_array(X, "X", "(N, F, d)", n_nodes=N, n_features=d)
        flagged = np.asarray(flagged, dtype=bool)
        if flagged.shape != X.shape[:2]:
            raise ValueError(f"flagged must have shape (N, F) = {X.shape[:2]}; got {flagged.shape}")
        accepted = ~flagged
        rank = np.cumsum(accepted, axis=1) - 1  # position of each accepted flow among its node's accepted flows
        node, col = np.nonzero(accepted)
        count = accepted.sum(axis=1)
        keep = rank[node, col] >= count[node] - W  # only the newest W accepted flows survive anyway
        node, col = node[keep], col[keep]
        slots = (self._write_pos[node] + rank[node, col]) % W
        # flat row indices: much faster than 2-D fancy indexing
        self.buffer_.reshape(N * W, d)[node * W + slots] = X.reshape(-1, d)[node * X.shape[1] + col]
        self._write_pos = (self._write_pos + count) % W
        self.n_updates_ += 1
        if self.n_updates_ % self.refit_steps == 0:
            self._refit()


# --------------------------------------------------------------------------------------------
# isolation forest bank
# --------------------------------------------------------------------------------------------


class IsolationForestBank(_FlagsMixin):
    """One isolation forest per node, all scored in one batched traversal.

    Parameters
    ----------
    n_trees:
        Trees per node's forest, >= 1.
    contamination:
        Fraction of each node's warm-up flows that its threshold flags, in (0, 0.5].
    fit_backend:
        ``"numpy"`` grows all forests at once in numpy (:func:`build_numpy_forests`);
        ``"sklearn"`` fits one ``sklearn.ensemble.IsolationForest`` per node and compiles them.
        Both are scored by the same compiled traversal.
    rng:
        Source of all randomness (sklearn forests get ``random_state`` drawn from it).

    Scores equal scikit-learn's ``score_samples``: ``-2 ** (-h / c(max_samples))`` with ``h`` the
    mean path length over the node's trees; in [-1, 0), higher = more normal. ``max_samples`` is
    ``min(256, W)``.
    """

    def __init__(
        self,
        n_trees: int = 100,
        contamination: float = 0.01,
        fit_backend: str = "numpy",
        rng: np.random.Generator | None = None,
    ) -> None:
        self.n_trees = check_int("n_trees", n_trees, 1)
        self.contamination = float(check_number("contamination", contamination, Range(0.0, 0.5, low_open=True)))
        self.fit_backend = check_choice("fit_backend", fit_backend, FIT_BACKENDS)
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng={rng!r} is not allowed; pass a numpy.random.Generator or None")
        self.rng = np.random.default_rng() if rng is None else rng

    @classmethod
    def from_params(cls, params: Any, rng: np.random.Generator | None = None) -> IsolationForestBank:
        """The bank ``ModelParams`` describe (``iforest_trees``, ``iforest_contamination``), drawing from ``rng``."""
        return cls(n_trees=params.iforest_trees, contamination=params.iforest_contamination, rng=rng)

    def fit(self, X: np.ndarray) -> IsolationForestBank:
        """Fit every node's forest on its warm-up window ``X`` ``(N, W, d)``; set ``threshold_`` ``(N,)``."""
        X = _check_array(X, "X", "(N, W, d)")
        N, W, d = X.shape
        self.n_nodes_, self.n_features_ = N, d
        self.max_samples_ = min(256, W)
        # sklearn trees compare float32 inputs with float64 thresholds; mirror that exactly
        self._input_dtype = np.float32 if self.fit_backend == "sklearn" else np.float64
        if self.fit_backend == "sklearn":
            self.forest_ = compile_sklearn_forests(self._fit_sklearn(X), d)
        else:
            self.forest_ = build_numpy_forests(X, self.n_trees, self.max_samples_, self.rng)
        # like sklearn's offset_: the contamination quantile of the node's own warm-up scores
        self.threshold_ = np.percentile(self.score_samples(X), 100.0 * self.contamination, axis=1)
        return self

    def _fit_sklearn(self, X: np.ndarray) -> list:
        from sklearn.ensemble import IsolationForest

        forests = []
        for node_X in X:  # per-node loop at fit time only; sklearn has no batched fit
            forest = IsolationForest(
                n_estimators=self.n_trees,
                max_samples=self.max_samples_,
                contamination=self.contamination,
                random_state=int(self.rng.integers(2**31 - 1)),
            )
            forests.append(forest.fit(node_X))
        return forests

    @property
    def offset_(self) -> np.ndarray:
        """Alias of ``threshold_`` under scikit-learn's name."""
        return self.threshold_

    def mean_path_length(self, X: np.ndarray) -> np.ndarray:
        """Mean path length over each node's trees, ``(N, F)`` in tree edges."""
        X = _check_array(X, "X", "(N, F, d)", n_nodes=self.n_nodes_, n_features=self.n_features_)
        if self._input_dtype is np.float32:
            X = X.astype(np.float32).astype(np.float64)
        return mean_path_length(self.forest_, np.ascontiguousarray(X))

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """``-2 ** (-h / c(max_samples))`` for every flow of ``X`` ``(N, F, d)``: ``(N, F)`` in [-1, 0)."""
        h = self.mean_path_length(X)
        c = float(average_path_length(self.max_samples_))
        if c == 0.0:  # one training sample: sklearn's convention, exponent -1
            return np.full_like(h, -0.5)
        return -(2.0 ** (-h / c))

    def update(self, X: np.ndarray, flagged: np.ndarray) -> None:
        """No-op: forests are fitted once on the warm-up window (kept for a common interface)."""


# --------------------------------------------------------------------------------------------
# single-detector wrappers and the factory
# --------------------------------------------------------------------------------------------


class _SingleDetector:
    """scikit-learn-style ``(n, d)`` front end over a bank with ``N = 1``."""

    bank_: RobustZScoreBank | IsolationForestBank

    def _make_bank(self) -> RobustZScoreBank | IsolationForestBank:  # pragma: no cover
        raise NotImplementedError

    def fit(self, X: np.ndarray, y: object = None) -> _SingleDetector:
        """Fit on ``X`` ``(n_samples, d)``; ``y`` is ignored."""
        self.bank_ = self._make_bank().fit(_check_2d(X, "X")[None])
        return self

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """Normality scores ``(n_samples,)``, higher = more normal."""
        return self.bank_.score_samples(_check_2d(X, "X")[None])[0]

    @property
    def threshold_(self) -> float:
        """Scores below this are flagged (scikit-learn's ``offset_``)."""
        return float(self.bank_.threshold_[0])

    offset_ = threshold_

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """``score_samples(X) - threshold_``: negative for flagged samples, ``(n_samples,)``."""
        return self.score_samples(X) - self.threshold_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """+1 for inliers, -1 for flagged samples, ``(n_samples,)`` int."""
        return np.where(self.decision_function(X) < 0, -1, 1)


class RobustZScore(_SingleDetector):
    """Robust z-score detector on ``(n, d)`` data; see :class:`RobustZScoreBank`."""

    def __init__(self, threshold: float = 4.0, refit_steps: int = 10) -> None:
        self.threshold = threshold
        self.refit_steps = refit_steps
        self._make_bank()  # validate now

    def _make_bank(self) -> RobustZScoreBank:
        return RobustZScoreBank(threshold=self.threshold, refit_steps=self.refit_steps)


class BatchedIsolationForest(_SingleDetector):
    """Isolation forest on ``(n, d)`` data with the compiled scorer; see :class:`IsolationForestBank`."""

    def __init__(
        self,
        n_trees: int = 100,
        contamination: float = 0.01,
        fit_backend: str = "numpy",
        rng: np.random.Generator | None = None,
    ) -> None:
        self.n_trees = n_trees
        self.contamination = contamination
        self.fit_backend = fit_backend
        self.rng = np.random.default_rng() if rng is None else rng
        self._make_bank()  # validate now

    def _make_bank(self) -> IsolationForestBank:
        return IsolationForestBank(self.n_trees, self.contamination, self.fit_backend, self.rng)


def make_detector_bank(
    name: str,
    *,
    rng: np.random.Generator | None = None,
    zscore_threshold: float = 4.0,
    zscore_refit_steps: int = 10,
    zscore_refit_guard: float = REFIT_GUARD_Z,
    iforest_trees: int = 100,
    iforest_contamination: float = 0.01,
    iforest_backend: str = "numpy",
) -> RobustZScoreBank | IsolationForestBank:
    """An unfitted bank by name: ``"zscore"`` or ``"iforest"`` (parameters as in ``ModelParams``)."""
    check_choice("name", name, DETECTORS)
    if name == "zscore":
        return RobustZScoreBank(
            threshold=zscore_threshold, refit_steps=zscore_refit_steps, refit_guard=zscore_refit_guard
        )
    return IsolationForestBank(
        n_trees=iforest_trees, contamination=iforest_contamination, fit_backend=iforest_backend, rng=rng
    )
