"""Execution backends behind one small interface.

A backend is a context manager whose :meth:`Backend.run` takes tasks and yields their outcomes
as they finish, in any order; the driver writes them to the store as they arrive. Backends plug
in by name through :func:`register_backend`; :func:`check_backend` is the one place a name is
validated.

Short runs are sent in chunks (:class:`ChunkSizer`): one scheduling and serialisation round trip
per chunk instead of per run, sized from the run times seen so far so that a chunk takes about
``target_chunk_s`` (slow runs still go one at a time, keeping the load balanced).
"""

from __future__ import annotations

import abc
import importlib
import math
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ClassVar

from workbench.experiments.execute import Outcome, Task, execute, execute_batch, failed_outcome
from workbench.validation import check_choice

BACKENDS: dict[str, type[Backend]] = {}
# What a worker imports before its first run (see RayBackend.warm_up).
WARM_MODULES = ("workbench.model.run",)


def _import_modules(modules: tuple[str, ...]) -> int:
    for name in modules:
        importlib.import_module(name)
    time.sleep(0.5)  # hold this worker so that the next warm-up task lands on another
    return os.getpid()


def register_backend(cls: type[Backend]) -> type[Backend]:
    """Class decorator: make a backend available by its ``name``."""
    BACKENDS[cls.name] = cls
    return cls


def check_backend(name: str) -> str:
    """``name`` if it is a registered backend, else ``ValueError`` listing them."""
    return check_choice("backend", name, BACKENDS)


def get_backend(name: str, **options: Any) -> Backend:
    """A backend instance by name (``"local"``, ``"processes"``, ``"ray"``)."""
    return BACKENDS[check_backend(name)](**options)


class ChunkSizer:
    """How many runs to send in the next chunk: about ``target_s`` of work at the mean run time
    seen so far (one run until a run time is known), at most ``max_size``, and no more than a
    fair share of what is left per worker."""

    def __init__(self, workers: int, target_s: float = 0.2, max_size: int = 256) -> None:
        self.workers, self.target_s, self.max_size = max(1, workers), target_s, max_size
        self._total_s, self._count = 0.0, 0

    def observe(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            if math.isfinite(outcome.duration_s):
                self._total_s += outcome.duration_s
                self._count += 1

    def next_size(self, remaining: int) -> int:
        if not self._count:
            return 1
        mean = max(self._total_s / self._count, 1e-5)
        fair = math.ceil(remaining / (2 * self.workers))
        return max(1, min(int(self.target_s / mean), self.max_size, fair))


def take(queue: deque, size: int) -> list[Task]:
    return [queue.popleft() for _ in range(min(size, len(queue)))]


class Backend(abc.ABC):
    """Runs tasks; yields outcomes as they finish. Use as a context manager."""

    name: ClassVar[str]
    # True when workers are spawned processes that re-import the driver's main script (see
    # runners.spawn_problem, checked before anything runs).
    spawns_main: ClassVar[bool] = False

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:  # noqa: B027 - an optional hook: backends that start nothing keep it empty
        """Release what the backend started."""

    @abc.abstractmethod
    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        """Yield one outcome per task, in completion order."""


@register_backend
class LocalBackend(Backend):
    """In-process and sequential: the reference, and the easiest to debug."""

    name = "local"

    def __init__(self, **_: Any) -> None:
        pass

    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        for task in tasks:
            yield execute(task)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's worker processes at once (``ProcessPoolExecutor`` has no public way before
    Python 3.14's ``terminate_workers``)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.terminate()
    for process in list(getattr(pool, "_processes", {}).values()):
        process.join(timeout=5)


# How often (seconds) a pool worker checks that its driver is still alive.
PARENT_POLL_S = 1.0


def exit_when_orphaned(parent_pid: int, poll_s: float = PARENT_POLL_S) -> threading.Thread:
    """Start a daemon thread that ends this process once ``parent_pid`` is no longer its parent.

    A driver killed outright (SIGKILL, or a notebook kernel stopped from JupyterLab) cannot stop its
    pool, and ``ProcessPoolExecutor`` workers would go on computing runs nobody collects, holding the
    cores: the orphan is re-parented (to init or a subreaper), so a change of ``os.getppid()`` means
    the driver is gone. The check costs one system call per ``poll_s`` seconds; the run in flight is
    lost, which loses nothing stored (the driver writes a run only once it has come back).
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_s)
        os._exit(1)

    thread = threading.Thread(target=watch, name="exit-when-orphaned", daemon=True)
    thread.start()
    return thread


def single_threaded_worker(driver_pid: int | None = None) -> None:
    """One BLAS/OpenMP thread per worker process (as Ray does for its workers): with one worker per
    core, numpy's default thread pools oversubscribe the cores and slow every run down. The worker
    also ends itself when its driver, ``driver_pid`` (read by the driver: a worker still importing when
    its driver dies has already been re-parented), dies (:func:`exit_when_orphaned`)."""
    # Ctrl-C reaches the whole process group; the driver alone handles it (and stops the workers),
    # so a worker does not print a KeyboardInterrupt traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_when_orphaned(os.getppid() if driver_pid is None else driver_pid)
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return
    threadpool_limits(limits=1)


@register_backend
class ProcessesBackend(Backend):
    """A ``concurrent.futures`` process pool on this machine (spawned workers), fed chunks of runs.

    When a worker dies, every run in flight is a suspect: each is then run alone, one at a time in
    a one-worker pool (so a death names its run), up to ``max_retries`` times before being
    recorded as failed.
    """

    name = "processes"
    spawns_main = True

    def __init__(self, max_workers: int | None = None, max_retries: int = 2, max_chunk: int = 256) -> None:
        self.max_workers = max_workers or os.cpu_count() or 1
        self.max_retries = max_retries
        self.max_chunk = max_chunk
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded driver

    def _pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            workers, mp_context=self._context, initializer=single_threaded_worker, initargs=(os.getpid(),)
        )

    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        queue = deque(tasks)
        sizer = ChunkSizer(self.max_workers, max_size=self.max_chunk)
        while queue:
            suspects: list[Task] = []
            pool = self._pool(min(self.max_workers, len(queue)))
            in_flight: dict[Future, list[Task]] = {}
            try:
                while queue or in_flight:
                    # two chunks per worker in flight: a worker never waits for the driver
                    while queue and len(in_flight) < 2 * self.max_workers:
                        chunk = take(queue, sizer.next_size(len(queue)))
                        in_flight[pool.submit(execute_batch, chunk)] = chunk
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    broken = False
                    for future in done:
                        chunk = in_flight.pop(future)
                        try:
                            outcomes = future.result()
                        except BrokenProcessPool:
                            suspects.extend(chunk)
                            broken = True
                            continue
                        sizer.observe(outcomes)
                        yield from outcomes
                    if broken:
                        for chunk in in_flight.values():
                            suspects.extend(chunk)
                        in_flight.clear()
                        break
            except (KeyboardInterrupt, GeneratorExit):
                # Ctrl-C here or in the driver (which then closes this generator early): not wait for the
                # chunks in flight, the user asked to stop now
                stop_workers(pool)
                raise
            finally:
                pool.shutdown(wait=False, cancel_futures=True)
            yield from self._isolated(suspects)

    def _isolated(self, suspects: list[Task]) -> Iterator[Outcome]:
        """Each suspect alone in a one-worker pool; a death is that task's (the pool is renewed)."""
        pool: ProcessPoolExecutor | None = None
        try:
            for task in suspects:
                error = "worker process died"
                for _ in range(self.max_retries):
                    pool = pool or self._pool(1)
                    try:
                        yield pool.submit(execute, task).result()
                        break
                    except BrokenProcessPool as exc:
                        error = f"worker process died ({exc})"
                        pool.shutdown(wait=False)
                        pool = None
                else:
                    yield failed_outcome(task, f"{error}; gave up after {1 + self.max_retries} attempts")
        finally:
            if pool is not None:
                pool.shutdown(wait=True)


@register_backend
class RayBackend(Backend):
    """Ray tasks, on a local instance or an existing cluster, fed chunks of runs.

    Connects to ``address`` if given, else to ``RAY_ADDRESS`` when set, else starts a local
    instance (dashboard off). A session that is already initialised is reused and left running;
    one started here is shut down on close. A chunk whose worker dies is retried by Ray
    ``max_retries`` times; if it still fails, its runs are resubmitted one per task, and a run
    that fails alone is recorded as failed.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        max_retries: int = 2,
        num_cpus: int | None = None,
        warm_up: bool = False,
        max_chunk: int = 256,
        **init_options: Any,
    ) -> None:
        self.address = address
        self._warm_up = warm_up
        self.max_retries = max_retries
        self.num_cpus = num_cpus
        self.max_chunk = max_chunk
        self.init_options = init_options
        self._owns_session = False

    def __enter__(self) -> RayBackend:
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
        remote = ray.remote(max_retries=self.max_retries, retry_exceptions=False)(execute_batch)
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        sizer = ChunkSizer(cpus, max_size=self.max_chunk)
        queue = deque(tasks)
        alone: deque[Task] = deque()  # runs of failed chunks, resubmitted one per task
        pending: dict[Any, list[Task]] = {}
        try:
            while queue or alone or pending:
                while (queue or alone) and len(pending) < 2 * cpus:
                    chunk = [alone.popleft()] if alone else take(queue, sizer.next_size(len(queue)))
                    pending[remote.remote(chunk)] = chunk
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    chunk = pending.pop(ref)
                    try:
                        outcomes = ray.get(ref)
                    except RayError as exc:  # worker died more than max_retries times, etc.
                        if len(chunk) > 1:
                            alone.extend(chunk)
                            continue
                        yield failed_outcome(
                            chunk[0],
                            f"{type(exc).__name__}: ray task failed after "
                            f"{1 + self.max_retries} attempts: {exc}".strip(),
                            str(exc),
                        )
                        continue
                    sizer.observe(outcomes)
                    yield from outcomes
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)

    def close(self) -> None:
        if self._owns_session:
            import ray

            ray.shutdown()
            self._owns_session = False
