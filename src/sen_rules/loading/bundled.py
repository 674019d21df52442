"""The rulebase shipped with the package, loaded once per process.

Here rather than in the package top so that the audit and explanation modules, which the
top imports, can fall back on it without importing the top.
"""

from __future__ import annotations

import threading

from ..rulebase import Rulebase
from .loader import load_rulebase

_bundled: Rulebase | None = None
_bundled_lock = threading.Lock()


def bundled_rulebase() -> Rulebase:
    """The rulebase shipped with the package, loaded once per process."""
    global _bundled
    if _bundled is None:
        with _bundled_lock:
            if _bundled is None:
                _bundled = load_rulebase()
    return _bundled
