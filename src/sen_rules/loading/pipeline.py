"""The compilation of a rules directory into a :class:`Rulebase`: named stages, in order.

Each stage has one job and reads what the earlier stages built (see
:class:`.compilation.Compilation`); all of them add their problems to one list of located
diagnostics, so that a policy author sees every problem at once, in the order of the
files. The order matters: sources before any citation, settings and the definitions'
names before any condition, the decision graph before the conditions that read decisions.
A new stage is one line of ``STAGES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import RulebaseError
from ..rulebase import Rulebase
from .compilation import Compilation
from .stages import (
    areas,
    crosschecks,
    decision_graph,
    definitions,
    manifest,
    register,
    rules,
    settings,
    sources,
)


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[Compilation], None]


STAGES: tuple[Stage, ...] = (
    Stage("manifest", manifest.read_manifest),
    Stage("sources", sources.load_sources),              # texts, clause indexes
    Stage("settings", settings.load_settings),
    Stage("definitions", definitions.collect_shared),     # names only
    Stage("area files", areas.read_area_files),           # ids, the areas' own definitions
    Stage("uses", decision_graph.check_uses),             # the decision graph
    Stage("definitions compiled", definitions.resolve_all),
    Stage("areas", areas.build_areas),                    # rules, outcomes, ranking
    Stage("uses read", decision_graph.check_uses_read),
    Stage("rule versions", rules.check_datings),
    Stage("register", register.load_register),            # the ambiguity register
    Stage("register references", crosschecks.check_register_refs),
    Stage("size", crosschecks.check_size),
    Stage("fixed facts", crosschecks.check_fixed_facts),
)


def compile_rulebase(directory: Path) -> Rulebase:
    """Run every stage over a (resolved) rules directory; raise :class:`RulebaseError` with
    every diagnostic if any is an error, else give the rulebase (warnings kept on it)."""
    c = Compilation(directory)
    for stage in STAGES:
        stage.run(c)
    if c.failed():
        raise RulebaseError([d for d in c.diags if d.location is None
                             or c.refused.get(d.location, d) is d])
    return result(c)


def result(c: Compilation) -> Rulebase:
    """The immutable rulebase the stages built."""
    m = c.manifest
    defs = {d.name if d.area is None else f"{d.area}:{d.name}": d
            for d in c.definitions.values()}
    return Rulebase(
        name=m.name, version=m.version, title=m.title,
        description=m.description or "", directory=str(c.dir),
        sources=c.sources, settings=c.settings,
        definitions=dict(sorted(defs.items())), areas=c.areas, register=c.register,
        fixed_facts=tuple(m.fixed_facts),
        scenario_paths=tuple(m.scenarios), warnings=tuple(c.diags))
