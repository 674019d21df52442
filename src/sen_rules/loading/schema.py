"""The shape of each kind of rule file, and friendly messages when a file has another shape.

These models only check structure (which keys, what kind of value); meaning (names,
types, quotes) is checked by the loader. Messages name the file position and say what
was expected, in words a policy officer understands.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import codes
from ..errors import Diagnostic
from ..suggest import did_you_mean
from .yamlfile import YamlDocument

RuleId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.\-]{0,99}$")]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Expression = Annotated[str, Field(min_length=1, max_length=4000)]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False)


class CitationEntry(_File):
    source: RuleId
    clause: RuleId
    quote: Text
    reference: Text | None = None


class InForceEntry(_File):
    from_: date | None = Field(default=None, alias="from")
    until: date | None = None


class RuleInForceEntry(InForceEntry):
    """A rule's dates, and the date of the case that chooses its version (default: the
    evaluation date), e.g. ``dated_by: cessation.placed_under_order.placed_on``."""

    dated_by: Expression | None = None
    date_of: Text | None = None  # the event, in words: "the placement under an order"


class RuleEntry(_File):
    id: RuleId
    version: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,19}$")] = "1"
    title: Text
    when: Expression | bool | None = None
    when_outcome: Name | None = None
    when_decided_by: list[RuleId] = []
    outcome: Name | None = None
    flag: RuleId | None = None
    note: RuleId | None = None
    message: Text | None = None
    details: dict[Name, Expression] = {}
    priority: Annotated[int, Field(ge=0, le=10_000)] = 100
    in_force: RuleInForceEntry | None = None
    cites: list[CitationEntry] = []
    register_ids: list[RuleId] = Field(default=[], alias="register")


class OtherwiseEntry(_File):
    id: RuleId
    title: Text
    outcome: Name
    message: Text | None = None
    details: dict[Name, Expression] = {}
    cites: list[CitationEntry] = []
    register_ids: list[RuleId] = Field(default=[], alias="register")


class OutcomeEntry(_File):
    value: Name
    label: Text


class DefinitionEntry(_File):
    name: Name
    title: Text
    means: Expression
    cites: list[CitationEntry] = []


class CriterionEntry(_File):
    id: RuleId
    title: Text
    prefer: Expression
    over: Expression
    prefer_label: Text | None = None
    over_label: Text | None = None
    words: Text | None = None
    cites: list[CitationEntry] = []
    register_ids: list[RuleId] = Field(default=[], alias="register")


class CheckEntry(_File):
    id: RuleId
    title: Text
    met: Expression
    not_met: Expression
    words: Text | None = None
    cites: list[CitationEntry] = []
    register_ids: list[RuleId] = Field(default=[], alias="register")


class RankingEntry(_File):
    candidates: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]* in [a-z][a-z0-9_.]*$")]
    checks: list[CheckEntry] = []
    criteria: list[CriterionEntry]
    conflict_policy_setting: Name
    checks_tiers: list[Literal["met", "not_met", "not_known"]] | None = None
    checks_words: Text | None = None
    cites: list[CitationEntry] = []


class AreaFile(_File):
    area: Name
    title: Text
    summary: Text
    uses: list[Name] = []  # areas whose decisions this area reads (decisions.AREA.FIELD)
    applies_when: Expression | None = None
    applies_cites: list[CitationEntry] = []
    hit_policy: Literal["first", "any", "priority"]
    outcomes: list[OutcomeEntry]
    otherwise: OtherwiseEntry | None = None
    combine: dict[Name, Literal["earliest", "latest", "first"]] = {}
    definitions: list[dict[str, Any]] = []  # each checked on its own (see the loader)
    rules: list[dict[str, Any]] = []
    ranking: RankingEntry | None = None


SettingType = Literal["integer", "number", "text", "yes_no", "date", "day_of_year",
                      "list_of_text", "list_of_days_of_year", "choice"]


class SettingVersionEntry(_File):
    value: Any
    in_force: InForceEntry | None = None


class SettingEntry(_File):
    name: Name
    title: Text
    type: SettingType
    choices: list[Text] | None = None
    value: Any = None
    versions: list[SettingVersionEntry] | None = None
    description: Text | None = None
    cites: list[CitationEntry] = []
    register_ids: list[RuleId] = Field(default=[], alias="register")


class SettingsFile(_File):
    settings: list[SettingEntry]


class DefinitionsFile(_File):
    definitions: list[DefinitionEntry]


class ClauseEntry(_File):
    id: RuleId
    starts: Text
    kind: Literal["heading", "paragraph", "bullet", "numbered"]
    normative: bool
    title: Text | None = None


class SourceIndexFile(_File):
    source: RuleId
    title: Text
    file: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$")]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    segmentation: Literal["lines", "markdown"] = "lines"
    reference: Text | None = None
    clauses: list[ClauseEntry]


class RegisterClause(_File):
    source: RuleId
    clause: RuleId


class RegisterItem(_File):
    id: RuleId
    title: Text
    question: Text
    readings: list[Text]
    chosen: Text
    why: Text
    settings: list[Name] = []
    clauses: list[RegisterClause] = []
    not_implemented: bool = False


class RegisterFile(_File):
    entries: list[RegisterItem]


class RulebaseFile(_File):
    name: RuleId
    version: Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-+]{0,31}$")]
    title: Text
    description: Text | None = None
    sources: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_./\-]+$")]]
    settings: Annotated[str, Field(pattern=r"^[A-Za-z0-9_./\-]+$")]
    definitions: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_./\-]+$")]] = []
    areas: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_./\-]+$")]]
    register_file: Annotated[str, Field(pattern=r"^[A-Za-z0-9_./\-]+$")] | None = Field(
        default=None, alias="register")
    scenarios: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_./\-]+$")]] = []
    fixed_facts: list[Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_.]*$")]] = []


_KIND_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list (lines starting with '- ')",
    "dict_type": "a block of 'key: value' lines",
    "model_type": "a block of 'key: value' lines",
    "date_type": "a date written YYYY-MM-DD",
    "model_attributes_type": "a block of 'key: value' lines",
}


def _describe_input(value: Any) -> str:
    if isinstance(value, bool):
        return (f"the yes/no value {value!r} (YAML reads yes, no, on, off, true and false as "
                "yes/no values; put the word in quotes to make it text)")
    if isinstance(value, dict):
        return "a block of 'key: value' lines"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def structure_errors(doc: YamlDocument, model: type[BaseModel], what: str,
                     at: tuple[str | int, ...] = ()) -> tuple[BaseModel | None, list[Diagnostic]]:
    """Validate the value at ``at`` (the whole file by default) against ``model``.

    Errors point at the offending line.
    """
    data: Any = doc.data
    for part in at:
        data = data[part]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        diags: list[Diagnostic] = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            path = at + tuple(p for p in loc if isinstance(p, (str, int)))
            diags.append(Diagnostic(codes.SR102, _message(err, model, path[len(at):], what),
                                    _location(doc, err, path)))
        return None, diags


def _location(doc: YamlDocument, err: Any, path: tuple[str | int, ...]) -> Any:
    if err["type"] == "extra_forbidden":
        return doc.key_location(path)
    if err["type"] == "missing":
        return doc.where(path[:-1])
    return doc.where(path)


def _model_at(model: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The file model that describes the block at ``path`` (to list its keys)."""
    import typing

    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        fields = {f.alias or n: f for n, f in current.model_fields.items()}
        if part not in fields:
            return None
        annotation = fields[part].annotation
        current = _innermost_model(annotation, typing)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _innermost_model(annotation: Any, typing: Any) -> Any:
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        for inner in typing.get_args(arg):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _keys(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


def _message(err: Any, model: type[BaseModel], path: tuple[str | int, ...], what: str) -> str:
    kind = err["type"]
    where = ".".join(str(p) for p in path) or what
    if kind == "extra_forbidden":
        key = str(path[-1])
        keys = _keys(_model_at(model, path[:-1]))
        hint = did_you_mean(key, keys)
        return f"unknown key {key!r}{hint} (expected: {', '.join(keys)})"
    if kind == "missing":
        return f"{path[-1]!r} is missing in {'.'.join(str(p) for p in path[:-1]) or what}"
    if kind == "string_pattern_mismatch":
        return (f"{where}: {_describe_input(err.get('input'))} is not a valid name here; "
                "use lower-case letters, digits, '.', '-' or '_'")
    if kind in _KIND_WORDS:
        return f"{where}: expected {_KIND_WORDS[kind]}, found {_describe_input(err.get('input'))}"
    if kind == "literal_error":
        return f"{where}: {_describe_input(err.get('input'))} is not allowed; {err['msg'].lower()}"
    msg = str(err["msg"])
    return f"{where}: {msg[0].lower()}{msg[1:]}"
