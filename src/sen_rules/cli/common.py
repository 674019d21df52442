"""Pieces the commands share: their common options, reading inputs, choosing the rulebase,
writing output."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any, TextIO, TypedDict, cast

from .. import codes
from ..case import MAX_CASE_BYTES
from ..engine.service import BACKENDS
from ..engine.workers import MAX_WORKERS
from ..jsonread import JsonInputError, decode, read_limited
from ..lines import LineWriter, stdin_bytes
from ..loading.bundled import bundled_rulebase
from ..loading.loader import load_rulebase
from ..rulebase import Rulebase


class CommandError(Exception):
    """A command-line problem that is not a SenRulesError (for example an unreadable file):
    ``code`` SR010 for a file that cannot be read, SR011 for anything else."""

    def __init__(self, message: str, status: int = 2, code: str = codes.SR011) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


# ---------------------------------------------------------------------------- options


def add_case_argument(parser: argparse.ArgumentParser, optional: bool = False) -> None:
    parser.add_argument("case", metavar="CASE.json", nargs="?" if optional else None,
                        help="the case, as JSON ('-' for standard input)")


def add_rules_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rules_dir", metavar="RULES_DIR", nargs="?", default=None,
                        help="the rules directory (default: the bundled rules)")


def add_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="DIR",
                        help="rules directory to use instead of the bundled rules")


def add_as_of_option(parser: argparse.ArgumentParser,
                     help: str = "evaluation date, YYYY-MM-DD (default: today)") -> None:
    parser.add_argument("--as-of", metavar="DATE", default=None, help=help)


def add_backend_option(parser: argparse.ArgumentParser,
                       help: str = "evaluation engine (default: native)",
                       choices: Sequence[str] = BACKENDS) -> None:
    parser.add_argument("--backend", choices=choices, default="native", help=help)


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """``--format text|json``."""
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for a person (default) or JSON for a program")


def add_out_option(parser: argparse.ArgumentParser, metavar: str = "FILE",
                   help: str | None = None) -> None:
    parser.add_argument("--out", metavar=metavar,
                        help=help or f"write to {metavar} instead of standard output")


# ---------------------------------------------------------------------------- inputs


def read_text(path: str, limit: int = MAX_CASE_BYTES) -> str:
    """A file's text, or standard input for ``-``; no more than ``limit`` bytes are read
    (so ``/dev/zero`` or an endless pipe is refused, not read until memory runs out)."""
    try:
        if path == "-":
            raw = read_limited(stdin_bytes(), limit)
        else:
            with open(path, "rb") as handle:
                raw = read_limited(handle, limit)
        return decode(raw)
    except JsonInputError as exc:
        raise CommandError(f"error: {path}: {exc}", code=codes.SR010) from None
    except FileNotFoundError:
        raise CommandError(f"error: {path}: no such file", code=codes.SR010) from None
    except IsADirectoryError:
        raise CommandError(f"error: {path}: is a directory, expected a file",
                           code=codes.SR010) from None
    except UnicodeDecodeError:
        raise CommandError(f"error: {path}: not UTF-8 text", code=codes.SR010) from None
    except OSError as exc:
        raise CommandError(f"error: {path}: {exc.strerror}", code=codes.SR010) from None


def rulebase_from(args: argparse.Namespace) -> Rulebase:
    directory = getattr(args, "rules", None)
    return load_rulebase(directory) if directory else bundled_rulebase()


def as_of_from(args: argparse.Namespace) -> str:
    as_of: str | None = args.as_of
    return date.today().isoformat() if as_of is None else as_of


def add_workers_option(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--workers", type=workers_count, default=1, metavar="N", help=help)


def workers_count(text: str) -> int:
    """``--workers N``: 1 to MAX_WORKERS, or 0 for one per core (argparse reports the
    error, so a bad value stops the command before it reads anything)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"--workers must be between 1 and {MAX_WORKERS} (or 0 for one per core), "
            f"got {value}")
    return value


def workers_from(args: argparse.Namespace) -> int:
    """``--workers N``: 1 to MAX_WORKERS processes; 0 means one per core (at most
    MAX_WORKERS)."""
    workers: int = args.workers
    if workers == 0:
        return min(os.cpu_count() or 1, MAX_WORKERS)
    if not 1 <= workers <= MAX_WORKERS:
        raise CommandError(f"error: --workers must be between 1 and {MAX_WORKERS} (or 0 for "
                           f"one per core), got {workers}")
    return workers


class CaseOptions(TypedDict):
    as_of: str
    rulebase: Rulebase
    backend: str


def read_case(args: argparse.Namespace, rulebase: Rulebase | None = None
              ) -> tuple[str, CaseOptions]:
    """The text of ``CASE.json``, and the date, rulebase and backend to evaluate it with
    (``--as-of``, ``--rules`` unless ``rulebase`` is given, ``--backend``), read in that
    order."""
    text = read_text(args.case)
    as_of = as_of_from(args)
    if rulebase is None:
        rulebase = rulebase_from(args)
    return text, CaseOptions(as_of=as_of, rulebase=rulebase, backend=args.backend)


# ---------------------------------------------------------------------------- output


def write_output(text: str, out: str | None) -> None:
    if out and out != "-":
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"error: cannot write {out}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")


@contextmanager
def output_stream(out: str | None) -> Iterator[TextIO]:
    """Standard output, or the file ``out`` opened for writing (and closed afterwards)."""
    if not out or out == "-":
        yield sys.stdout
        return
    try:
        handle = open(out, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise CommandError(f"error: cannot write {out}: {exc.strerror}") from None
    with handle:
        yield handle


@contextmanager
def output_lines(out: str | None) -> Iterator[LineWriter]:
    """A :class:`LineWriter` to standard output or to the file ``out`` (whole lines only)."""
    if not out or out == "-":
        sys.stdout.flush()
        yield LineWriter(_stdout_bytes(), "standard output")
        return
    try:
        handle = open(out, "wb", buffering=0)  # noqa: SIM115 - closed below
    except OSError as exc:
        raise CommandError(f"error: cannot write {out}: {exc.strerror}") from None
    with handle:
        yield LineWriter(handle, out, may_cut=True)


class _TextOut(io.RawIOBase):
    """Bytes written to a text stream that has no file descriptor (a test's capture)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.stream.write(bytes(data).decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self.stream.flush()


def _stdout_bytes() -> IO[bytes]:
    try:
        return open(sys.stdout.fileno(), "wb", buffering=0, closefd=False)
    except (AttributeError, OSError, ValueError):
        return cast(IO[bytes], _TextOut(sys.stdout))


def bar_enabled(out: TextIO) -> bool | None:
    """No progress bar while the output itself goes to the terminal (None: the bar decides,
    by whether standard error is a terminal)."""
    return False if out is sys.stdout and sys.stdout.isatty() else None
