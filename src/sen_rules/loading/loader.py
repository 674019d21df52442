"""Load a rules directory into a checked, immutable :class:`Rulebase`.

Loading reads every file the rulebase manifest names, checks its structure, verifies each
quote against the clause it cites, type-checks every condition against the case model,
and collects *all* problems before failing, so a policy author sees the whole list at
once, each with ``file:line:col`` and what was expected. The work is done by the stages
of :mod:`.pipeline`; this module is the entry point.
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import codes
from ..dates import CONVENTION_SETTINGS
from ..errors import Diagnostic, RulebaseError, SourceLocation
from ..rulebase import Rulebase
from .files import MAX_FILES, display_path
from .pipeline import STAGES, compile_rulebase
from .stages.crosschecks import MAX_RULES
from .stages.manifest import MANIFEST
from .stages.ranking import CONFLICT_POLICIES

__all__ = [
    "CONFLICT_POLICIES",
    "CONVENTION_SETTINGS",
    "MANIFEST",
    "MAX_FILES",
    "MAX_RULES",
    "STAGES",
    "bundled_rules_dir",
    "display_path",
    "load_rulebase",
]


def bundled_rules_dir() -> Path:
    """The rules shipped with the package (or the repository's ``rules/`` when developing)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "bundled_rules"
    if (packaged / MANIFEST).is_file():
        return packaged
    return here.parent.parent / "rules"


def load_rulebase(directory: str | os.PathLike[str] | None = None) -> Rulebase:
    """Load and check a rules directory (the bundled rules when ``directory`` is None).

    Raises :class:`~sen_rules.errors.RulebaseError` listing every problem found.
    """
    path = Path(directory) if directory is not None else bundled_rules_dir()
    if not (path / MANIFEST).is_file():
        raise RulebaseError([Diagnostic(codes.SR101, f"{path} has no {MANIFEST}: not a rules "
                                        "directory", SourceLocation(str(path)))])
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise RulebaseError([Diagnostic(codes.SR101, f"cannot read {path}: {exc}",
                                        SourceLocation(str(path)))]) from None
    return compile_rulebase(resolved)
