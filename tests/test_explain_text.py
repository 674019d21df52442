"""The explanation a case officer reads: short by default, the full trace on request,
negations worded as a person would, no internal numbers, no tick on an overridden rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from sen_rules.cli import main
from sen_rules.explain import explain
from sen_rules.language.printer import negate

CASES = Path(__file__).resolve().parent.parent / "examples" / "cases"
EXAMPLE = CASES / "school-referral-without-action.json"


@pytest.fixture(scope="module")
def texts() -> tuple[str, str]:
    x = explain(EXAMPLE.read_text(encoding="utf-8"), as_of="2006-06-01")
    return x.to_text(), x.to_text(full=True)


def test_the_default_is_short_and_says_what_decided_what_failed_and_what_would_change(
        texts: tuple[str, str]) -> None:
    short, full = texts
    assert len(short.splitlines()) < 100 < len(full.splitlines())
    assert "Statutory assessment panel: Pre Assessment Panel" in short
    assert "decided by routing.school-or-parent" in short
    assert "did not apply (each would have given another outcome):" in short
    assert "routing.notification (Early Years Panel):" in short
    assert 'assessment request › route is "school"' in short
    assert "what would change it:" in short and "With assessment request › route" in short
    assert "Not in play for this case:" in short and "--full" in short


def test_negations_read_as_a_person_would_say_them(texts: tuple[str, str]) -> None:
    short, full = texts
    for text in texts:
        assert "it is not the case that" not in text
    assert ("“The Early Years names of the thresholds apply (an early years setting, or a "
            "child of pre-school age)” does not hold" in short)
    assert "not both school action on record and school action plus on record" in full


@pytest.mark.parametrize(("sentence", "negated"), [
    ("The child is in a pre-school (Early Years) setting",
     "the child is not in a pre-school (Early Years) setting"),
    ("The authority maintains a Statement of SEN for the child",
     "the authority does not maintain a Statement of SEN for the child"),
    ("The current support includes advice sought from an external agency",
     "the current support does not include advice sought from an external agency"),
    ("School Action (support from the school's own resources) is on record before the request",
     "School Action (support from the school's own resources) is not on record before the "
     "request"),
    ("The child had reached compulsory school age on the date of the request",
     "the child had not reached compulsory school age on the date of the request"),
    ("A request has been made and its outcome is not yet known", None),  # not simple
])
def test_negate(sentence: str, negated: str | None) -> None:
    assert negate(sentence) == negated


def test_the_full_trace_has_no_internal_numbers_and_no_tick_on_an_overridden_rule(
        texts: tuple[str, str]) -> None:
    _, full = texts
    assert "priority" not in full
    assert "○ stage.action.school" in full and "✓ stage.action.school" not in full
    assert "✓ stage.assessment-pending.school" in full


def test_the_command_gives_the_summary_and_the_full_trace_on_request(
        capsys: pytest.CaptureFixture[str], texts: tuple[str, str]) -> None:
    assert main(["explain", str(EXAMPLE), "--as-of", "2006-06-01"]) == 0
    assert capsys.readouterr().out == texts[0]
    assert main(["explain", str(EXAMPLE), "--as-of", "2006-06-01", "--full"]) == 0
    assert capsys.readouterr().out == texts[1]
