"""Indented JSON, as ``json.dumps(value, indent=2)`` writes it, from the compact text.

Python's C encoder writes no indentation: asked for ``indent``, the standard library falls
back to its encoder written in Python, which costs several times the compact writing (the
JSON of an explanation: about 6 ms against 1; of an evaluation, 0.7 ms against 0.07 from
its kept parts). Every indented answer of sen-rules (the CLI's and the service's) is written
compact and indented here instead: the text is split at its quotes (C speed), and each run
of structure between two strings (``":"``, ``","``, ``"},{"``, ``":12,"``) is rewritten for
its depth once and kept. The text is byte for byte what
``json.dumps(value, indent=2, separators=(",", ": "))`` writes; tests/test_jsonwrite.py
checks it on arbitrary values.
"""

from __future__ import annotations

from functools import lru_cache

_CLOSE = {"{": "}", "[": "]"}
# an escaped backslash, then an escaped quote, each replaced by a control character for the
# split: the encoder writes every control character as an escape, so neither is in the text
_ASIDE = (("\\\\", "\x01"), ('\\"', "\x00"))


def indented(compact: str) -> str:
    """The JSON text ``compact`` (no whitespace outside strings, as the encoder writes it
    with ``separators=(",", ":")``) indented by two spaces a level."""
    escaped = "\\" in compact
    if escaped:  # quotes inside strings stand aside (see _ASIDE) so that every quote left
        for text, mark in _ASIDE:  # opens or closes a string
            compact = compact.replace(text, mark)
    parts = compact.split('"')  # structure, string, structure, ..., structure
    depth = 0
    run = _run
    for i in range(0, len(parts), 2):
        structure = parts[i]
        if structure == ":":  # after every key: the commonest run, the same at any depth
            parts[i] = ": "
        elif structure:
            parts[i], depth = run(structure, depth)
    out = '"'.join(parts)
    if escaped:
        for text, mark in reversed(_ASIDE):
            out = out.replace(mark, text)
    return out


@lru_cache(maxsize=4096)
def _run(structure: str, depth: int) -> tuple[str, int]:
    """A run of structure (and numbers, ``true``, ``false``, ``null``) between two strings,
    indented from ``depth``, and the depth after it."""
    out: list[str] = []
    i, n = 0, len(structure)
    while i < n:
        c = structure[i]
        if c in _CLOSE:
            if i + 1 < n and structure[i + 1] == _CLOSE[c]:  # empty: ``[]`` and ``{}``
                out.append(c + _CLOSE[c])
                i += 2
                continue
            depth += 1
            out.append(c + "\n" + "  " * depth)
        elif c in "}]":
            depth -= 1
            out.append("\n" + "  " * depth + c)
        elif c == ",":
            out.append(",\n" + "  " * depth)
        elif c == ":":
            out.append(": ")
        else:
            out.append(c)
        i += 1
    return "".join(out), depth
