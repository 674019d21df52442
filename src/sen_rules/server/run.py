"""Running the service: one process, or a supervisor and N worker processes.

With one worker, uvicorn serves in this process. With more, this process binds the socket,
starts the workers (each loads the rules and serves the shared socket) and supervises
them: SIGHUP is passed to every worker (each reloads in place, see :mod:`.reload`),
SIGTERM/SIGINT stop them gracefully (requests in flight finish), and a worker that dies
is replaced. A worker whose supervisor is killed outright (SIGKILL, the OOM killer) stops
too, gracefully, rather than serving on unsupervised (see :mod:`.orphans`). uvicorn's own
multi-process mode restarts its workers on SIGHUP, which would drop the old rulebase before
checking the new one; this does not.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from dataclasses import replace
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

from .app import create_app
from .config import Settings
from .orphans import die_with_parent

log = logging.getLogger("sen_rules.server")


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")


def uvicorn_config(settings: Settings, app: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=settings.host, port=settings.port, access_log=False, log_config=None,
        proxy_headers=False, server_header=False, timeout_graceful_shutdown=30,
        timeout_keep_alive=5, h11_max_incomplete_event_size=64 * 1024)


def serve(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM."""
    configure_logging()
    if settings.workers <= 1:
        app = create_app(settings)
        _announce(settings, app)
        uvicorn.Server(uvicorn_config(settings, app)).run()
        return
    app = create_app(settings)  # load and check everything once before any worker starts
    _announce(settings, app)
    del app
    sock = _bind(settings)
    Supervisor(replace(settings, supervised=True), sock).run()


def _announce(settings: Settings, app: Any) -> None:
    rb = app.state.sen_rules.holder.current.rulebase
    log.warning("serving %s %s (sha256 %s) on http://%s:%d with %d worker(s)%s%s", rb.name,
                rb.version, rb.sha256, settings.host, settings.port, settings.workers,
                ", decision log on" if settings.log else "",
                ", bearer tokens required" if settings.tokens else "")


def _bind(settings: Settings) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(settings: Settings, sock: socket.socket, parent: int) -> None:
    die_with_parent(parent)
    configure_logging()
    app = create_app(settings)
    uvicorn.Server(uvicorn_config(settings, app)).run(sockets=[sock])


class Supervisor:
    def __init__(self, settings: Settings, sock: socket.socket) -> None:
        self.settings = settings
        self.sock = sock
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[BaseProcess] = []
        self.stopping = False
        self.hangups = 0

    def start_one(self) -> BaseProcess:
        process = self.context.Process(target=_worker,
                                       args=(self.settings, self.sock, os.getpid()),
                                       daemon=False)
        process.start()
        return process

    def run(self) -> None:
        signal.signal(signal.SIGHUP, self._hangup)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.workers = [self.start_one() for _ in range(self.settings.workers)]
        while not self.stopping:
            time.sleep(0.2)
            if self.hangups:
                self.hangups = 0
                for process in self.workers:
                    if process.pid is not None and process.is_alive():
                        os.kill(process.pid, signal.SIGHUP)
            for i, process in enumerate(self.workers):
                if not process.is_alive() and not self.stopping:
                    log.error("worker %s exited (%s); starting another", process.pid,
                              process.exitcode)
                    self.workers[i] = self.start_one()
        for process in self.workers:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signal.SIGTERM)
        for process in self.workers:
            process.join(timeout=40)
        self.sock.close()

    def _hangup(self, signum: int, frame: FrameType | None) -> None:
        self.hangups += 1

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
