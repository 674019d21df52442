"""Case text shown to a person, with control characters made visible.

A case is data from elsewhere: a placement name or a dispute's summary may hold ANSI escape
sequences (``ESC [ 2 J`` clears a terminal), other control characters, or bidirectional
overrides that make text read differently from what it is. Text output shows each such
character as an escape (``\\x1b``, ``\\u202e``) instead. JSON output needs none of this:
its strings are quoted and a reader decodes them.
"""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional controls
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069\u2028\u2029]")


_SEPARATORS = " \\"  # printable, but they would let one log field read as several


def escape(char: str) -> str:
    """One character as its escape: ``\\x1b``, ``\\u202e``, ``\\U0001f600``."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _visible(match: re.Match[str]) -> str:
    return escape(match.group(0))


def neutralise(text: str) -> str:
    """``text`` with every control character shown as an escape (tab and newline kept)."""
    return _UNSAFE.sub(_visible, text)


def one_field(value: object) -> str:
    """``value`` as one field of one log line: every character that is not printable (line
    breaks, ESC, NUL, bidirectional controls, half a surrogate pair), and every space and
    backslash, shown as its escape, so a request cannot write a line into a log."""
    text = str(value)
    if text.isprintable() and not any(char in text for char in _SEPARATORS):
        return text
    return "".join(char if char.isprintable() and char not in _SEPARATORS else escape(char)
                   for char in text)
