"""Errors that users can act on.

Every error sen-rules raises is a :class:`SenRulesError`: it carries a stable code, a
location (``file:line:col`` in a rule file, or a field path in a case) and a sentence a
policy officer can understand. Integrating systems catch the subclasses; the CLI prints
them on one line and exits non-zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from . import codes

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A place in a rule file (1-based line and column)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        if self.column <= 0:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    def shifted(self, lines: int, column: int) -> SourceLocation:
        """The location ``lines`` lines below, at ``column`` (or shifted on the same line)."""
        if lines == 0:
            return SourceLocation(self.file, self.line, self.column + column)
        return SourceLocation(self.file, self.line + lines, column + 1)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about a rule file: a load error, or a lint finding."""

    code: str
    message: str
    location: SourceLocation | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.severity} {self.code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "code": self.code,
            "severity": self.severity,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "message": self.message,
        }


class SenRulesError(Exception):
    """Base class of every error sen-rules raises on purpose."""

    code: str = codes.SR000

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}: {_shorten(self.message)})"

    def to_dict(self) -> dict[str, object]:
        """The error as JSON-ready data: its code and message (and, in subclasses, every
        problem it found)."""
        return {"code": self.code, "message": self.message}

    def __reduce__(self) -> tuple[object, ...]:
        # every attribute crosses a process boundary (a CaseError keeps its problems)
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _rebuild(kind: type[SenRulesError], message: str,
             attributes: dict[str, object]) -> SenRulesError:
    error = kind.__new__(kind)
    Exception.__init__(error, message)
    error.__dict__.update(attributes)
    return error


class RulebaseError(SenRulesError):
    """The rule files could not be loaded. ``diagnostics`` lists every problem found."""

    code = codes.SR100

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        errors = [d for d in diagnostics if d.severity == "error"] or list(diagnostics)
        first = errors[0] if errors else Diagnostic(codes.SR100, "the rulebase could not be loaded")
        more = len(errors) - 1
        suffix = f" (and {more} more error{'s' if more != 1 else ''})" if more > 0 else ""
        super().__init__(f"{first}{suffix}", code=first.code)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "diagnostics": [d.as_dict() for d in self.diagnostics]}


class CaseError(SenRulesError):
    """A case is malformed or impossible. ``problems`` holds (field path, message) pairs."""

    code = codes.SR200

    def __init__(self, problems: Iterable[tuple[str, str]], *, code: str = codes.SR200) -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        first_path, first_msg = self.problems[0] if self.problems else ("", "invalid case")
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""
        where = f"{first_path}: " if first_path else ""
        super().__init__(f"invalid case: {where}{first_msg}{suffix}", code=code)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(),
                "problems": [{"path": path, "message": message}
                             for path, message in self.problems]}


class EvaluationError(SenRulesError):
    """Evaluation could not produce a complete, consistent answer (never a partial one)."""

    code = codes.SR300


class ConflictingOutcomesError(EvaluationError):
    """Rules of an area whose hit policy forbids disagreement fired with different outcomes."""

    code = codes.SR301


class BackendUnavailableError(SenRulesError):
    """The requested backend cannot run here (for example durable-rules is not installed)."""

    code = codes.SR400


class RecordError(SenRulesError):
    """A stored decision record is malformed or has been tampered with."""

    code = codes.SR500


class BatchError(SenRulesError):
    """A batch stopped before its end (a worker process died, output could not be written).

    ``done`` is how many items, from the first, had been handled, in order, before it stopped.
    """

    code = codes.SR600

    def __init__(self, message: str, *, code: str = codes.SR600, done: int = 0) -> None:
        super().__init__(message, code=code)
        self.done = done
