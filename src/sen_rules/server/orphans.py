"""A worker process stops when its supervisor dies, however it dies.

A supervisor stopped by SIGTERM stops its workers itself; one killed by SIGKILL (or the
OOM killer) cannot, and its workers would serve on, unsupervised, holding the port. On
Linux the kernel sends the worker SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``);
elsewhere a daemon thread watches the parent's process id and sends the same signal. SIGTERM
makes uvicorn stop gracefully: requests in flight finish, then the worker exits.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 1.0


def die_with_parent(parent: int, *, kernel: bool = True) -> str:
    """Arrange for SIGTERM when process ``parent`` (this process's parent) dies.

    Returns how: ``"prctl"`` or ``"polling"`` (always polling with ``kernel=False``). If
    the parent is already gone (it died before this was set up), the signal is sent at once.
    """
    linux = kernel and sys.platform.startswith("linux")
    how = "prctl" if linux and _prctl_deathsig() else "polling"
    if how == "polling":
        threading.Thread(target=_watch, args=(parent,), name="sen-rules-parent-watch",
                         daemon=True).start()
    if os.getppid() != parent:  # the parent died before the arrangement was in place
        os.kill(os.getpid(), signal.SIGTERM)
    return how


def _prctl_deathsig() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
