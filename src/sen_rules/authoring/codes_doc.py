"""The catalogue of error codes, rendered from the registry (:mod:`sen_rules.codes`).

``docs/errors.md`` is this module's output, so the catalogue cannot drift from the codes the
library raises; regenerate it with ``python -m sen_rules.authoring.codes_doc >
docs/errors.md``. ``sen-rules docs`` writes the same catalogue as ``errors.md`` and as the
"Error codes" page of its site.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Iterator

from markupsafe import Markup, escape

from ..codes import CODES, SECTIONS, Code, Section

REGENERATE = "python -m sen_rules.authoring.codes_doc > docs/errors.md"

HEADINGS: dict[Section, str] = {
    "rule files": "Rule files (`RulebaseError`, lint)",
    "lint": "Lint findings (`sen-rules lint`, when the rules load)",
    "scenarios": "Scenarios, corpora and generated cases",
    "cases": "Cases (`CaseError`)",
    "evaluation": "Evaluation (`EvaluationError`)",
    "backends": "Backends",
    "records": "Decision records (`RecordError`)",
    "batches": "Batches (`BatchError`)",
    "service": "The decision service (problem details, see {service})",
    "other": "Other",
}

INTRO = (
    "Every error sen-rules reports on purpose has a code `SRnnn`, a place (a field path in a "
    "case, `file:line:col` in a rule file) and a sentence. In Python the code is `error.code` "
    "of a `SenRulesError` (see {integrating}); on the command line it is printed after "
    "`error`, and with `--format json` it is `error.code`. A program finds the rest in "
    "`sen_rules.codes.CODES[error.code]`: its `.severity`, `.meaning` and `.action`, as in "
    "the table. Lint findings use the same codes "
    "with a severity (see {writing_rules}): the severity below is the usual one, and the "
    "meaning says when a finding is reported with another.")

GUIDES = {"integrating": "integrating.md", "writing_rules": "writing-rules.md",
          "service": "service.md"}


def sections() -> Iterator[tuple[Section, list[Code]]]:
    """The sections in catalogue order, each with its codes in the registry's order."""
    for section in SECTIONS:
        found = [code for code in CODES.values() if code.section == section]
        if found:
            yield section, found


def _paragraph(text: str) -> str:
    return textwrap.fill(text, width=92, break_on_hyphens=False, break_long_words=False)


def _guides(text: str, links: bool) -> str:
    names = {key: f"[{name}]({name})" if links else name for key, name in GUIDES.items()}
    return text.format(**names)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(repository: bool = True) -> str:
    """The catalogue in Markdown. The copy in the repository (docs/errors.md) links the guides
    it names and says how it is made; the copy ``sen-rules docs`` writes does neither."""
    out = ["# Error codes", ""]
    if repository:
        out += [_paragraph("This page is generated from the registry `src/sen_rules/codes.py`, "
                           "where each code is defined once. After changing a code there, "
                           "regenerate it (a test checks that it is up to date):"), "",
                "```sh", REGENERATE, "```", ""]
    out += [_paragraph(_guides(INTRO, repository)), ""]
    for section, found in sections():
        out += [f"## {_guides(HEADINGS[section], repository)}", "",
                "| code | severity | meaning | what to do |", "|---|---|---|---|"]
        out += [f"| {code} | {code.severity} | {_cell(code.meaning)} | {_cell(code.action)} |"
                for code in found]
        out.append("")
    return "\n".join(out)


def inline_html(text: str) -> Markup:
    """Text with Markdown's `code` spans as ``<code>``, everything else escaped."""
    parts = re.split(r"`([^`]*)`", text)
    return Markup("").join(escape(part) if i % 2 == 0 else Markup("<code>%s</code>") % part
                           for i, part in enumerate(parts))


def html_context() -> dict[str, object]:
    """What the "Error codes" page of the site needs (``templates/docs/errors.html.j2``)."""
    return {"code_sections": [(_guides(HEADINGS[s], False), found) for s, found in sections()],
            "code_intro": _guides(INTRO, False), "inline_html": inline_html}


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
