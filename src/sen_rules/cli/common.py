"""Pieces the commands share: reading inputs, choosing the rulebase, writing output."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from .. import bundled_rulebase, load_rulebase
from ..rulebase import Rulebase


class CommandError(Exception):
    """A command-line problem that is not a SenRulesError (for example an unreadable file)."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def read_text(path: str) -> str:
    """A file's text, or standard input for ``-``."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"error: {path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"error: {path}: is a directory, expected a file") from None
    except UnicodeDecodeError:
        raise CommandError(f"error: {path}: not UTF-8 text") from None
    except OSError as exc:
        raise CommandError(f"error: {path}: {exc.strerror}") from None


def add_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="DIR",
                        help="rules directory to use instead of the bundled rules")


def rulebase_from(args: argparse.Namespace) -> Rulebase:
    directory = getattr(args, "rules", None)
    return load_rulebase(directory) if directory else bundled_rulebase()


def add_as_of_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", metavar="DATE", default=None,
                        help="evaluation date, YYYY-MM-DD (default: today)")


def as_of_from(args: argparse.Namespace) -> str:
    return args.as_of or date.today().isoformat()


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
