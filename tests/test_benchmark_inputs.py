"""The inputs the benchmark scripts build are what they say (benchmarks/tools.py, growth.py)."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest

import sen_rules
from sen_rules.authoring.impact import changed_areas

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import explain_by_candidates  # noqa: E402
import tools  # noqa: E402


def test_the_level_4_copy_changes_the_panel_threshold_alone(tmp_path: Path) -> None:
    changed = sen_rules.load_rulebase(tools.level_4_rules(tmp_path))
    bundled = sen_rules.bundled_rulebase()
    assert changed.identity() != bundled.identity()
    setting = "complex_needs_funding_level"
    assert changed.settings[setting].value_on(date(2012, 2, 1)) == 4
    assert bundled.settings[setting].value_on(date(2012, 2, 1)) == 3
    assert "complex_needs_panel" in changed_areas(bundled, changed)
    assert len(changed_areas(bundled, changed)) < len(bundled.areas)


@pytest.mark.parametrize("n", [1, 2, 5, 50])
def test_the_candidates_case_is_valid_with_n_candidates(n: int) -> None:
    case = sen_rules.parse_case(explain_by_candidates.with_candidates(n))
    assert len(case.candidate_placements) == n


def test_the_memory_of_a_process_tree_counts_this_process() -> None:
    assert tools.tree_rss_mb(os.getpid()) > 10
