"""The case: reading one from JSON text or data, and checking it against the evaluation date.

The model itself (strict Pydantic v2, frozen, tuples) is in :mod:`.case_model` and the walk
over its dates in :mod:`.case_dates`; every name of both is importable from here too. This
module turns what a caller gives into a valid :class:`Case` or a :class:`CaseError` naming
the field path of every problem, within the limits on size and nesting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from . import codes, jsonread
from .case_dates import iter_dates
from .case_model import (
    EARLIEST_DATE,
    ISO_DATE_ERROR,
    LATEST_DATE,
    MAX_AGENCIES,
    MAX_CANDIDATE_PLACEMENTS,
    MAX_DISPUTES,
    MAX_REVIEWS,
    MAX_SUPPORT_PERIODS,
    Agency,
    AnnualReview,
    Case,
    CessationCircumstances,
    Child,
    Dispute,
    EducationSetting,
    EducationStatus,
    FundingLevel,
    Identifier,
    IsoDate,
    JointFunding,
    LongText,
    MedicalDiagnosis,
    PendingDecision,
    Placement,
    PlacementUnderOrder,
    ProvisionKind,
    Quadrant,
    SenSupportPeriod,
    ShortText,
    Statement,
    StatutoryAssessmentRequest,
    View,
    Views,
    iso_date_problem,
)
from .errors import CaseError

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_AGENCIES",
    "MAX_CANDIDATE_PLACEMENTS",
    "MAX_CASE_BYTES",
    "MAX_DISPUTES",
    "MAX_REVIEWS",
    "MAX_SUPPORT_PERIODS",
    "Agency",
    "AnnualReview",
    "Case",
    "CessationCircumstances",
    "Child",
    "Dispute",
    "EducationSetting",
    "EducationStatus",
    "FundingLevel",
    "Identifier",
    "IsoDate",
    "JointFunding",
    "LongText",
    "MedicalDiagnosis",
    "PendingDecision",
    "Placement",
    "PlacementUnderOrder",
    "ProvisionKind",
    "Quadrant",
    "SenSupportPeriod",
    "ShortText",
    "Statement",
    "StatutoryAssessmentRequest",
    "View",
    "Views",
    "case_error_from",
    "case_json_schema",
    "check_against_date",
    "iter_dates",
    "parse_case",
]


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + part
    return path


def _friendly(err: Any) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field (not part of the case model; see `sen-rules schema`)"
    if kind == "missing":
        return "required field is missing"
    if kind == ISO_DATE_ERROR:
        return iso_date_problem(err.get("input"))
    if kind == "too_long" and "ctx" in err and isinstance(err.get("input"), (tuple, list)):
        return (f"holds {len(err['input'])} items, more than the limit of "
                f"{err['ctx']['max_length']} (see docs/limits-and-faults.md)")
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "literal_error" and "input" in err:
        msg = f"{err['input']!r} is not allowed: {msg[0].lower()}{msg[1:]}"
    return msg


def case_error_from(exc: ValidationError) -> CaseError:
    """Turn Pydantic's errors into (field path, sentence) pairs."""
    problems = []
    for err in exc.errors(include_url=False):
        path = _loc_to_path(tuple(err["loc"]))
        msg = _friendly(err)
        # model validators report "path: message" themselves
        if not path and ": " in msg and not msg.startswith("'"):
            head, _, rest = msg.partition(": ")
            if re.fullmatch(r"[A-Za-z_][\w.\[\]]*", head):
                path, msg = head, rest
        problems.append((path, msg))
    return CaseError(problems)


MAX_CASE_BYTES = 1_000_000


def parse_case(data: str | bytes | Mapping[str, Any] | Case) -> Case:
    """Validate a case from JSON text, a JSON-like mapping, or a ``Case``.

    Text is read by the strict reader first (:mod:`sen_rules.jsonread`: no repeated keys, no
    deep nesting, no non-finite or overlong numbers, at most :data:`MAX_CASE_BYTES`).
    Raises :class:`CaseError` naming the field path of every problem.
    """
    if isinstance(data, Case):
        return data
    try:
        if isinstance(data, (str, bytes)):
            jsonread.loads(data, limit=MAX_CASE_BYTES)
            return Case.model_validate_json(data)
        if isinstance(data, Mapping):
            jsonread.check_data(data)
            return Case.model_validate_json(json.dumps(dict(data), allow_nan=False))
    except jsonread.JsonInputError as exc:
        raise CaseError([("", f"the case is not acceptable JSON: {exc}")]) from None
    except ValidationError as exc:
        raise case_error_from(exc) from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise CaseError([("", f"the case is not valid JSON data ({exc})")]) from None
    raise CaseError([("", f"expected a JSON object, got {type(data).__name__}")])


def check_against_date(case: Case, as_of: date) -> None:
    """Reject facts dated after the evaluation date: a case states what is known on ``as_of``."""
    latest = case._latest_date
    if latest is not None and latest <= as_of:
        return
    problems = [
        (path, f"{value.isoformat()} is after the evaluation date {as_of.isoformat()}")
        for path, value in iter_dates(case)
        if value > as_of
    ]
    if problems:
        raise CaseError(problems, code=codes.SR201)


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of a case (what ``sen-rules schema`` prints)."""
    schema = Case.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sen-rules case"
    return schema
