"""The model checks an ISO date natively when it reads JSON, and takes and refuses exactly
what its Python validator (:func:`sen_rules.case_model.parse_iso_date`, which still reads
Python input) takes and refuses, with the same sentence. The two are compared, in JSON and
in Python data, on a grid of every year, month and day form around the limits, odd spellings,
values of other types, and random text.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from sen_rules.case import IsoDate, case_error_from
from sen_rules.case_model import parse_iso_date


class _PythonCheck(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    day: Annotated[date, BeforeValidator(parse_iso_date)]
    maybe: Annotated[date, BeforeValidator(parse_iso_date)] | None = None


class _NativeCheck(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    day: IsoDate
    maybe: IsoDate | None = None


def _date_outcome(model: type[BaseModel], data: Any, as_json: bool) -> Any:
    try:
        valid = model.model_validate_json(json.dumps(data)) if as_json else model.model_validate(
            data)
    except ValidationError as exc:
        return case_error_from(exc).problems
    return valid.model_dump()


def _dates_alike(value: Any) -> None:
    for data in ({"day": value}, {"day": "2004-05-06", "maybe": value}):
        for as_json in (True, False):
            if as_json and not _jsonable(value):
                continue
            old = _date_outcome(_PythonCheck, data, as_json)
            assert _date_outcome(_NativeCheck, data, as_json) == old, (value, as_json)


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


_YEARS = ["0000", "0001", "1899", "1900", "1901", "1999", "2000", "2004", "2023", "2024", "2100",
          "2199", "2200", "9999"]
_ODD_DAYS = ["", " ", "0", "86400", "1234567890", "20040506", "2004-5-6", "2004-05-6",
             "2004-W22-4", "2004-156", "2004-05-06T00:00", "2004-05-06T00:00:00Z", "2004-05-06Z",
             "2004-05-06 ", " 2004-05-06", "2004-05-06\n", "+2004-05-06", "-2004-05-06",
             "2004/05/06", "06/05/2004", "2004-05-06x", "\u0662\u0660\u0660\u0664-05-06",
             "\uff12\uff10\uff10\uff14-\uff10\uff15-\uff10\uff16", "2004\u201005-06", "2004-0a-06",
             "2004-05-06\x00", "1900-02-29", "2000-02-29", "2100-02-29", "2024-02-29",
             "2023-02-29", "2004-04-31", "2004-13-01", "2004-00-10", "2004-01-00", "2004-01-32"]


def test_the_native_date_check_takes_and_refuses_what_the_old_one_did() -> None:
    grid = [f"{y}-{m:02d}-{d:02d}" for y in _YEARS for m in range(14) for d in range(33)]
    for value in grid + _ODD_DAYS:
        _dates_alike(value)
    for value in (20040506, 2004.0, True, None, [], {}, ["2004-05-06"], {"day": 1},
                  date(2004, 5, 6), date(1899, 12, 31), datetime(2004, 5, 6), b"2004-05-06"):
        _dates_alike(value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-:TZ +\n\u0663", max_size=12) | st.text(max_size=12)
       | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.dates())
def test_any_value_for_a_date_is_read_as_before(value: Any) -> None:
    _dates_alike(value.isoformat() if isinstance(value, date) else value)
