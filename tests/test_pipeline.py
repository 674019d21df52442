"""The compiler's stages: listed once, in the order the architecture guide gives, each
reading what the earlier ones built and adding to one list of diagnostics."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import sen_rules
from sen_rules import RulebaseError
from sen_rules.loading import pipeline
from sen_rules.loading.compilation import Compilation
from sen_rules.loading.loader import bundled_rules_dir

ARCHITECTURE = Path(__file__).resolve().parent.parent / "docs" / "ARCHITECTURE.md"


def stage_names() -> list[str]:
    return [stage.name for stage in pipeline.STAGES]


def test_the_stages_are_named_once() -> None:
    assert len(set(stage_names())) == len(stage_names())


def test_the_architecture_guide_lists_the_stages_in_order() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = text[text.index("pipeline.STAGES, in order"):text.index("every stage appends")]
    flow = " ".join(line.strip(" │") for line in block.splitlines()[1:])
    documented = [re.sub(r"\s*\(.*?\)", "", step).strip() for step in flow.split("→")]
    assert documented == stage_names()


def test_each_stage_builds_on_the_earlier_ones() -> None:
    c = Compilation(bundled_rules_dir().resolve())
    names = stage_names()
    for stage in pipeline.STAGES[:names.index("settings") + 1]:
        stage.run(c)
    assert c.sources and c.settings and c.setting_types
    assert not c.pending_defs and not c.areas  # not yet: later stages
    for stage in pipeline.STAGES[names.index("settings") + 1:names.index("areas")]:
        stage.run(c)
    assert c.pending_defs and c.definitions and not c.areas
    for stage in pipeline.STAGES[names.index("areas"):]:
        stage.run(c)
    assert not c.failed()
    assert pipeline.result(c).sha256 == sen_rules.bundled_rulebase().sha256


def test_a_new_stage_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def count_areas(c: Compilation) -> None:
        c.error("SR135", f"{len(c.areas)} areas were built", None, "warning")

    monkeypatch.setattr(pipeline, "STAGES",
                        pipeline.STAGES + (pipeline.Stage("count", count_areas),))
    rulebase = sen_rules.load_rulebase()
    assert rulebase.warnings[-1].message == f"{len(rulebase.areas)} areas were built"


def test_diagnostics_come_in_stage_order(rules_copy: Callable[..., Path]) -> None:
    # a shared definition is compiled (stage "definitions compiled") after every area file
    # is read (stage "area files"), though its file comes first in the manifest
    rules = rules_copy({
        "definitions.yaml": [("means: statement is known", "means: statement is knwn")],
        "areas/annual-review.yaml": [("  - name: statement_ceased\n",
                                      "  - name: statement_ceased\n    colour: red\n")],
    })
    with pytest.raises(RulebaseError) as info:
        sen_rules.load_rulebase(rules)
    codes = [d.code for d in info.value.diagnostics]
    assert codes.index("SR102") < codes.index("SR110"), codes
