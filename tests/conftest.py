"""Shared fixtures: the bundled rulebase, paths, and a helper to write small rules dirs."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import sen_rules
from sen_rules.engine import durable
from sen_rules.errors import BackendUnavailableError
from sen_rules.rulebase import Rulebase

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples"


# Where durable-rules cannot be installed (Python 3.13 and later, or no C compiler), the
# tests of the durable backend are skipped, not failed: a test marked ``durable`` or
# parametrized with the durable backend is skipped before it runs, and any other test that
# reaches the durable backend (BackendUnavailableError) is reported as skipped.
DURABLE_MISSING = "durable-rules is not installed here (pip install '.[durable]'; Python < 3.13)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if durable.available():
        return
    for item in items:
        callspec = getattr(item, "callspec", None)
        if item.get_closest_marker("durable") is not None or (
                callspec is not None and "durable" in callspec.params.values()):
            item.add_marker(pytest.mark.skip(reason=DURABLE_MISSING))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if (call.excinfo is not None and call.excinfo.errisinstance(BackendUnavailableError)
            and not durable.available()):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {DURABLE_MISSING}")


@pytest.fixture(scope="session")
def rulebase() -> Rulebase:
    return sen_rules.bundled_rulebase()


@pytest.fixture
def rules_copy(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the bundled rules in a temporary folder, with text replacements applied.

    ``rules_copy({"areas/sen-stage.yaml": [("old", "new")]})``
    """

    def make(edits: dict[str, list[tuple[str, str]]] | None = None) -> Path:
        target = tmp_path / "rules"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(RULES, target)
        for rel, replacements in (edits or {}).items():
            path = target / rel
            text = path.read_text(encoding="utf-8")
            for old, new in replacements:
                assert old in text, f"{old!r} not in {rel}"
                text = text.replace(old, new, 1)
            path.write_text(text, encoding="utf-8")
        return target

    return make


@pytest.fixture
def level_4_rules(tmp_path: Path) -> Path:
    """A copy of the bundled rules with the Complex Needs Panel threshold at Level 4."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    settings = target / "settings.yaml"
    text, n = re.subn(r"(- name: complex_needs_funding_level\n(?:    .*\n)*?    value: )3\n",
                      r"\g<1>4\n", settings.read_text(encoding="utf-8"))
    assert n == 1
    settings.write_text(text, encoding="utf-8")
    return target
