"""JSON Lines in and out, the same for files, pipes and standard input.

Reading: the input is read once, as bytes, split only at ``\\n`` (a carriage return inside
a line is JSON whitespace, not a line end), with a bounded cost per line: a line longer than
the limit is kept only up to ``limit + 1`` bytes (enough for its error) and the rest of it
is skipped. Decoding is left to each line, so a line that is not UTF-8 is that line's error.

Writing: :class:`LineWriter` writes whole lines. It counts the lines known to be written;
when a write fails (a full disk, a closed pipe) it cuts a regular file back to its last
whole line and reports how many lines are there.
"""

from __future__ import annotations

import errno
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from . import codes
from .errors import BatchError


def iter_lines(stream: IO[bytes], limit: int) -> Iterator[bytes]:
    """Each line of ``stream`` without its ``\\n``; a line over ``limit`` bytes is cut to
    ``limit + 1`` bytes (so its length says it was too long)."""
    while True:
        line = stream.readline(limit + 2)
        if not line:
            return
        if line.endswith(b"\n"):
            yield line[:-1]
            continue
        if len(line) <= limit:  # the last line, without a line end
            yield line
            return
        while True:  # skip the rest of a line that is too long, a piece at a time
            rest = stream.readline(1 << 16)
            if not rest or rest.endswith(b"\n"):
                break
        yield line[:limit + 1]


def open_input(path: str) -> IO[bytes]:
    """A file, a named pipe or ``-`` (standard input), opened for reading bytes."""

    if path == "-":
        return stdin_bytes()
    return open(path, "rb")


def stdin_bytes() -> IO[bytes]:
    """Standard input as bytes (a text stream without a buffer, as tests give, is encoded)."""
    import io
    import sys

    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer  # type: ignore[no-any-return]
    return io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


class LineWriter:
    """Whole lines to a binary stream; see the module docstring."""

    def __init__(self, stream: IO[bytes], name: str, *, may_cut: bool = False,
                 buffer_bytes: int = 1 << 16) -> None:
        self.stream = stream
        self.name = name
        self.may_cut = may_cut  # the stream is a file this program opened, from its start
        self.buffer = bytearray()
        self.buffer_lines = 0
        self.buffer_bytes = buffer_bytes
        self.lines = 0  # lines known to be wholly written
        self.offset = 0  # bytes known to be written (the end of the last whole line)

    def write_line(self, text: str) -> None:
        self.buffer += text.encode("utf-8")
        self.buffer += b"\n"
        self.buffer_lines += 1
        if len(self.buffer) >= self.buffer_bytes:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        data, count = bytes(self.buffer), self.buffer_lines
        self.buffer.clear()
        self.buffer_lines = 0
        with _ctrl_c_held():  # Ctrl-C takes effect after the lines, not inside one
            try:
                view = memoryview(data)
                while view:
                    written = self.stream.write(view)
                    if written is None:  # a non-blocking stream that took nothing
                        raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))
                    view = view[written:]
                self.stream.flush()
            except OSError as exc:
                raise self._failed(exc) from None
            self.lines += count
            self.offset += len(data)

    def _failed(self, exc: OSError) -> BatchError:
        why = exc.strerror or str(exc)
        cut = self._cut_back()
        where = (f"{self.name} holds the first {self.lines} line(s), whole" if cut else
                 f"the first {self.lines} line(s) were written whole; a part of the next "
                 "may follow them")
        return BatchError(f"cannot write {self.name}: {why}; {where}", code=codes.SR604,
                          done=self.lines)

    def _cut_back(self) -> bool:
        """Truncate a regular file to its last whole line (True when that was possible)."""
        try:
            if not self.may_cut or not self.stream.seekable():
                return False
            self.stream.truncate(self.offset)
            self.stream.seek(self.offset)
            return True
        except (OSError, ValueError):
            return False
