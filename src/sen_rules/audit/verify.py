"""Replaying a decision record: does the recorded decision still hold?

Answers, with stable exit codes for ``sen-rules verify``:

=====  ==============================  ================================================
exit   answer                          meaning
=====  ==============================  ================================================
0      ``holds``                       same rulebase (sha256), the same evaluation and
                                       trace (made by another package version: said so)
1      ``differs``                     same rulebase, but some part of the evaluation or
                                       the trace is not the same (the engine changed:
                                       see the package versions)
3      ``rulebase-changed``            another rulebase is current; under it the
                                       decisions would be the same
4      ``rulebase-changed``            another rulebase is current; under it the
                                       decisions would differ (shown)
5      (error SR501-SR504)             the record is malformed, tampered with, sealed
                                       with a key that was not given, or cannot be
                                       replayed (:class:`RecordError`)
2      (error)                         bad usage or unreadable file (every command)
=====  ==============================  ================================================

The whole evaluation is compared with the replayed one (:mod:`.compare`): every key, the
order of the decisions, the JSON type of every value. The envelope (``record``,
``package``, ``rulebase``, ``seal``) must hold exactly what the writer writes (SR501), and
a rulebase name or version that is not that of the rulebase with the recorded sha256 is
an altered record (SR502).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .. import codes, jsonread
from ..case import parse_case
from ..dates import parse_day
from ..engine.service import BACKENDS
from ..errors import CaseError, RecordError
from ..explain.core import trace_and_decide, trace_to_dict
from ..loading.bundled import bundled_rulebase
from ..rulebase import Rulebase
from ..textsafe import neutralise
from .compare import Difference, compare_decisions, compare_evaluations, first_difference
from .record import FIELDS, RECORD_FORMAT, RECORD_KIND, package_version, seal_of, sha256_of

__all__ = [
    "EXIT_DIFFERS", "EXIT_HOLDS", "EXIT_RECORD_ERROR", "EXIT_RULEBASE_CHANGED_DIFFERS",
    "EXIT_RULEBASE_CHANGED_SAME", "MAX_RECORD_BYTES", "Difference", "Verification",
    "check_parts", "check_seal", "check_seal_digest", "check_shape", "compare_decisions",
    "first_difference", "load_record", "replay", "replayable_case", "verify_record",
]

EXIT_HOLDS = 0
EXIT_DIFFERS = 1
EXIT_RULEBASE_CHANGED_SAME = 3
EXIT_RULEBASE_CHANGED_DIFFERS = 4
EXIT_RECORD_ERROR = 5

Status = Literal["holds", "differs", "rulebase-changed"]
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_VERSION = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,9}){0,5}([.+-]?[0-9A-Za-z]{1,20}){0,4}$")
"""A package version as the project writes them (0.1.1, 1.2.0rc1, 2.0.0.dev3+abc)."""
PACKAGE = "sen-rules"
MAX_RECORD_BYTES = 64_000_000
"""A record larger than this is refused unread (a case at every limit makes a few MB)."""


@dataclass(frozen=True)
class Verification:
    """The answer of a replay."""

    status: Status
    exit_code: int
    case_id: str
    case_sha256: str
    as_of: str
    backend: str
    recorded_rulebase: Mapping[str, str]
    current_rulebase: Mapping[str, str]
    recorded_package: str
    current_package: str
    differences: tuple[Difference, ...]
    trace_matches: bool

    @property
    def holds(self) -> bool:
        return self.status == "holds"

    @property
    def would_differ(self) -> bool:
        return bool(self.differences)

    @property
    def package_changed(self) -> bool:
        """Another version of sen-rules made the record than the one that replayed it."""
        return self.recorded_package != self.current_package

    def __repr__(self) -> str:
        return (f"Verification({self.status}, exit {self.exit_code}, case {self.case_id} on "
                f"{self.as_of}, {len(self.differences)} differences)")

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "case_id": self.case_id,
            "case_sha256": self.case_sha256,
            "as_of": self.as_of,
            "backend": self.backend,
            "recorded_rulebase": dict(self.recorded_rulebase),
            "current_rulebase": dict(self.current_rulebase),
            "recorded_package": self.recorded_package,
            "current_package": self.current_package,
            "decisions_differ": self.would_differ,
            "differences": [d.to_dict() for d in self.differences],
            "trace_matches": self.trace_matches,
        }

    def to_text(self) -> str:
        rec, cur = self.recorded_rulebase, self.current_rulebase
        lines = []
        if self.status == "holds":
            lines.append("holds: replaying the record gives the recorded decisions" + (
                f" (made by another version of sen-rules, {self.recorded_package})"
                if self.package_changed else ""))
        elif self.status == "differs":
            lines.append("differs: under the same rulebase the recorded decisions are not "
                         "reproduced")
        else:
            lines.append("rulebase changed: the record was made under another rulebase; "
                         + ("under the current rulebase the decisions would differ"
                            if self.differences else
                            "under the current rulebase the decisions would be the same"))
        lines.append(f"  case {self.case_id} (sha256 {self.case_sha256}), as of {self.as_of}, "
                     f"backend {self.backend}")
        lines.append(f"  recorded under rulebase {rec['name']} {rec['version']} "
                     f"(sha256 {rec['sha256']})")
        if self.status == "rulebase-changed":
            lines.append(f"  current rulebase        {cur['name']} {cur['version']} "
                         f"(sha256 {cur['sha256']})")
        else:
            lines.append("  the current rulebase has the same sha256")
        lines.append(f"  recorded by sen-rules {self.recorded_package}, replayed by sen-rules "
                     f"{self.current_package}" + (" (another version)" if self.package_changed
                                                  else ""))
        for d in self.differences:
            lines.append(f"  - {d.text}")
        if not self.trace_matches and self.status == "rulebase-changed":
            lines.append("  (the trace, the reasons shown for the decisions, would read "
                         "differently)")
        return neutralise("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------- checks


def _malformed(why: str) -> RecordError:
    return RecordError(f"not a valid decision record: {why}", code=codes.SR501)


def _tampered(why: str) -> RecordError:
    return RecordError(f"the record has been altered: {why}", code=codes.SR502)


def load_record(record: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """Parse a record and check its shape (not yet its seal)."""
    try:
        if isinstance(record, (str, bytes)):
            data = jsonread.loads(record, limit=MAX_RECORD_BYTES)
        elif isinstance(record, Mapping):
            jsonread.check_data(record)
            data = dict(record)
        else:
            raise _malformed(f"expected JSON text or an object, got {type(record).__name__}")
    except jsonread.JsonInputError as exc:
        raise _malformed(f"it is not JSON a reader can trust ({exc})") from None
    check_shape(data)
    checked: dict[str, Any] = data
    return checked


def check_shape(data: Any) -> None:
    """The fields of a record and their types, on data already read strictly."""
    if not isinstance(data, dict):
        raise _malformed("expected a JSON object")
    missing = [k for k in FIELDS if k not in data]
    extra = sorted(k for k in data if k not in FIELDS)
    if missing:
        raise _malformed(f"missing {', '.join(missing)}")
    if extra:
        raise _malformed(f"unexpected field {', '.join(extra)}")
    _check_envelope(data)
    if data["backend"] not in BACKENDS:
        raise _malformed(f"unknown backend {data['backend']!r}")
    if not isinstance(data["as_of"], str):
        raise _malformed("'as_of' must be a date written YYYY-MM-DD")
    try:
        parse_day(data["as_of"])
    except ValueError:
        raise _malformed("'as_of' must be a date written YYYY-MM-DD") from None
    for name in ("case", "evaluation", "trace"):
        if not isinstance(data[name], dict):
            raise _malformed(f"'{name}' must be an object")
    if not isinstance(data["case_sha256"], str) or not _HEX64.fullmatch(data["case_sha256"]):
        raise _malformed("'case_sha256' must be 64 hexadecimal digits")
    if not isinstance(data["case"].get("child"), dict):
        raise _malformed("'case.child' must be an object")
    _check_decisions(data["evaluation"].get("decisions"))


def _check_envelope(data: dict[str, Any]) -> None:
    """The record's own parts (``record``, ``rulebase``, ``package``, ``seal``) hold
    exactly the keys the writer writes, with values of its types."""
    head = data["record"]
    if not isinstance(head, dict) or head.get("kind") != RECORD_KIND:
        raise _malformed(f"'record.kind' must be {RECORD_KIND!r}")
    form = head.get("format")
    if type(form) is not int or form != RECORD_FORMAT:  # not 1.0, not true
        raise _malformed(f"record format {form!r} is not supported (this "
                         f"version reads format {RECORD_FORMAT})")
    if set(head) != {"kind", "format"}:
        extra = ", ".join(sorted(k for k in head if k not in ("kind", "format")))
        raise _malformed(f"unexpected field {extra} in 'record'")
    _check_strings(data["rulebase"], ("name", "version", "sha256"), "rulebase")
    if not _HEX64.fullmatch(data["rulebase"]["sha256"]):
        raise _malformed("'rulebase.sha256' must be 64 hexadecimal digits")
    _check_strings(data["package"], ("name", "version"), "package")
    if data["package"]["name"] != PACKAGE:
        raise _malformed(f"'package.name' must be {PACKAGE!r}")
    if not _VERSION.fullmatch(data["package"]["version"]):
        raise _malformed("'package.version' must be a version number (such as 0.1.1)")
    _check_strings(data["seal"], ("algorithm", "digest"), "seal")


# the JSON type of each part of a recorded decision (what the engine writes)
_DECISION_PARTS: dict[str, type | tuple[type, ...]] = {
    "topic": str, "title": str, "outcome": str, "outcome_label": str, "details": dict,
    "rules": list, "flags": list, "notes": list, "overridden": list,
}


def _check_decisions(decisions: Any) -> None:
    """Every recorded decision has the engine's shape, so comparing them cannot fail."""
    if not isinstance(decisions, list):
        raise _malformed("'evaluation.decisions' must be a list")
    topics: set[str] = set()
    for i, decision in enumerate(decisions):
        where = f"'evaluation.decisions[{i}]'"
        if not isinstance(decision, dict):
            raise _malformed(f"{where} must be an object")
        for part, kind in _DECISION_PARTS.items():
            if part in decision and not isinstance(decision[part], kind):
                raise _malformed(f"{where}.{part} has the wrong type")
        if not isinstance(decision.get("topic"), str):
            raise _malformed(f"{where} must name its topic as text")
        if decision["topic"] in topics:
            raise _malformed(f"{where}: topic {decision['topic']!r} is decided twice")
        topics.add(decision["topic"])
        for part in ("rules", "flags", "notes"):
            if not all(isinstance(item, dict) for item in decision.get(part, [])):
                raise _malformed(f"{where}.{part} must hold objects")


def _check_strings(value: Any, keys: tuple[str, ...], where: str) -> None:
    if not isinstance(value, dict) or set(value) != set(keys) or not all(
            isinstance(value[k], str) for k in keys):
        raise _malformed(f"'{where}' must hold exactly {', '.join(keys)} as text")


def check_seal(data: Mapping[str, Any], key: bytes | None) -> None:
    check_seal_digest(data, key)
    check_parts(data)


def check_seal_digest(data: Mapping[str, Any], key: bytes | None,
                      expected: str | None = None) -> None:
    """The seal's algorithm fits the key (or its absence) and its digest is the seal of
    the record's content (``expected``, when the caller has computed it already)."""
    seal = data["seal"]
    algorithm = seal["algorithm"]
    if algorithm == "hmac-sha256" and key is None:
        raise RecordError("the record is sealed with a key (hmac-sha256): give the same key "
                          "to verify it", code=codes.SR503)
    if algorithm == "sha256" and key is not None:
        raise _tampered("a key was given, but the record carries an unkeyed sha256 seal")
    if algorithm not in ("sha256", "hmac-sha256"):
        raise _malformed(f"unknown seal algorithm {algorithm!r}")
    if expected is None:
        expected = seal_of(data, key)["digest"]
    digest = seal["digest"]  # compare_digest refuses non-ASCII text with a TypeError
    if not digest.isascii() or not hmac.compare_digest(expected, digest):
        raise _tampered("its seal does not match its content")


def check_parts(data: Mapping[str, Any]) -> None:
    """The case matches its digest, and the decisions name the recorded case, date and
    rulebase."""
    if sha256_of(data["case"]) != data["case_sha256"]:
        raise _tampered("the case does not match its sha256")
    evaluation = data["evaluation"]
    if evaluation.get("rulebase") != data["rulebase"] or evaluation.get("as_of") != data[
            "as_of"] or evaluation.get("case_id") != data["case"]["child"].get("id"):
        raise _tampered("the decisions do not belong to the recorded case, date and rulebase")


# ---------------------------------------------------------------------------- replay


def verify_record(record: str | bytes | Mapping[str, Any], *, rulebase: Rulebase | None = None,
                  key: bytes | None = None) -> Verification:
    """Check a record's seal and replay it under ``rulebase`` (the bundled one by default).

    Raises :class:`RecordError` when the record is malformed (SR501), has been altered
    (SR502), needs a key that was not given (SR503) or cannot be replayed (SR504).
    """
    data = load_record(record)
    check_seal(data, key)
    return replay(data, rulebase or bundled_rulebase())


def replayable_case(data: Mapping[str, Any]) -> Any:
    """The recorded case as a :class:`sen_rules.Case` (SR504 when it no longer parses)."""
    try:
        return parse_case(data["case"])
    except CaseError as exc:
        raise RecordError(f"the recorded case cannot be replayed by this version of sen-rules "
                          f"({exc.message})", code=codes.SR504) from None


def replay(data: Mapping[str, Any], rb: Rulebase, *, trace: bool = True) -> Verification:
    """Replay a record already read and sealed-checked (:func:`load_record`,
    :func:`check_seal`). Under another rulebase than the recorded one the trace is not
    compared; ``trace=False`` then skips rebuilding it (``trace_matches`` is then False:
    not known), for a caller that only wants the decisions."""
    from ..engine.service import evaluate_case

    case = replayable_case(data)
    same_rulebase = rb.sha256 == data["rulebase"]["sha256"]
    if same_rulebase and dict(data["rulebase"]) != rb.identity():
        cur = rb.identity()
        raise _tampered(f"it names the rulebase {data['rulebase']['name']} "
                        f"{data['rulebase']['version']}, but the rulebase with its sha256 is "
                        f"{cur['name']} {cur['version']}")
    replayed_trace: dict[str, Any] | None = None
    if same_rulebase or trace:
        _, _, evaluation, traced = trace_and_decide(rb, case, data["as_of"], data["backend"])
        replayed_trace = trace_to_dict(traced, evaluation)
    else:
        evaluation = evaluate_case(rb, case, data["as_of"], data["backend"])
    differences = compare_evaluations(data["evaluation"], evaluation.to_dict(),
                                      rulebase=same_rulebase)
    trace_difference = (None if replayed_trace is None
                        else first_difference(data["trace"], replayed_trace))
    if same_rulebase and trace_difference is not None:  # the reasons shown are relied on too
        where, x, y = trace_difference
        differences.append(Difference("trace", where, x, y))
    if same_rulebase:
        status: Status = "differs" if differences else "holds"
        code = EXIT_DIFFERS if differences else EXIT_HOLDS
    else:
        status = "rulebase-changed"
        code = EXIT_RULEBASE_CHANGED_DIFFERS if differences else EXIT_RULEBASE_CHANGED_SAME
    return Verification(
        status=status, exit_code=code, case_id=str(case.child.id),
        case_sha256=data["case_sha256"], as_of=data["as_of"], backend=data["backend"],
        recorded_rulebase=dict(data["rulebase"]), current_rulebase=rb.identity(),
        recorded_package=data["package"]["version"], current_package=package_version(),
        differences=tuple(differences),
        trace_matches=replayed_trace is not None and trace_difference is None)
