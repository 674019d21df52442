"""Stage "sources": each source's verbatim text, cut into paragraphs, and its clause index
(every paragraph has one clause id, each clause names one paragraph, the text's sha256 is
the one the index expects). Every citation of the later stages is checked against these."""

from __future__ import annotations

from ... import codes
from ...errors import SourceLocation
from ...sources import Block, Clause, Source, fold, segment, sha256_text
from .. import schema
from ..compilation import Compilation
from ..files import display_path, read
from ..yamlfile import YamlDocument, read_rule_text


def load_sources(c: Compilation) -> None:
    for i, rel in enumerate(c.manifest.sources):
        load_source(c, rel, c.mdoc.where(("sources", i)))


def load_source(c: Compilation, relative: str, at: SourceLocation) -> None:
    index, doc = read(c, relative, schema.SourceIndexFile, "source index", at)
    if index is None or doc is None:
        return
    text_path = (c.dir / relative).parent / index.file
    try:
        text = read_rule_text(text_path)
    except (OSError, UnicodeDecodeError) as exc:
        c.error(codes.SR101, f"cannot read source text {index.file!r}: {exc}", doc.where(("file",)))
        return
    digest = sha256_text(text)
    if index.sha256 and index.sha256 != digest:
        c.error(codes.SR124, f"the text of {index.file!r} has changed: its sha256 is {digest}, "
                f"the index expects {index.sha256}; check the clause index, then update "
                "the sha256", doc.where(("sha256",)))
    clauses = index_clauses(c, index, doc, segment(text, index.segmentation))
    if index.source in c.sources:
        c.error(codes.SR105, f"source id {index.source!r} is used twice", doc.where(("source",)))
        return
    ordered = dict(sorted(clauses.items(), key=lambda kv: kv[1].line))
    c.sources[index.source] = Source(index.source, index.title, display_path(text_path),
                                     text, digest, index.reference, ordered)


def index_clauses(c: Compilation, index: schema.SourceIndexFile, doc: YamlDocument,
                  blocks: list[Block]) -> dict[str, Clause]:
    """The clauses of a text by id: each entry names the one paragraph it starts."""
    claimed: dict[int, str] = {}
    clauses: dict[str, Clause] = {}
    folded = [(fold(b.text), b) for b in blocks]  # once, not once per entry
    for i, entry in enumerate(index.clauses):
        loc = doc.where(("clauses", i))
        if entry.id in clauses:
            c.error(codes.SR105, f"clause id {entry.id!r} is used twice", loc)
            continue
        prefix = fold(entry.starts)
        matches = [b for text, b in folded if text.startswith(prefix)]
        if not matches:
            c.error(codes.SR125, f"clause {entry.id!r}: no paragraph of {index.file} starts "
                    f"with {entry.starts!r}", doc.where(("clauses", i, "starts")))
            continue
        if len(matches) > 1:
            lines = ", ".join(str(b.line) for b in matches)
            c.error(codes.SR125, f"clause {entry.id!r}: {len(matches)} paragraphs start with "
                    f"{entry.starts!r} (lines {lines}); quote more of the opening words",
                    doc.where(("clauses", i, "starts")))
            continue
        block = matches[0]
        if block.line in claimed:
            c.error(codes.SR125, f"clause {entry.id!r} names the same paragraph as clause "
                    f"{claimed[block.line]!r}", loc)
            continue
        claimed[block.line] = entry.id
        clauses[entry.id] = Clause(entry.id, entry.kind, block.text, block.line,
                                   block.end_line, entry.normative,
                                   entry.title or fold(block.text)[:80])
    for block in blocks:
        if block.line not in claimed:
            c.error(codes.SR126, f"{index.file} line {block.line} ({fold(block.text)[:50]!r}) "
                    "has no clause id: add it to the clause index", doc.where(("clauses",)))
    return clauses
