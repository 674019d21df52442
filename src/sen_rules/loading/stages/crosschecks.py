"""Stage "cross-checks": what can only be checked once everything is built: every register
id a rule or setting names is an entry of the register, the rulebase is within its size,
and each fixed fact the manifest names is a field of the case."""

from __future__ import annotations

from ... import codes
from ...errors import SourceLocation
from ..compilation import Compilation
from ..expressions import case_path_type
from ..files import display_path
from .manifest import MANIFEST

MAX_RULES = 2000


def check_register_refs(c: Compilation) -> None:
    for rid, loc in c.register_refs:
        if rid not in c.register_ids:
            c.error(codes.SR127, f"{rid!r} is not an entry of the ambiguity register", loc)


def check_size(c: Compilation) -> None:
    if sum(len(a.rules) for a in c.areas) > MAX_RULES:
        c.error(codes.SR101, f"the rulebase has more than {MAX_RULES} rules",
                SourceLocation(display_path(c.dir / MANIFEST)))


def check_fixed_facts(c: Compilation) -> None:
    for i, path in enumerate(c.manifest.fixed_facts):
        if case_path_type(c, path) is None:
            c.error(codes.SR111, f"fixed fact {path!r} is not a field of the case",
                    c.mdoc.where(("fixed_facts", i)))
