"""Citations: each names a source and a clause of it and quotes it word for word; and the
words outputs name a ranking check or criterion by, which must come from such a quote."""

from __future__ import annotations

from .. import codes
from ..rulebase import Citation
from ..sources import fold, quote_too_short, suggest_quote_fix
from ..suggest import did_you_mean
from . import schema
from .compilation import Compilation
from .yamlfile import Path as YPath
from .yamlfile import YamlDocument


def citations(c: Compilation, entries: list[schema.CitationEntry], doc: YamlDocument,
              path: YPath) -> tuple[Citation, ...]:
    """The checked citations (sources must be loaded); each bad one is reported, left out."""
    out: list[Citation] = []
    for i, entry in enumerate(entries):
        loc = doc.where(path + (i,))
        source = c.sources.get(entry.source)
        if source is None:
            c.error(codes.SR120, f"unknown source {entry.source!r}"
                    + did_you_mean(entry.source, list(c.sources)), loc)
            continue
        clause = source.clause(entry.clause)
        if clause is None:
            c.error(codes.SR121, f"source {entry.source!r} has no clause {entry.clause!r}"
                    + did_you_mean(entry.clause, list(source.clauses)),
                    doc.where(path + (i, "clause")))
            continue
        short = quote_too_short(entry.quote)
        if short is not None:
            c.error(codes.SR128, short, doc.where(path + (i, "quote")))
            continue
        if clause.contains_cut(entry.quote):
            c.error(codes.SR128, f"the quote {entry.quote!r} cuts a word of clause "
                    f"{entry.clause!r}: a citation starts and ends with whole words",
                    doc.where(path + (i, "quote")))
            continue
        if not clause.contains(entry.quote):
            elsewhere = [k.id for k in source.clauses.values() if k.contains(entry.quote)]
            hint = (f"; it is in clause {elsewhere[0]!r}" if elsewhere
                    else suggest_quote_fix(entry.quote, clause))
            c.error(codes.SR122, f"the quote {entry.quote!r} is not in clause {entry.clause!r} of "
                    f"{entry.source!r} word for word{hint}", doc.where(path + (i, "quote")))
            continue
        out.append(Citation(entry.source, entry.clause, fold(entry.quote), entry.reference))
    return tuple(out)


def check_words(c: Compilation, words: str | None, cites: list[schema.CitationEntry],
                doc: YamlDocument, path: YPath) -> None:
    """The words outputs name a check or criterion by are quoted from its citations."""
    if words is None:
        return
    if not any(fold(words) in fold(cite.quote) for cite in cites):
        c.error(codes.SR122, f"the words {fold(words)!r} are not part of any quote this "
                "item cites: name it by words quoted from the policy", doc.where(path))
