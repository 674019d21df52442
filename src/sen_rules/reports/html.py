"""The decision report as one self-contained HTML file (template ``report.html.j2``).

Inline CSS only: no script, no font, no image, no link to fetch, so the file reads the
same offline, years later. It reads well on screen and in print (``@media print``: A4
margins, no page break inside a quoted clause, marked quotes printed in colour or
underlined). The same explanation always gives the same bytes (no clock). Every value is
escaped by the template engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..explain.narrative import Report, build_report
from ..explain.values import checks_in_words
from ..rendering import render

if TYPE_CHECKING:
    from ..explain.core import Explanation


def render_report(report: Report) -> str:
    return render("report.html.j2", report=report, checks_in_words=checks_in_words,
                  title=f"Decision report: case {report.case_id}")


def html_report(x: Explanation) -> str:
    """The HTML decision report of an explanation (one self-contained file)."""
    return render_report(build_report(x))
