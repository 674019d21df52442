"""The decision log on SQLite and PostgreSQL: whole records, filters, migrations,
re-verification, and the auditors' command line."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text, update

import sen_rules
from conftest import example, postgres_url
from sen_rules.cli import main
from sen_rules.decision_log.database import open_engine
from sen_rules.decision_log.reverify import (
    ALTERED,
    CHANGED_DIFFERS,
    CHANGED_SAME,
    HOLDS,
    reverify,
)
from sen_rules.decision_log.schema import LATEST, SchemaError, decisions
from sen_rules.decision_log.store import DecisionLog, Filters, IntegrityError

AS_OF = "2026-11-28"
NAMES = ("school-action", "complex-needs-referral", "placement-candidates",
         "resource-decision-delegated")


def _fresh_postgres(url: str) -> str:
    engine = open_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS decision_outcomes, decisions, "
                          "sen_rules_schema, sen_rules_lock"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DecisionLog]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'log.db'}"
    else:
        found = postgres_url()
        assert found is not None
        url = _fresh_postgres(found)
    opened = DecisionLog(url)
    yield opened
    opened.close()


def records() -> list[dict[str, object]]:
    """Records of example cases; the last one at funding Level 3, which the Level 4
    rules (``level_4_rules``) no longer send to the Complex Needs Panel for its funding."""
    level_3 = example("complex-needs-referral").replace('"funding_level": 4',
                                                        '"funding_level": 3')
    return [sen_rules.make_record(text, as_of=AS_OF)
            for text in [*(example(name) for name in NAMES), level_3]]


def test_stored_records_come_back_byte_for_byte(log: DecisionLog) -> None:
    made = records()
    stored = [log.store(r) for r in made]
    assert log.count() == len(made)
    for summary, record in zip(stored, made, strict=True):
        found = log.get(summary.id)
        assert found is not None
        assert found[1] == sen_rules.record_to_json(record)
        assert found[0].outcomes == {d["topic"]: d["outcome"]
                                     for d in record["evaluation"]["decisions"]}  # type: ignore[index]
    assert [i for i, _ in log.records()] == [s.id for s in stored]


def test_filters(log: DecisionLog) -> None:
    stored = [log.store(r) for r in records()]
    today = date.today()
    assert log.count(Filters(recorded_from=today, recorded_until=today)) == len(stored)
    assert log.count(Filters(recorded_until=date(2000, 1, 1))) == 0
    assert log.count(Filters(case_id=stored[0].case_id)) == 1
    assert log.count(Filters(case_id=stored[1].case_id)) == 2
    assert log.count(Filters(area="sen_stage", outcome="school_action")) >= 1
    assert log.count(Filters(area="sen_stage", outcome="nothing")) == 0
    version = sen_rules.bundled_rulebase().version
    assert log.count(Filters(rulebase_version=version, as_of_from=date(2026, 11, 28),
                             as_of_until=date(2026, 11, 28))) == len(stored)
    newest = log.summaries(limit=2)
    assert [s.seq for s in newest] == sorted((s.seq for s in stored), reverse=True)[:2]
    assert log.summaries(limit=2, before=newest[-1].seq)[0].seq < newest[-1].seq


def test_migrations_run_once_and_a_newer_schema_is_refused(log: DecisionLog) -> None:
    url = log.engine.url.render_as_string(hide_password=False)
    again = DecisionLog(url)  # opening again applies nothing and keeps the data
    log.store(records()[0])
    assert again.count() == 1
    with log.engine.begin() as conn:
        versions = conn.execute(text("SELECT version FROM sen_rules_schema")).scalars().all()
        assert versions == [LATEST]
        conn.execute(text("INSERT INTO sen_rules_schema (version, description, applied_at) "
                          "VALUES (:v, 'from the future', CURRENT_TIMESTAMP)"),
                     {"v": LATEST + 1})
    try:
        with pytest.raises(SchemaError, match="newer than this version"):
            DecisionLog(url)
    finally:
        with log.engine.begin() as conn:
            conn.execute(text("DELETE FROM sen_rules_schema WHERE version > :v"),
                         {"v": LATEST})
        again.close()


def test_a_damaged_row_is_detected(log: DecisionLog) -> None:
    summary = log.store(records()[0])
    forged = zlib.compress(b'{"forged": true}')
    with log.engine.begin() as conn:
        conn.execute(update(decisions).where(decisions.c.id == summary.id)
                     .values(record=forged))
    with pytest.raises(IntegrityError, match="does not match"):
        log.get(summary.id)
    answer = reverify(log, sen_rules.bundled_rulebase(), workers=1)
    assert answer.counts[ALTERED] == 1 and answer.differing[0]["id"] == summary.id


def test_reverify_finds_the_decisions_another_rulebase_changes(
        log: DecisionLog, level_4_rules: Path) -> None:
    for r in records():
        log.store(r)
    same = reverify(log, sen_rules.bundled_rulebase(), workers=1)
    assert same.counts[HOLDS] == len(NAMES) + 1 and not same.differing
    workers = 2 if log.dialect == "sqlite" else 1  # the parallel path once is enough
    answer = reverify(log, sen_rules.load_rulebase(level_4_rules), workers=workers,
                      chunk_size=1)
    assert answer.total == len(NAMES) + 1
    assert answer.counts[CHANGED_DIFFERS] >= 1
    assert answer.counts[CHANGED_DIFFERS] + answer.counts[CHANGED_SAME] == len(NAMES) + 1
    changed = answer.differing[0]
    assert changed["status"] == CHANGED_DIFFERS and changed["changes"]
    assert any("complex_needs_panel" in c for d in answer.differing for c in d["changes"])


def test_the_auditors_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   level_4_rules: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    log = DecisionLog(url)
    stored = [log.store(r) for r in records()]
    log.close()
    capsys.readouterr()
    assert main(["log", "list", "--log", url, "--area", "sen_stage"]) == 0
    out = capsys.readouterr().out
    assert stored[0].id in out and "decision(s) shown" in out
    assert main(["log", "list", "--log", url, "--format", "json", "--case-id",
                 stored[2].case_id]) == 0
    assert [d["id"] for d in json.loads(capsys.readouterr().out)] == [stored[2].id]
    assert main(["log", "show", stored[0].id, "--log", url, "--format", "html"]) == 0
    assert "<html" in capsys.readouterr().out
    assert main(["log", "show", stored[0].id, "--log", url]) == 0
    assert stored[0].case_id in capsys.readouterr().out
    assert main(["log", "show", stored[0].id, "--log", url, "--rules",
                 str(level_4_rules)]) == 0
    assert "another rulebase serves now" in capsys.readouterr().out
    export = tmp_path / "out.jsonl"
    assert main(["log", "export", "--log", url, "--out", str(export)]) == 0
    lines = export.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(NAMES) + 1
    assert all(sen_rules.verify_record(line).holds for line in lines)
    assert main(["log", "reverify", "--log", url, "--workers", "1"]) == 0
    assert "holds" in capsys.readouterr().out
    assert main(["log", "reverify", "--log", url, "--workers", "1", "--rules",
                 str(level_4_rules), "--format", "json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["counts"]["rulebase-changed-differs"] >= 1
    assert main(["log", "show", "nope", "--log", url]) == 2
    assert "no decision nope" in capsys.readouterr().err
    assert main(["log", "list", "--log", str(tmp_path / "missing.db")]) == 2
