"""Reading the rule files a manifest names: inside the rules directory, within the limits,
as YAML with positions, checked against the shape of their kind (:mod:`.schema`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from .. import codes
from ..errors import SourceLocation
from . import schema
from .compilation import Compilation
from .yamlfile import Path as YPath
from .yamlfile import YamlDocument, YamlFileError, read_rule_text, read_yaml

M = TypeVar("M", bound=BaseModel)

MAX_FILES = 200


def read(c: Compilation, relative: str, model: type[M], what: str,
         at: SourceLocation | None = None) -> tuple[M | None, YamlDocument | None]:
    """A rule file of the directory and its checked structure (None, None: reported)."""
    c.file_count += 1
    if c.file_count > MAX_FILES:
        c.error(codes.SR101, f"the rulebase names more than {MAX_FILES} files", at)
        return None, None
    try:
        path = (c.dir / relative).resolve()
        inside = _inside(path, c.dir.resolve())
    except (OSError, RuntimeError) as exc:  # a symlink loop, for one
        c.error(codes.SR101, f"cannot read {what} file {relative!r}: {exc}", at)
        return None, None
    if not inside:
        c.error(codes.SR101, f"{relative!r} is outside the rules directory", at)
        return None, None
    display = display_path(path)
    try:
        text = read_rule_text(path)
    except FileNotFoundError:
        c.error(codes.SR101, f"{what} file {relative!r} does not exist", at)
        return None, None
    except (OSError, UnicodeDecodeError) as exc:
        c.error(codes.SR101, f"cannot read {what} file {relative!r}: {exc}", at)
        return None, None
    try:
        doc = read_yaml(text, display)
    except YamlFileError as exc:
        c.diags.append(exc.diagnostic)
        return None, None
    c.diags.extend(doc.refused)
    c.refused.update((d.location, d) for d in doc.refused if d.location is not None)
    if not isinstance(doc.data, dict):
        c.error(codes.SR102, f"a {what} file must be a block of 'key: value' lines",
                SourceLocation(display, 1, 1))
        return None, None
    parsed, diags = schema.structure_errors(doc, model, what)
    c.diags.extend(diags)
    return parsed, doc  # type: ignore[return-value]


def items(c: Compilation, doc: YamlDocument, path: YPath, raw: list[Any],
          model: type[M], what: str) -> list[M]:
    """Check each item of a list on its own, so one bad rule does not hide the others.

    Items that fail are reported and left out; ``c.item_paths`` keeps where each kept
    item is in its file.
    """
    kept: list[M] = []
    for i in range(len(raw)):
        parsed, diags = schema.structure_errors(doc, model, what, path + (i,))
        c.diags.extend(diags)
        if parsed is not None:
            kept.append(parsed)  # type: ignore[arg-type]
            c.item_paths[id(parsed)] = path + (i,)
    return kept


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def display_path(path: Path) -> str:
    """How a file is named in messages: relative to the working directory if inside it."""
    try:
        relative = os.path.relpath(path, Path.cwd())
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative
