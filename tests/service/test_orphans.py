"""A supervisor killed outright (SIGKILL) leaves no worker behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import environment, start_server

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads the process table from /proc")


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), fields[0]


def _alive(pid: int) -> bool:
    found = _stat(pid)
    return found is not None and found[1] not in ("Z", "X")  # a zombie has stopped


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None and found[0] == pid:
                out.append(int(entry.name))
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if _alive(p)]
        if not left:
            return []
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


@linux_only
def test_workers_stop_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--workers", "2")
    everything: list[int] = []
    try:
        deadline = time.monotonic() + 90
        workers: list[int] = []
        while time.monotonic() < deadline:
            workers = [p for p in _children(server.process.pid)
                       if "spawn_main" in _cmdline(p)]
            if len(workers) >= 2:
                break
            time.sleep(0.1)
        assert len(workers) == 2, f"expected 2 workers, found {workers}"
        everything = _children(server.process.pid)  # the workers and any helper process
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        left = _wait_gone(everything, 20)
        assert not left, f"still running after the supervisor was killed: " \
                         f"{[(p, _cmdline(p)) for p in left]}"
    finally:
        everything += _children(server.process.pid)
        server.stop(signal.SIGKILL)
        for pid in everything:  # clean up after a failure
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


CHILD = """
import os, sys, time
from sen_rules.server.orphans import die_with_parent
print(die_with_parent(os.getppid(), kernel=False), flush=True)
time.sleep(60)
"""
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=sys.stdout)
print(child.pid, flush=True)
time.sleep(60)
"""


@linux_only
def test_without_the_kernel_the_worker_watches_its_parent() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD], env=environment(),
                              stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    try:
        child = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == "polling"
        assert _alive(child)
        parent.kill()
        parent.wait(timeout=10)
        assert not _wait_gone([child], 20), "the child outlived its parent"
    finally:
        parent.kill()
        if _alive(child):
            os.kill(child, signal.SIGKILL)
