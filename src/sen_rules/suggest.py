"""One way to say "did you mean": the closest known names to a name that is not known.

Every message about an unknown name (a field, a setting, a function, a policy area, an
outcome, a key of a rule file) ends the same way, so a reader learns one form.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, candidates: Iterable[str], most: int = 1) -> str:
    """``"; did you mean 'x'?"`` (or ``'x' or 'y'`` for ``most`` > 1), or ``""`` when no
    known name is close enough (difflib's ratio of at least 0.6)."""
    close = difflib.get_close_matches(name, list(candidates), n=most, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
