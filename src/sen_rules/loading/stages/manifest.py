"""Stage "manifest": read ``rulebase.yaml``, which names every other file. Without it
there is nothing to compile, so its absence stops the compilation at once."""

from __future__ import annotations

from ... import codes
from ...errors import Diagnostic, RulebaseError, SourceLocation
from .. import schema
from ..compilation import Compilation
from ..files import display_path, read

MANIFEST = "rulebase.yaml"


def read_manifest(c: Compilation) -> None:
    manifest_loc = SourceLocation(display_path(c.dir / MANIFEST))
    manifest, mdoc = read(c, MANIFEST, schema.RulebaseFile, "rulebase manifest", manifest_loc)
    if manifest is None or mdoc is None:
        raise RulebaseError(c.diags or [Diagnostic(codes.SR101, "no rulebase manifest",
                                                   manifest_loc)])
    c.manifest_file, c.manifest_doc = manifest, mdoc
