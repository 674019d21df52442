"""The case: reading one from JSON text or data, and checking it against the evaluation date.

The model itself (strict Pydantic v2, frozen, tuples) is in :mod:`.case_model` and the walk
over its dates in :mod:`.case_dates`; every name of both is importable from here too. This
module turns what a caller gives into a valid :class:`Case` or a :class:`CaseError` naming
the field path of every problem, within the limits on size and nesting.

A valid case is read in one pass, by the model's own validator and checks that find what
the strict reader would refuse (see :func:`_fast_read`); anything else is read again the
strict way (:mod:`.jsonread`, then the model), which alone names what is wrong. So a case is
accepted only if the strict way accepts it too, and every problem is named as it always was.
"""

from __future__ import annotations

import json
import marshal
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from pydantic import ValidationError
from pydantic_core import SchemaValidator, core_schema

from . import codes, jsonread
from .case_dates import ColonPlans, colon_plans, count_colons, gather_dates, iter_dates
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
    check_whole_case,
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

    Text is read by the strict reader (:mod:`sen_rules.jsonread`: no repeated keys, no
    deep nesting, no non-finite or overlong numbers, at most :data:`MAX_CASE_BYTES`).
    Raises :class:`CaseError` naming the field path of every problem.
    """
    if isinstance(data, Case):
        return data
    fast = _fast_read()
    if fast is not None:
        if isinstance(data, (str, bytes)):
            quick = _read_text_fast(data, fast)
        else:
            quick = _read_data_fast(data, fast) if type(data) is dict else None
        if quick is not None:
            return quick
    return read_strictly(data)


def read_strictly(data: str | bytes | Mapping[str, Any]) -> Case:
    """The strict way: the strict reader, then the whole model (what :func:`parse_case` falls
    back to for anything its one-pass read does not accept, errors included)."""
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


# ------------------------------------------------------------------------------ fast read


@dataclass(frozen=True)
class _FastRead:
    """The model's validator without its whole-case check, for JSON text and for Python data
    (None if that one cannot be made), and the plan of the colon count."""

    text: SchemaValidator
    data: SchemaValidator | None
    plans: ColonPlans
    item: SchemaValidator  # a line's ``{"case": ..., "as_of": "..."}``, the case as ``text``


@cache
def _fast_read() -> _FastRead | None:
    """Made once, from the model's own core schema. None if the model has changed in a way
    this does not know: every case is then read the strict way (and every dict, if only the
    data validator cannot be made)."""
    plans = colon_plans(Case)
    schema = _fast_case_schema(python=False)
    if plans is None or schema is None or set(Case.__private_attributes__) != {"_latest_date"}:
        return None
    data_schema = _fast_case_schema(python=True)
    data = None if data_schema is None else SchemaValidator(data_schema)
    try:
        if data is not None:
            data.validate_python(_EVERY_TUPLE)
    except ValidationError:  # pydantic reused a nested model's own validator: tuples only
        data = None
    item = core_schema.typed_dict_schema({
        "case": core_schema.typed_dict_field(schema),
        "as_of": core_schema.typed_dict_field(core_schema.str_schema(strict=True),
                                              required=False),
    }, extra_behavior="forbid")
    return _FastRead(SchemaValidator(schema), data, plans, SchemaValidator(item))


def _fast_case_schema(python: bool) -> Any:
    """The schema :func:`_fast_schema` copies (None if it found no case check to leave out):
    :func:`_checked` runs that check and sets the private attribute."""
    found: Counter[str] = Counter()
    schema = _fast_schema(Case.__pydantic_core_schema__, python, found)
    if found["case"] != 1 or found["post_init"] != 1:
        return None
    return schema


def _fast_schema(schema: Any, python: bool, found: Counter[str]) -> Any:
    """A copy of a core schema without the case's own validator; ``found`` counts what went.

    For Python data (``python``), a tuple field also takes a list, as JSON data holds it (the
    strict schema takes tuples only, its lax form sets too).
    """
    if isinstance(schema, list):
        return [_fast_schema(item, python, found) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "function-after" and schema["function"]["function"] is _CASE_CHECK:
        found["case"] += 1
        return _fast_schema(schema["schema"], python, found)
    copy = {key: _fast_schema(value, python, found) for key, value in schema.items()}
    if copy.get("type") == "model" and copy.get("cls") is Case and copy.pop("post_init", None):
        found["post_init"] += 1
    if python and copy.get("type") == "tuple":
        return core_schema.chain_schema([core_schema.is_instance_schema((list, tuple)),
                                         {**copy, "strict": False}])
    return copy


_CASE_CHECK = Case._consistent
_EVERY_TUPLE = {  # a list in every tuple field: what the data validator must take
    "child": {"id": "X", "date_of_birth": "2000-01-01"}, "disputes": [],
    "sen_support": [{"started": "2001-01-01", "outside_advice_sought": True,
                     "agencies": ["health"]}],
    "statement": {"made_on": "2002-01-01", "reviews": [{"held_on": "2003-01-01"}]},
    "candidate_placements": [{"id": "P", "name": "P", "provision": "special_school"}],
}
_NUMBER_CHARS = bytes.maketrans(b"+-.0123456789Ee", b"#" * 15)
_TOO_LONG_NUMBER = b"#" * (jsonread.MAX_NUMBER_CHARS + 1)


def _read_text_fast(text: str | bytes, fast: _FastRead) -> Case | None:
    """The case in a JSON text, if it is valid; None for any other (then read the strict way).

    What the strict reader refuses and the model would take: a repeated key (the colon count
    finds it), a number literal longer than the limit (found as a run that long of the
    characters numbers are made of), half of a surrogate pair (not UTF-8, and refused by
    pydantic's own JSON reader too), the size limit. Deep nesting, ``NaN``, ``1e400`` or a
    huge integer are refused by the model: no field takes them.
    """
    raw = _plain_bytes(text, MAX_CASE_BYTES)
    if raw is None:
        return None
    try:
        case: Case = fast.text.validate_json(raw)
    except ValidationError:
        return None
    dates: list[date] = []
    if count_colons(case, fast.plans, dates) != raw.count(b":"):
        return None
    return _checked(case, dates)


def _plain_bytes(text: str | bytes, limit: int) -> bytes | None:
    """The UTF-8 bytes of a text the fast read may take: within ``limit``, no escape that may
    be a colon (``\\u003a``), no number literal longer than the strict reader allows."""
    if type(text) is str:
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:
            return None
    elif type(text) is bytes:
        raw = text
    else:
        return None
    if (len(raw) > limit or b"u003" in raw
            or _TOO_LONG_NUMBER in raw.translate(_NUMBER_CHARS)):
        return None
    return raw


def read_item_fast(line: str | bytes, limit: int) -> tuple[Case, str | None] | None:
    """A line of JSON Lines, a case or ``{"case": ..., "as_of": "..."}``, in one pass: the
    case and the line's own date text (None if it gives none). None for any line that is
    not valid and as the strict reader would read it (read that one the strict way, which
    names what is wrong). The checks are those of :func:`_read_text_fast`, the wrapper's
    keys counted with the case's."""
    fast = _fast_read()
    if fast is None:
        return None
    raw = _plain_bytes(line, limit)
    if raw is None:
        return None
    if b'"case"' not in raw:
        case = _read_text_fast(raw, fast)
        return None if case is None else (case, None)
    try:
        item = fast.item.validate_json(raw)
    except ValidationError:
        return None
    day: str | None = item.get("as_of")
    dates: list[date] = []
    colons = 1 + count_colons(item["case"], fast.plans, dates)
    if day is not None:
        colons += 1 + day.count(":")
    if colons != raw.count(b":"):
        return None
    case = _checked(item["case"], dates)
    return None if case is None else (case, day)


def _read_data_fast(data: dict[str, Any], fast: _FastRead) -> Case | None:
    """The case in JSON-like data, if it is valid; None for any other (then read the strict way).

    :func:`marshal.dumps` takes only values of the built-in types themselves: no subclass,
    model, date or mapping. What the model then accepts is data that the strict way writes
    as JSON and reads back to the same case; and pydantic refuses half of a surrogate pair in
    every text field, as the strict way does.
    """
    if fast.data is None:
        return None
    try:
        marshal.dumps(data)
        case: Case = fast.data.validate_python(data)
    except ValueError:  # ValidationError is one
        return None
    dates: list[date] = []
    gather_dates(case, dates)
    return _checked(case, dates)


def _checked(case: Case, dates: list[date]) -> Case | None:
    """The case after the whole-case checks (None if one fails), as the model would leave it."""
    try:
        latest = check_whole_case(case, dates)
    except ValueError:
        return None
    object.__setattr__(case, "__pydantic_private__", {"_latest_date": latest})
    return case


def check_against_date(case: Case, as_of: date) -> None:
    """Reject facts dated after the evaluation date: a case states what is known on ``as_of``."""
    # the private value read directly: pydantic's ``__getattr__`` for it costs more than
    # the rest of this check (absent, every date is checked)
    latest = (case.__pydantic_private__ or {}).get("_latest_date")
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
