"""Source texts as data: verbatim policy text, cut into clauses with stable ids.

A source is a text file kept byte-for-byte as published, beside a clause index. The text
is cut into blocks (each heading, paragraph and bullet); the index names each block by an
id and by the words it starts with, so an id stays with its words when the text around it
is edited. A citation is checked by finding its quote, whitespace folded, inside the
clause it names.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ClauseKind = Literal["heading", "paragraph", "bullet", "numbered"]

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w")
MIN_QUOTE_WORDS = 3
"""A citation quotes at least this many words: fewer do not identify a clause."""
_MD_START = re.compile(r"^(#+ |[-*] |\d+\. )")


def whole_words_in(part: str, text: str) -> bool:
    """Whether ``part`` occurs in ``text`` starting and ending at word boundaries."""
    at = text.find(part)
    while at >= 0:
        end = at + len(part)
        cut_start = at > 0 and _WORD.match(text[at - 1]) and _WORD.match(part[0])
        cut_end = end < len(text) and _WORD.match(text[end]) and _WORD.match(part[-1])
        if not cut_start and not cut_end:
            return True
        at = text.find(part, at + 1)
    return False


def quote_too_short(quote: str) -> str | None:
    """Why a quote is too short to identify its clause, or None."""
    words = len(fold(quote).split())
    if words < MIN_QUOTE_WORDS:
        return (f"the quote {fold(quote)!r} has {words} word{'s' if words != 1 else ''}; a "
                f"citation quotes at least {MIN_QUOTE_WORDS} whole words of its clause")
    return None


def fold(text: str) -> str:
    """Whitespace folded: runs of spaces, tabs and newlines become one space; ends trimmed."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Block:
    """A run of the source text: one heading, paragraph or bullet."""

    text: str
    line: int  # 1-based first line in the source file
    end_line: int


@dataclass(frozen=True, slots=True)
class Clause:
    """An addressable part of a source."""

    id: str
    kind: ClauseKind
    text: str  # verbatim, as in the source
    line: int
    end_line: int
    normative: bool
    title: str

    @property
    def folded(self) -> str:
        return fold(self.text)

    def contains(self, quote: str) -> bool:
        """Whether ``quote`` (whitespace folded) is in the clause as whole words."""
        return bool(fold(quote)) and whole_words_in(fold(quote), self.folded)

    def contains_cut(self, quote: str) -> bool:
        """Whether ``quote`` is in the clause only by cutting a word (``ction Plu``)."""
        folded_quote = fold(quote)
        return bool(folded_quote) and folded_quote in self.folded and not self.contains(quote)


@dataclass(frozen=True, slots=True)
class Source:
    """A verbatim source text and its clause index."""

    id: str
    title: str
    file: str
    text: str
    sha256: str
    reference: str | None
    clauses: Mapping[str, Clause]

    def __repr__(self) -> str:
        return (f"Source({self.id}: {self.title!r}, sha256 {self.sha256[:12]}…, "
                f"{len(self.clauses)} clauses)")

    def clause(self, clause_id: str) -> Clause | None:
        return self.clauses.get(clause_id)



Segmentation = Literal["lines", "markdown"]


def segment(text: str, mode: Segmentation) -> list[Block]:
    """Cut a text into blocks.

    ``lines``: every non-blank line is a block (the policy text puts each paragraph and
    bullet on one line). ``markdown``: a block runs on until a blank line or the start of a
    heading or list item, so a wrapped paragraph or list item is one block.
    """
    blocks: list[Block] = []
    lines = text.splitlines()
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        blank = not line.strip()
        continuation = (mode == "markdown" and bool(current) and not blank
                        and not _MD_START.match(line))
        if continuation:
            current.append(line)
            continue
        if current:
            blocks.append(Block("\n".join(current), start, number - 1))
            current = []
        if not blank:
            current = [line]
            start = number
    if current:
        blocks.append(Block("\n".join(current), start, len(lines)))
    return blocks


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def suggest_quote_fix(quote: str, clause: Clause) -> str:
    """A hint when a quote is not verbatim: typographic quotes and apostrophes are common."""
    swaps = {"'": "\u2019", '"': "\u201c"}
    folded = clause.folded
    for plain, curly in swaps.items():
        if plain in quote and curly in folded:
            return f" (the source writes {curly!r} where the quote has {plain!r})"
    if fold(quote).lower() in folded.lower():
        return " (it differs only in capital letters)"
    return ""
