"""Worker processes for a batch: results in input order, and a batch that always ends.

``multiprocessing.Pool`` waits for ever when a worker dies (killed, out of memory, a crash
in a C extension) and lets every worker print a traceback on Ctrl-C. This small pool talks
to each worker over its own pipe, so a dead worker is seen at once (its pipe closes) and the
batch stops with a :class:`BatchError` that says what happened and how many items were done.
Workers ignore Ctrl-C; the parent, on any exit (end, error, interrupt, or the consumer
stopping early), ends every worker it started. A worker gets one chunk at a time and the
parent sends only to idle workers, so neither side can block the other on a full pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection, wait
from typing import Any

from .. import codes
from ..errors import BatchError

MAX_WORKERS = 32
"""The most worker processes a batch may use (more is refused, not capped silently)."""

Task = Callable[[Any, int, Any], Any]  # (state, index, item) -> a picklable result
Setup = Callable[..., Any]  # (*args) -> state, run once in each worker


def check_workers(workers: object) -> int:
    """``workers`` as a count of processes, or a ValueError that says what is allowed."""
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise ValueError(f"workers must be a whole number, got {workers!r}")
    if not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers must be between 1 and {MAX_WORKERS}, got {workers}")
    return workers


def start_method() -> str:
    # durable-rules keeps C state and locks; a fork child must not inherit them half-held
    return "spawn" if threading.active_count() > 1 else "fork"


def _worker_main(conn: Connection, parents: tuple[Connection, ...], task: Task,
                 setup: Setup, args: tuple[Any, ...]) -> None:
    """A worker's loop. ``parents`` are the parent's ends of the pipes, inherited by a
    forked worker: closed first, so that when the parent is gone this worker's pipe
    closes (it stops instead of living on, holding the parent's output open)."""
    for inherited in parents:
        inherited.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    with contextlib.suppress(EOFError, OSError):  # the parent has gone: stop quietly
        try:
            state = setup(*args)
        except BaseException as exc:
            conn.send(("failed", _describe(exc)))
            return
        conn.send(("ready", None))
        while (message := conn.recv()) is not None:
            start, items = message
            try:
                results = [task(state, start + i, item) for i, item in enumerate(items)]
            except BaseException as exc:
                conn.send(("failed", _describe(exc)))
                return
            conn.send(("done", (start, results)))


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass
class _Worker:
    process: Any  # a multiprocessing Process of the chosen context
    conn: Connection
    chunk: tuple[int, int] | None = None  # (first index, count) being evaluated
    ready: bool = False
    results: list[Any] = field(default_factory=list)


def _exit_reason(worker: _Worker) -> str:
    worker.process.join(2)
    code = worker.process.exitcode
    if code is None:
        return "its pipe closed"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"it was killed by {name}" + (" (out of memory?)" if -code == 9 else "")
    return f"it exited with status {code}"


def run_ordered(task: Task, items: Iterable[Any], *, workers: int, setup: Setup,
                setup_args: tuple[Any, ...], chunk_size: int = 64) -> Iterator[Any]:
    """``task(state, index, item)`` for every item, in ``workers`` processes; yields the
    results in input order. Raises :class:`BatchError` (after yielding every result before
    the lost ones) when a worker dies or fails to start."""
    check_workers(workers)
    context = multiprocessing.get_context(start_method())
    pool: list[_Worker] = []
    source = enumerate(items)
    done: dict[int, Any] = {}
    next_out = 0
    exhausted = False
    try:
        _start(pool, context, workers, (task, setup, setup_args))
        while True:
            for worker in pool:  # hand a chunk to every idle worker
                if exhausted or not worker.ready or worker.chunk is not None:
                    continue
                chunk = list(islice(source, chunk_size))
                if not chunk:
                    exhausted = True
                    break
                worker.chunk = (chunk[0][0], len(chunk))
                try:
                    worker.conn.send((chunk[0][0], [item for _, item in chunk]))
                except OSError:
                    raise _stopped(worker, next_out) from None
            busy = [w for w in pool if not w.ready or w.chunk is not None]
            if not busy:
                break
            for conn in wait([w.conn for w in busy]):
                worker = next(w for w in busy if w.conn is conn)
                try:
                    kind, payload = worker.conn.recv()
                except (EOFError, OSError):
                    raise _stopped(worker, next_out) from None
                if kind == "ready":
                    worker.ready = True
                elif kind == "failed":
                    raise _failed(worker, payload, next_out)
                else:
                    start, results = payload
                    done.update(enumerate(results, start))
                    worker.chunk = None
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        _end(pool)


def _start(pool: list[_Worker], context: Any, workers: int,
           work: tuple[Task, Setup, tuple[Any, ...]]) -> None:
    """Start ``workers`` processes into ``pool`` (so that each one started is ended)."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:  # a worker must not see Ctrl-C before it ignores it
        for _ in range(workers):
            parent, child = context.Pipe()
            parents = ((parent, *(w.conn for w in pool)) if context.get_start_method()
                       == "fork" else ())  # a spawned worker inherits none of them
            process = context.Process(target=_worker_main, daemon=True,
                                      args=(child, parents, *work))
            process.start()
            child.close()
            pool.append(_Worker(process, parent))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _stopped(worker: _Worker, done: int) -> BatchError:
    where = (f" while evaluating items {worker.chunk[0] + 1} to "
             f"{worker.chunk[0] + worker.chunk[1]}" if worker.chunk else " while starting")
    return BatchError(f"a worker process stopped{where}: {_exit_reason(worker)}; the batch "
                      f"was stopped after {done} item(s)", code=codes.SR601, done=done)


def _failed(worker: _Worker, why: str, done: int) -> BatchError:
    if worker.chunk is None:
        return BatchError(f"a worker process could not start ({why}); nothing was evaluated",
                          code=codes.SR602, done=done)
    first, count = worker.chunk
    return BatchError(f"internal error in a worker process while evaluating items {first + 1} "
                      f"to {first + count} ({why}); the batch was stopped after {done} item(s)",
                      code=codes.SR603, done=done)


def _end(pool: list[_Worker]) -> None:
    """End every worker: politely if idle, by force if busy or slow."""
    for worker in pool:
        if worker.ready and worker.chunk is None:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        else:
            worker.process.kill()
    for worker in pool:
        worker.process.join(5)
        if worker.process.exitcode is None:
            worker.process.kill()
            worker.process.join(5)
        worker.conn.close()
