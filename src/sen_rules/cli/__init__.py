"""The ``sen-rules`` command line.

Each command lives in a module of its own that registers itself here. Bad input ends with
a one-line message naming the problem (``sen-rules: error SR200: ...``) and a non-zero
exit status, never a traceback.

Exit status: 0 success; 1 the command ran but the answer is negative (a lint error, a
failing scenario, a record that no longer holds); 2 bad input or usage; 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from .. import __version__
from ..errors import RulebaseError, SenRulesError
from .common import CommandError


def command_modules() -> list[ModuleType]:
    """Every module of this package that defines ``register(subparsers)``, by name.

    A new command is a new module here; nothing else needs editing.
    """
    modules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name == "common":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            modules.append(module)
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sen-rules",
        description="Evaluate cases against The Learning Trust (Hackney) SEN policy, with "
        "decisions that cite the clauses of the policy they rest on.",
    )
    parser.add_argument("--version", action="version", version=f"sen-rules {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in command_modules():
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except RulebaseError as exc:  # its message already reads "file:line:col: error SRnnn: ..."
        print(f"sen-rules: {exc}", file=sys.stderr)
        return 2
    except SenRulesError as exc:
        print(f"sen-rules: error {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"sen-rules: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("sen-rules: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def run() -> None:
    sys.exit(main())
