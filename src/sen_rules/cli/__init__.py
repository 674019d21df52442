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
import json
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from ..errors import CaseError, RulebaseError, SenRulesError
from ..version import __version__
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
    as_json = getattr(args, "format", None) == "json"
    try:
        code: int = args.run(args)
        return code
    except SenRulesError as exc:
        report_error(exc, as_json)
        return 2
    except CommandError as exc:
        report_error(exc, as_json)
        return exc.status
    except KeyboardInterrupt:
        print("sen-rules: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def report_error(exc: SenRulesError | CommandError, as_json: bool) -> None:
    """Every problem an error found: as one JSON document on standard output with
    ``--format json`` (``{"error": {"code", "message", "problems" | "diagnostics"}}``),
    otherwise on standard error, the first on the ``sen-rules: error`` line and each other
    problem on a line of its own below it."""
    if as_json:
        data = (exc.to_dict() if isinstance(exc, SenRulesError)
                else {"code": exc.code, "message": str(exc).removeprefix("error: ")})
        sys.stdout.write(json.dumps({"error": data}, indent=2, ensure_ascii=False) + "\n")
        return
    if isinstance(exc, RulebaseError):  # its message already reads "file:line:col: error SR..."
        errors = [d for d in exc.diagnostics if d.severity == "error"] or list(exc.diagnostics)
        print(f"sen-rules: {errors[0] if errors else exc}", file=sys.stderr)
        for more in errors[1:]:
            print(f"  {more}", file=sys.stderr)
    elif isinstance(exc, CaseError) and len(exc.problems) > 1:
        print(f"sen-rules: error {exc.code}: invalid case: {len(exc.problems)} problems",
              file=sys.stderr)
        for path, message in exc.problems:
            print(f"  {path + ': ' if path else ''}{message}", file=sys.stderr)
    elif isinstance(exc, SenRulesError):
        print(f"sen-rules: error {exc}", file=sys.stderr)
    else:
        print(f"sen-rules: {exc}", file=sys.stderr)


def run() -> None:
    sys.exit(main())
