"""Stage "settings": the thresholds and conventions, each of a declared type, with versions
that cover every date with no gap or overlap; the conventions the date functions need
must be there, of their type and within their range."""

from __future__ import annotations

from datetime import date
from typing import Any

from ... import codes
from ...dates import CONVENTION_SETTINGS, WEEKDAYS, parse_month_day
from ...errors import SourceLocation
from ...language.types import BOOL, DATE, INTEGER, NUMBER, STRING, Type, list_of
from ...rulebase import Setting, SettingVersion
from .. import schema
from ..citing import citations
from ..compilation import INVALID, Compilation
from ..files import read
from ..spans import covers_all_dates, in_force
from ..yamlfile import Path as YPath
from ..yamlfile import YamlDocument


def load_settings(c: Compilation) -> None:
    parsed, doc = read(c, c.manifest.settings, schema.SettingsFile, "settings",
                       c.mdoc.where(("settings",)))
    if parsed is None or doc is None:
        return
    for i, entry in enumerate(parsed.settings):
        load_setting(c, entry, doc, ("settings", i))
    for name, kind in CONVENTION_SETTINGS.items():
        setting = c.settings.get(name)
        if setting is None:
            c.error(codes.SR140, f"the setting {name!r} ({kind}) is missing: the date "
                    "functions need it", doc.where(("settings",)))
        elif setting.type != kind:
            c.error(codes.SR140, f"the setting {name!r} must be of type {kind}", setting.location)
    check_convention_values(c)


def check_convention_values(c: Compilation) -> None:
    allowed = {"leap_day_birthday": ("1 March", "28 February"),
               "school_leaving_weekday": tuple(WEEKDAYS)}
    for name, values in allowed.items():
        s = c.settings.get(name)
        if s and s.choices and not set(s.choices) <= set(values):
            c.error(codes.SR141, f"the choices of {name!r} must be among: " + ", ".join(values),
                    s.location)
    for name, low, high in (("school_leaving_month", 1, 12),
                            ("compulsory_school_age_lower", 2, 8),
                            ("compulsory_school_age_upper", 14, 19)):
        s = c.settings.get(name)
        if s:
            for v in s.versions:
                if not (isinstance(v.value, int) and low <= v.value <= high):
                    c.error(codes.SR141, f"{name} must be between {low} and {high}", s.location)


def load_setting(c: Compilation, entry: schema.SettingEntry, doc: YamlDocument,
                 path: YPath) -> None:
    loc = doc.where(path)
    if entry.name in c.settings:
        c.error(codes.SR105, f"the setting {entry.name!r} is defined twice", loc)
        return
    if (entry.value is None) == (entry.versions is None):
        c.error(codes.SR103, f"setting {entry.name!r}: give either 'value' or 'versions'", loc)
        return
    if entry.type == "choice" and not entry.choices:
        c.error(codes.SR103, f"setting {entry.name!r} is a choice: list its 'choices'", loc)
        return
    raw_versions = ([(entry.value, None, path + ("value",))] if entry.versions is None else
                    [(v.value, v.in_force, path + ("versions", j, "value"))
                     for j, v in enumerate(entry.versions)])
    versions: list[SettingVersion] = []
    for value, span_entry, vpath in raw_versions:
        converted = setting_value(c, entry, value, doc.where(vpath))
        if converted is INVALID:
            return
        span = in_force(c, span_entry, doc, vpath[:-1] + ("in_force",))
        versions.append(SettingVersion(converted, span))
    versions.sort(key=lambda v: v.in_force.start)
    if not covers_all_dates([v.in_force for v in versions]):
        c.error(codes.SR142, f"the versions of setting {entry.name!r} must follow one another "
                "with no gap or overlap, from the earliest date to the latest", loc)
        return
    c.settings[entry.name] = Setting(
        entry.name, entry.title, entry.type,
        tuple(entry.choices) if entry.choices else None, tuple(versions),
        citations(c, entry.cites, doc, path + ("cites",)), tuple(entry.register_ids), loc)
    for rid in entry.register_ids:
        c.register_refs.append((rid, loc))
    c.setting_types[entry.name] = setting_type(entry)


def setting_value(c: Compilation, entry: schema.SettingEntry, value: Any,
                  loc: SourceLocation) -> Any:
    """The value converted to its setting's type, or INVALID (reported)."""
    kind = entry.type

    def bad(expected: str) -> object:
        c.error(codes.SR143, f"setting {entry.name!r} is {kind}: expected {expected}, "
                f"found {value!r}", loc)
        return INVALID

    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 1_000_000:
            return bad("a whole number")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or abs(value) > 1e9:
            return bad("a number")
        return value
    if kind == "yes_no":
        return value if isinstance(value, bool) else bad("true or false")
    if kind == "date":
        return value if type(value) is date else bad("a date written YYYY-MM-DD")
    if kind in ("text", "choice"):
        if not isinstance(value, str):
            return bad("text")
        if kind == "choice" and value not in (entry.choices or []):
            return bad("one of " + ", ".join(repr(ch) for ch in entry.choices or []))
        return value
    return _days_or_lists(kind, value, bad)


def _days_or_lists(kind: str, value: Any, bad: Any) -> Any:
    """A day of the year, or a list of texts or of days, checked."""
    if kind == "day_of_year":
        try:
            parse_month_day(value) if isinstance(value, str) else None
        except ValueError as exc:
            return bad(str(exc))
        return value if isinstance(value, str) else bad("a day such as '1 September'")
    if kind in ("list_of_text", "list_of_days_of_year"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return bad("a list of text")
        if kind == "list_of_days_of_year":
            try:
                for v in value:
                    parse_month_day(v)
            except ValueError as exc:
                return bad(str(exc))
        return tuple(value)
    return bad(kind)


def setting_type(entry: schema.SettingEntry) -> Type:
    """The type conditions see a setting as."""
    return {
        "integer": INTEGER, "number": NUMBER, "text": STRING, "yes_no": BOOL, "date": DATE,
        "day_of_year": STRING, "list_of_text": list_of(STRING),
        "list_of_days_of_year": list_of(STRING),
        "choice": Type("string", enum=tuple(entry.choices or ())),
    }[entry.type]
