"""A driver killed outright (SIGKILL, a kernel stopped from JupyterLab) leaves no process workers behind,
even workers still starting up when it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

DRIVER = textwrap.dedent(
    """
    import os, sys, time
    from workbench.experiments.backends import ProcessesBackend

    if __name__ == "__main__":
        pool = ProcessesBackend(max_workers=2)._pool(2)
        for _ in range(2):
            pool.submit(time.sleep, 120)  # the runs in flight when the driver dies
        # every worker the pool started, some perhaps still importing when the driver dies
        print(" ".join(map(str, sorted(pool._processes))), flush=True)
        time.sleep(120)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its new parent) has finished too
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to tell a zombie from a live process")
def test_process_workers_end_when_their_driver_is_killed(tmp_path):
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER], stdout=subprocess.PIPE, text=True, cwd=tmp_path, start_new_session=True
    )
    try:
        workers = [int(pid) for pid in driver.stdout.readline().split()]
        assert workers and all(_alive(pid) for pid in workers)
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.2)
        assert not [pid for pid in workers if _alive(pid)], "workers outlived their killed driver"
    finally:
        if driver.poll() is None:
            driver.kill()
        for pid in workers if "workers" in locals() else []:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
