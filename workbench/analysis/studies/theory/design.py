"""Study 07's design: which closed forms are checked, in which settings and with which seeds, per size.

There are no sweeps: each check is a call of a ``*_check`` function of :mod:`workbench.analysis.theory_check`
(the functions the tests assert on), planned here with its arguments and run by :meth:`TheoryDesign.run`.
Check ``i`` of a group uses seeds ``seed, seed + 1, ...``; the tests use ``seed = 0``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from workbench.analysis import theory_check as tc
from workbench.analysis.studies.common import check_size


@dataclass(frozen=True)
class TheoryDesign:
    """The planned checks by group (``"consensus"``, ``"gossip"``), in the order they run and are shown."""

    size: str
    seed: int
    groups: dict[str, list[Callable[[], tc.Check]]]

    def run(self) -> dict[str, list[tc.Check]]:
        """Run every planned check (each runs the model, or the pure decision function, in this process)."""
        return {group: [planned() for planned in checks] for group, checks in self.groups.items()}


def design(size: str = "small", seed: int = 0) -> TheoryDesign:
    """``"small"``: one setting per formula, as in the tests; ``"full"``: several settings per formula
    (accuracies, colluder counts, network sizes, fanouts) with more seeds."""
    full = check_size(size) == "full"
    consensus: list[Callable[[], tc.Check]] = []
    for accuracy in [0.55, 0.6, 0.7] if full else [0.6]:
        consensus.append(
            partial(tc.condorcet_check, n_nodes=11, accuracy=accuracy, seeds=range(seed, seed + (50 if full else 25)))
        )
    for colluders in [0, 3, 6, 10] if full else [3]:
        consensus.append(partial(tc.collusion_decision_check, voters=20, colluders=colluders, error=0.5, seed=seed + 7))
    for n_malicious in [2, 4, 6] if full else [4]:
        consensus.append(
            partial(
                tc.collusion_check, n_nodes=21, n_malicious=n_malicious, seeds=range(seed, seed + (20 if full else 10))
            )
        )
    gossip: list[Callable[[], tc.Check]] = [
        partial(tc.frieze_grimmett_check, 100, 0.1, 45, seeds=range(seed, seed + (6 if full else 3)))
    ]
    if full:
        gossip.append(partial(tc.frieze_grimmett_check, 1000, 0.02, 45, seeds=range(seed, seed + 1)))
    for n_nodes, fanout in [(32, 1), (64, 1), (64, 2), (128, 1)] if full else [(64, 1)]:
        gossip.append(
            partial(tc.exact_spreading_check, n_nodes, fanout, "push", seeds=range(seed, seed + (6 if full else 3)))
        )
    for n_nodes, fanout in [(64, 1), (128, 2)] if full else [(64, 1)]:
        gossip.append(partial(tc.exact_spreading_check, n_nodes, fanout, "push_pull", seeds=range(seed, seed + 3)))
    for k in [1.0, 2.0, 3.0] if full else [2.0]:
        gossip.append(partial(tc.rumor_residue_check, 500, k, seeds=range(seed, seed + 2)))
    return TheoryDesign(size, seed, {"consensus": consensus, "gossip": gossip})
