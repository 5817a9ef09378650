"""Execution backends behind one small interface.

A backend is a context manager whose :meth:`Backend.run` takes tasks and yields their outcomes
as they finish, in any order; the driver writes each to the store as it arrives. Backends plug
in by name through :func:`register_backend`; the caller never changes when the backend does.
"""

from __future__ import annotations

import abc
import importlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ClassVar

from workbench.experiments.execute import Outcome, Task, execute, failed_outcome

BACKENDS: dict[str, type["Backend"]] = {}
# What a worker imports before its first run (see RayBackend.warm_up).
WARM_MODULES = ("workbench.model.run",)


def _import_modules(modules: tuple[str, ...]) -> int:
    for name in modules:
        importlib.import_module(name)
    time.sleep(0.5)  # hold this worker so that the next warm-up task lands on another
    return os.getpid()


def register_backend(cls: type["Backend"]) -> type["Backend"]:
    """Class decorator: make a backend available by its ``name``."""
    BACKENDS[cls.name] = cls
    return cls


def get_backend(name: str, **options: Any) -> "Backend":
    """A backend instance by name (``"local"``, ``"processes"``, ``"ray"``)."""
    try:
        cls = BACKENDS[name]
    except KeyError:
        raise ValueError(f"backend={name!r} is not allowed; choose one of {', '.join(map(repr, BACKENDS))}") from None
    return cls(**options)


class Backend(abc.ABC):
    """Runs tasks; yields outcomes as they finish. Use as a context manager."""

    name: ClassVar[str]

    def __enter__(self) -> "Backend":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Release what the backend started."""

    @abc.abstractmethod
    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        """Yield one outcome per task, in completion order."""


@register_backend
class LocalBackend(Backend):
    """In-process and sequential: the reference, and the easiest to debug."""

    name = "local"

    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        for task in tasks:
            yield execute(task)


def single_threaded_worker() -> None:
    """One BLAS/OpenMP thread per worker process (as Ray does for its workers): with one worker per
    core, numpy's default thread pools oversubscribe the cores and slow every run down."""
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return
    threadpool_limits(limits=1)


@register_backend
class ProcessesBackend(Backend):
    """A ``concurrent.futures`` process pool on this machine (spawned workers).

    At most ``max_workers`` runs are in flight, so when a worker dies the runs it may have taken
    down are known; each is then retried alone, up to ``max_retries`` times, before being
    recorded as failed.
    """

    name = "processes"

    def __init__(self, max_workers: int | None = None, max_retries: int = 2) -> None:
        self.max_workers = max_workers or os.cpu_count() or 1
        self.max_retries = max_retries
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded driver

    def _pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=self._context, initializer=single_threaded_worker)

    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        queue = deque(tasks)
        suspects: list[Task] = []
        while queue:
            pool = self._pool(min(self.max_workers, len(queue)))
            in_flight: dict[Future, Task] = {}
            try:
                while queue or in_flight:
                    while queue and len(in_flight) < self.max_workers:
                        task = queue.popleft()
                        in_flight[pool.submit(execute, task)] = task
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    broken = False
                    for future in done:
                        task = in_flight.pop(future)
                        try:
                            yield future.result()
                        except BrokenProcessPool:
                            suspects.append(task)
                            broken = True
                    if broken:
                        suspects.extend(in_flight.values())
                        in_flight.clear()
                        break
            finally:
                pool.shutdown(wait=False, cancel_futures=True)
            for task in suspects:
                yield self._isolated(task)
            suspects.clear()

    def _isolated(self, task: Task) -> Outcome:
        error = "worker process died"
        for _ in range(self.max_retries):
            with self._pool(1) as pool:
                try:
                    return pool.submit(execute, task).result()
                except BrokenProcessPool as exc:
                    error = f"worker process died ({exc})"
        return failed_outcome(task, f"{error}; gave up after {1 + self.max_retries} attempts")


@register_backend
class RayBackend(Backend):
    """Ray tasks, on a local instance or an existing cluster.

    Connects to ``address`` if given, else to ``RAY_ADDRESS`` when set, else starts a local
    instance (dashboard off). A session that is already initialised is reused and left running;
    one started here is shut down on close. Tasks whose worker dies are retried by Ray
    ``max_retries`` times, then recorded as failed.
    """

    name = "ray"

    def __init__(self, address: str | None = None, max_retries: int = 2, num_cpus: int | None = None,
                 warm_up: bool = False, **init_options: Any) -> None:
        self.address = address
        self._warm_up = warm_up
        self.max_retries = max_retries
        self.num_cpus = num_cpus
        self.init_options = init_options
        self._owns_session = False

    def __enter__(self) -> "RayBackend":
        import ray

        if not ray.is_initialized():
            address = self.address or os.environ.get("RAY_ADDRESS") or None
            options: dict[str, Any] = {"log_to_driver": False, **self.init_options}
            if address is None:
                # the raylet's 30 s registration deadline is too short on a loaded laptop
                os.environ.setdefault("RAY_raylet_start_wait_time_s", "120")
                os.environ.setdefault("RAY_agent_register_timeout_ms", "120000")
                options.setdefault("include_dashboard", False)
                if self.num_cpus is not None:
                    options["num_cpus"] = self.num_cpus
            ray.init(address=address, **options)
            self._owns_session = True
        if self._warm_up:
            self.warm_up()
        return self

    def warm_up(self, modules: tuple[str, ...] = WARM_MODULES) -> float:
        """Import ``modules`` in one worker per cluster CPU, so that the first runs of a sweep do
        not pay for importing the model (seconds per worker). Returns the seconds it took."""
        import ray

        start = time.perf_counter()
        task = ray.remote(num_cpus=1)(_import_modules)
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        ray.get([task.remote(modules) for _ in range(cpus)])
        return time.perf_counter() - start

    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        import ray
        from ray.exceptions import RayError

        if not ray.is_initialized():
            self.__enter__()
        remote = ray.remote(max_retries=self.max_retries, retry_exceptions=False)(execute)
        pending = {remote.remote(task): task for task in tasks}
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    task = pending.pop(ref)
                    try:
                        yield ray.get(ref)
                    except RayError as exc:  # worker died more than max_retries times, etc.
                        yield failed_outcome(task, f"{type(exc).__name__}: ray task failed after "
                                                   f"{1 + self.max_retries} attempts: {exc}".strip(), str(exc))
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)

    def close(self) -> None:
        if self._owns_session:
            import ray

            ray.shutdown()
            self._owns_session = False
