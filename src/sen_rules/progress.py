"""A progress bar for long runs, drawn on standard error only when it is a terminal.

Small enough not to be worth a dependency: one line, redrawn at most ten times a second.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO


class Progress:
    """``with Progress(total, "evaluating") as bar: bar.advance()``; silent when not a TTY."""

    def __init__(self, total: int | None, label: str, stream: TextIO | None = None,
                 enabled: bool | None = None) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.done = 0
        self.started = time.monotonic()
        self.last_draw = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.enabled:
            self.draw(final=True)
            self.stream.write("\n")
            self.stream.flush()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.enabled and time.monotonic() - self.last_draw >= 0.1:
            self.draw()

    def draw(self, final: bool = False) -> None:
        self.last_draw = time.monotonic()
        elapsed = max(self.last_draw - self.started, 1e-9)
        rate = self.done / elapsed
        if self.total:
            width = 30
            filled = int(width * min(self.done, self.total) / self.total)
            bar = "#" * filled + "-" * (width - filled)
            left = (self.total - self.done) / rate if rate > 0 and not final else 0.0
            text = (f"\r{self.label} [{bar}] {self.done:,}/{self.total:,} "
                    f"{rate:,.0f}/s {left:4.0f}s left")
        else:
            text = f"\r{self.label} {self.done:,} done, {rate:,.0f}/s"
        self.stream.write(text)
        self.stream.flush()
