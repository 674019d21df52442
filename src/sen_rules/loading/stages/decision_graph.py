"""Stages "uses" and "uses read": the decision graph of the areas. Each ``uses`` names a
known area, once, not itself, and the areas form no circle (checked before any condition
is compiled, since conditions read the decisions of the areas used); once the areas are
built, a declared ``uses`` that nothing in the area reads is a warning (SR135). What each
``decisions.X.Y`` may read is typed in :mod:`..expressions` and checked by
:mod:`sen_rules.language.checker`."""

from __future__ import annotations

from ... import codes
from ...decision_graph import find_cycle
from ...suggest import did_you_mean
from ..compilation import Compilation


def check_uses(c: Compilation) -> None:
    """Each ``uses`` names a known area, once, not itself; the areas form no circle."""
    for aid, (parsed, doc) in c.area_files.items():
        for i, used in enumerate(parsed.uses):
            loc = doc.where(("uses", i))
            if used not in c.area_files:
                c.error(codes.SR130, f"area {aid!r} uses unknown area {used!r}"
                        + did_you_mean(used, list(c.area_files)), loc)
            elif used == aid:
                c.error(codes.SR134, f"area {aid!r} cannot use its own decision", loc)
            elif parsed.uses.index(used) != i:
                c.error(codes.SR105, f"area {aid!r} lists {used!r} twice in 'uses'", loc)
    uses = {aid: [u for u in p.uses if u != aid] for aid, (p, _) in c.area_files.items()}
    cycle = find_cycle(list(c.area_files), uses)
    if cycle is not None:
        parsed, doc = c.area_files[cycle[0]]
        where = doc.where(("uses", parsed.uses.index(cycle[1])))
        c.error(codes.SR134, "areas use each other's decisions in a circle: "
                + " -> ".join(cycle) + "; none of them could be decided first", where)


def check_uses_read(c: Compilation) -> None:
    """A declared ``uses`` that nothing in the area reads is a warning (SR135)."""
    for aid, (parsed, doc) in c.area_files.items():
        for i, used in enumerate(parsed.uses):
            if used in c.area_files and used != aid and (aid, used) not in c.decision_reads:
                c.error(codes.SR135, f"area {aid!r} declares that it uses the decision of "
                        f"{used!r} but nothing in it reads decisions.{used}",
                        doc.where(("uses", i)), "warning")
