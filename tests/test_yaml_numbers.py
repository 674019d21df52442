"""Numbers in rule files mean what they say: YAML 1.1's other ways of writing a number
(a leading 0 for octal, 0x, 0b, 1:30 in base 60, 1_000) are refused with the place, what
was written and what to write, never silently read as another number."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sen_rules
from sen_rules import RulebaseError
from sen_rules.cli import main
from sen_rules.errors import Diagnostic
from sen_rules.loading.yamlfile import YamlFileError, read_yaml

SETTINGS = "settings.yaml"
STAGE = "areas/sen-stage.yaml"
Edits = dict[str, list[tuple[str, str]]]

DUE_SOON = "review_due_soon_days"  # an integer setting: `    value: 56` in settings.yaml
DUE_SOON_VALUE = "    type: integer\n    value: 56\n"
LOCAL_KM = "local_placement_max_km"  # a number setting: `    value: 10`
LOCAL_KM_VALUE = "    type: number\n    value: 10\n"
PRIORITY = "    outcome: statement\n    priority: 1\n"  # stage.statement's priority

PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
PLAIN_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+")


def load_errors(rules_copy: Callable[..., Path], edits: Edits) -> list[Diagnostic]:
    with pytest.raises(RulebaseError) as info:
        sen_rules.load_rulebase(rules_copy(edits))
    return list(info.value.diagnostics)


def value_line(directory: Path, rel: str, text: str, value: str) -> tuple[int, int]:
    """1-based line and column of ``value`` where it follows ``text`` in the file."""
    content = (directory / rel).read_text(encoding="utf-8")
    offset = content.index(text + value) + len(text)
    before = content[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def read_value(written: str) -> object:
    """The value read, or the refusal of a number as written raised (the reader reports
    it with the document and reads on, keeping the text)."""
    doc = read_yaml(f"v: {written}\n", "f.yaml")
    if doc.refused:
        assert doc.data["v"] == written.split(" ")[-1].strip('"')  # kept as the text
        raise YamlFileError(doc.refused[0])
    return doc.data["v"]


# -------------------------------------------------------------- the policy author's view

def test_a_leading_zero_is_refused_with_place_and_what_to_write(
        rules_copy: Callable[..., Path]) -> None:
    diags = load_errors(rules_copy, {SETTINGS: [(DUE_SOON_VALUE,
                                                 "    type: integer\n    value: 056\n")]})
    (diag,) = [d for d in diags if d.location and d.location.file.endswith(SETTINGS)]
    assert diag.code == "SR102"
    assert diag.message == (
        'the number 056 is not written in plain decimal: YAML reads a whole number that '
        'starts with 0 as octal (base 8), so this would be 46; write 56, or "056" in quotes '
        'if it is text')
    directory = rules_copy({SETTINGS: [(DUE_SOON_VALUE, "    type: integer\n    value: 056\n")]})
    line, column = value_line(directory, SETTINGS, "    type: integer\n    value: ", "056\n")
    text = (directory / SETTINGS).read_text(encoding="utf-8").splitlines()
    assert DUE_SOON in text[line - 4]  # the setting's name, three lines up
    assert diag.location is not None
    assert (diag.location.line, diag.location.column) == (line, column)
    assert text[line - 1][column - 1:] == "056"


# (what is written in place of a whole number, what YAML 1.1 would read, what to write)
REFUSED_INTEGERS = [
    ("056", 46, "56"),
    ("010", 8, "10"),
    ("-010", -8, "-10"),
    ("00", 0, "0"),
    ("0_7", 7, "7"),
    ("1:30", 90, "90"),
    ("190:20:30", 685230, "685230"),
    ("0x10", 16, "16"),
    ("+0x1F", 31, "31"),
    ("0b11", 3, "3"),
    ("1_000", 1000, "1000"),
]


@pytest.mark.parametrize(("written", "yaml_reads", "write"), REFUSED_INTEGERS,
                         ids=[c[0] for c in REFUSED_INTEGERS])
def test_each_other_way_of_writing_a_whole_number_is_refused(
        rules_copy: Callable[..., Path], written: str, yaml_reads: int, write: str) -> None:
    diags = load_errors(rules_copy, {STAGE: [(PRIORITY, f"    outcome: statement\n"
                                                        f"    priority: {written}\n")]})
    (diag,) = [d for d in diags if d.location and d.location.file.endswith(STAGE)]
    assert diag.code == "SR102", str(diag)
    assert f"the number {written} is not written in plain decimal" in diag.message
    assert f"so this would be {yaml_reads};" in diag.message
    assert f'write {write}, or "{written}" in quotes if it is text' in diag.message
    directory = rules_copy({STAGE: [(PRIORITY, f"    outcome: statement\n"
                                               f"    priority: {written}\n")]})
    assert diag.location is not None
    assert (diag.location.line, diag.location.column) == value_line(
        directory, STAGE, "    outcome: statement\n    priority: ", f"{written}\n")


REFUSED_NUMBERS = [
    ("056.5", "56.5"),
    ("00.5", "0.5"),
    ("1_0.5", "10.5"),
    ("1:30.5", "90.5"),
    ("0x0A", "10"),
]


@pytest.mark.parametrize(("written", "write"), REFUSED_NUMBERS, ids=[c[0] for c in REFUSED_NUMBERS])
def test_each_other_way_of_writing_a_number_is_refused(
        rules_copy: Callable[..., Path], written: str, write: str) -> None:
    diags = load_errors(rules_copy, {SETTINGS: [(LOCAL_KM_VALUE,
                                                 f"    type: number\n    value: {written}\n")]})
    (diag,) = [d for d in diags if d.location and d.location.file.endswith(SETTINGS)]
    assert diag.code == "SR102", str(diag)
    assert f'write {write}, or "{written}" in quotes if it is text' in diag.message


def test_lint_reports_the_number_with_its_place(rules_copy: Callable[..., Path],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    directory = rules_copy({SETTINGS: [(DUE_SOON_VALUE, "    type: integer\n    value: 056\n")]})
    line, column = value_line(directory, SETTINGS, "    type: integer\n    value: ", "056\n")
    assert main(["lint", str(directory)]) == 1
    out = capsys.readouterr().out
    assert re.search(rf"settings\.yaml:{line}:{column}: error SR102: the number 056 is not "
                     r"written in plain decimal: .*octal.*write 56, or \"056\"", out), out
    assert "rulebase did not load" in out


def test_lint_no_longer_passes_a_priority_written_with_a_leading_zero(
        rules_copy: Callable[..., Path]) -> None:
    """The defect itself: lint said 0 errors, and the priority was silently 8."""
    from sen_rules.authoring.lint import lint

    report = lint(rules_copy({STAGE: [(PRIORITY, "    outcome: statement\n    priority: 010\n")]}))
    assert not report.loaded
    assert [f.diagnostic.code for f in report.findings if f.severity == "error"
            and f.diagnostic.location and f.diagnostic.location.file.endswith(STAGE)] == ["SR102"]


# ------------------------------------------------------------------ what loads as today

def test_the_bundled_rules_load_with_their_numbers_and_dates() -> None:
    rb = sen_rules.load_rulebase()
    assert rb.settings[DUE_SOON].versions[0].value == 56
    assert rb.settings[LOCAL_KM].versions[0].value == 10


@pytest.mark.parametrize(("written", "value"), [("56", 56), ("+56", 56), ("120", 120)])
def test_plain_whole_numbers_load_as_themselves(rules_copy: Callable[..., Path], written: str,
                                                value: int) -> None:
    rb = sen_rules.load_rulebase(rules_copy({SETTINGS: [(
        DUE_SOON_VALUE, f"    type: integer\n    value: {written}\n")]}))
    assert rb.settings[DUE_SOON].versions[0].value == value


@pytest.mark.parametrize(("written", "value"), [("10.5", 10.5), ("0.25", 0.25), (".5", 0.5),
                                                ("1.0e+1", 10.0), ("7", 7)])
def test_plain_numbers_load_as_themselves(rules_copy: Callable[..., Path], written: str,
                                          value: float) -> None:
    rb = sen_rules.load_rulebase(rules_copy({SETTINGS: [(
        LOCAL_KM_VALUE, f"    type: number\n    value: {written}\n")]}))
    assert rb.settings[LOCAL_KM].versions[0].value == value


def test_a_date_still_loads_as_a_date(rules_copy: Callable[..., Path]) -> None:
    rb = sen_rules.load_rulebase(rules_copy({STAGE: [(PRIORITY, PRIORITY + "    in_force: {from: "
                                                      "2010-09-01}\n")]}))
    (rule,) = [r for a in rb.areas for r in a.rules if r.id == "stage.statement"]
    assert rule.in_force.start == date(2010, 9, 1)


def test_a_quoted_number_is_text_and_the_schema_says_so(rules_copy: Callable[..., Path]) -> None:
    diags = load_errors(rules_copy, {SETTINGS: [(DUE_SOON_VALUE,
                                                 '    type: integer\n    value: "056"\n')]})
    (diag,) = [d for d in diags if d.code == "SR143"]  # and what names the lost setting
    assert "whole number" in diag.message


@pytest.mark.parametrize(("written", "value"), [
    ("56", 56), ("-3", -3), ("0", 0), ("-0", 0), ("+5", 5), ("1.5", 1.5), ("-0.25", -0.25),
    ("1.0e+3", 1000.0), ("1.", 1.0), ("2010-09-01", date(2010, 9, 1)),
    ("1e3", "1e3"), ("0o17", "0o17"), ("09", "09"), ("0x", "0x"), ('"056"', "056"),
    ("'0x10'", "0x10"), ("yes", True)])
def test_what_reads_as_before(written: str, value: object) -> None:
    assert read_value(written) == value
    assert type(read_value(written)) is type(value)


@pytest.mark.parametrize("written", ['!!int "056"', "!!int 0x10", "!!float 1_0.5"])
def test_an_explicit_number_tag_does_not_bring_the_other_forms_back(written: str) -> None:
    with pytest.raises(YamlFileError, match="not written in plain decimal"):
        read_value(written)


def test_a_python_tag_still_cannot_run_code() -> None:
    with pytest.raises(YamlFileError, match="tags"):
        read_value("!!python/object/apply:os.system [echo hi]")


# ---------------------------------------------------------------------------- properties

@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_every_whole_number_in_decimal_loads_as_itself(n: int) -> None:
    assert read_value(str(n)) == n
    assert type(read_value(str(n))) is int


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=0,
                                                                       max_value=10**6))
def test_every_decimal_fraction_loads_as_itself(whole: int, fraction: int) -> None:
    sign = "-" if whole < 0 else ""
    written = f"{sign}{abs(whole)}.{fraction}"
    assert read_value(written) == float(written)


def _other_forms() -> st.SearchStrategy[str]:
    n = st.integers(min_value=0, max_value=10**9)
    sign = st.sampled_from(["", "-", "+"])
    digits = st.text("0123456789", min_size=1, max_size=8)
    return st.one_of(
        st.builds(lambda s, d: f"{s}0{d}", sign, digits),  # leading zero
        st.builds(lambda s, d: f"{s}0{d}.5", sign, digits),
        st.builds(lambda s, k: f"{s}0x{k:x}", sign, n),
        st.builds(lambda s, k: f"{s}0X{k:X}", sign, n),
        st.builds(lambda s, k: f"{s}0b{k:b}", sign, n),
        st.builds(lambda s, k: f"{s}0o{k:o}", sign, n),
        st.builds(lambda s, k: f"{s}{k:_}", sign, n.filter(lambda k: k >= 1000)),
        st.builds(lambda s, a, b: f"{s}{a}:{b:02d}", sign, n.filter(lambda k: k > 0),
                  st.integers(0, 59)),
        st.builds(lambda s, a, b: f"{s}{a}:{b:02d}.5", sign, n.filter(lambda k: k > 0),
                  st.integers(0, 59)),
        st.builds(lambda d, i: d[:i] + "_" + d[i:], digits, st.integers(0, 8)),
    )


@given(_other_forms())
def test_no_other_form_is_ever_silently_another_number(written: str) -> None:
    try:
        value = read_value(written)
    except YamlFileError as exc:
        assert exc.diagnostic.code == "SR102", str(exc)
        assert f'"{written}" in quotes if it is text' in exc.diagnostic.message
        assert exc.diagnostic.location is not None
        assert (exc.diagnostic.location.line, exc.diagnostic.location.column) == (1, 4)
        return
    assert isinstance(value, str), (written, value)  # kept as the text written
    assert value == written


_PIECES = st.sampled_from(["0", "1", "5", "7", "9", "0", "_", ":", ".", "-", "+", "0x", "0b",
                           "0o", "a", "e+", "E-"])


@given(st.lists(_PIECES, min_size=1, max_size=8).map("".join))
def test_anything_that_loads_as_a_number_was_written_as_that_number(written: str) -> None:
    try:
        value = read_value(written)
    except YamlFileError:
        return  # refused (or not YAML at all): never a wrong number
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if isinstance(value, int):
        assert PLAIN_INT.fullmatch(written), (written, value)
        assert value == int(written)
    else:
        assert PLAIN_FLOAT.fullmatch(written), (written, value)
        assert value == float(written)


def test_a_refused_number_is_the_only_error_of_its_file(rules_copy: Callable[..., Path]) -> None:
    """The rest of the file is read: no setting of settings.yaml goes missing, and the text
    kept in its place gives no second error there; what remains are the uses of the one
    setting that could not be read."""
    diags = load_errors(rules_copy, {SETTINGS: [(DUE_SOON_VALUE,
                                                 "    type: integer\n    value: 056\n")]})
    assert [d.code for d in diags if d.location and d.location.file.endswith(SETTINGS)] == [
        "SR102"]
    assert len(diags) <= 3 and all(DUE_SOON in d.message for d in diags if d.code == "SR116")
