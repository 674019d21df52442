"""Stage "register": the ambiguity register, each entry once, naming settings and clauses
that exist (the readings the policy leaves open, and the setting that chooses one)."""

from __future__ import annotations

from ... import codes
from ...rulebase import RegisterEntry
from ...suggest import did_you_mean
from .. import schema
from ..compilation import Compilation
from ..files import read


def load_register(c: Compilation) -> None:
    if not c.manifest.register_file:
        return
    parsed, doc = read(c, c.manifest.register_file, schema.RegisterFile,
                       "ambiguity register", c.mdoc.where(("register",)))
    if parsed is None or doc is None:
        return
    out = []
    for i, item in enumerate(parsed.entries):
        loc = doc.where(("entries", i))
        if item.id in c.register_ids:
            c.error(codes.SR105, f"register entry {item.id!r} is listed twice", loc)
            continue
        c.register_ids.add(item.id)
        for name in item.settings:
            if name not in c.settings:
                c.error(codes.SR116, f"register entry {item.id!r} names unknown setting "
                        f"{name!r}" + did_you_mean(name, list(c.settings)), loc)
        for cl in item.clauses:
            src = c.sources.get(cl.source)
            if src is None or src.clause(cl.clause) is None:
                c.error(codes.SR121, f"register entry {item.id!r} names unknown clause "
                        f"{cl.source}/{cl.clause}", loc)
        out.append(RegisterEntry(item.id, item.title, item.question, tuple(item.readings),
                                 item.chosen, item.why, tuple(item.settings),
                                 tuple((cl.source, cl.clause) for cl in item.clauses),
                                 item.not_implemented, loc))
    c.register = tuple(out)
