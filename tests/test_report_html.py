"""HTML decision reports: one self-contained file, well formed, every decision and quote on
the page, readable on screen and in print; rendered by headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sen_rules.case import iter_dates, parse_case
from sen_rules.cli import main
from sen_rules.explain import Explanation, explain
from sen_rules.reports.html import html_report
from sen_rules.rulebase import Rulebase
from sen_rules.sources import fold

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "cases"
VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}


class Page(HTMLParser):
    """The text of a page, the text inside <mark>, and a check that tags nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.marked: list[str] = []
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str, str | None]] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.extend((tag, k, v) for k, v in attrs)
        if tag not in VOID:
            self.stack.append(tag)
        self.in_style = tag == "style"
        if tag == "mark":
            self.marked.append("")

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            return
        self.text.append(data)
        if "mark" in self.stack:
            self.marked[-1] += data

    @property
    def words(self) -> str:
        return fold("".join(self.text))


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    assert not page.stack, f"unclosed tags: {page.stack}"
    return page


def check_page(x: Explanation, page: Page, rulebase: Rulebase) -> None:
    words = page.words
    marked = [fold(m) for m in page.marked]
    for d in x.evaluation.decisions:
        assert fold(f"{d.title}: {d.outcome_label}") in words
        for ref in d.rules:
            if ref.role in ("check", "criterion"):
                continue
            for c in ref.citations:
                clause = rulebase.sources[c.source].clauses[c.clause]
                assert fold(clause.text) in words, (ref.id, c.clause)
                assert any(fold(c.quote) in m for m in marked), (ref.id, c.quote)
    for cf in x.counterfactuals:
        assert fold(cf.text) in words


def check_self_contained(html: str, page: Page) -> None:
    assert not {"script", "link", "img", "iframe", "object", "embed"} & page.tags
    for tag, name, value in page.attrs:
        assert not name.startswith("on"), (tag, name)
        if name in ("src", "href", "action", "srcset"):
            assert (value or "").startswith("#"), (tag, name, value)
    assert "url(" not in html and "@import" not in html
    assert not re.search(r"https?://", html)
    assert "@media print" in html


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_every_example_has_a_full_html_report(name: str, rulebase: Rulebase) -> None:
    text = (EXAMPLES / name).read_text()
    as_of = max(d for _, d in iter_dates(parse_case(text)))
    x = explain(text, as_of=as_of)
    html = html_report(x)
    page = parse(html)
    check_page(x, page, rulebase)
    check_self_contained(html, page)
    assert html == html_report(explain(text, as_of=as_of))


def test_text_is_escaped(rulebase: Rulebase) -> None:
    case = {"child": {"id": "X1", "date_of_birth": "2000-01-01"},
            "setting": {"kind": "school", "name": "<script>alert(1)</script> & Co",
                        "quadrant": "<b>North</b>"},
            "assessment_request": {"route": "school", "requested_on": "2008-01-01"}}
    x = explain(case, as_of="2008-02-01")
    html = html_report(x)
    page = parse(html)
    assert "script" not in page.tags and "b" not in page.tags
    assert "&lt;b&gt;North&lt;/b&gt;" in html
    check_self_contained(html, page)


def test_report_command_writes_html(tmp_path: Path) -> None:
    case = EXAMPLES / "school-referral-without-action.json"
    out = tmp_path / "r.html"
    assert main(["report", str(case), "--as-of", "2006-06-01", "--format", "html",
                 "--out", str(out)]) == 0
    assert out.read_text() == html_report(explain(case.read_text(), as_of="2006-06-01"))


# ---------------------------------------------------------------------------- chromium


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (Debian package 'chromium'; .ci/run "
                        "installs it)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


def run_chromium(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.chromium
def test_chromium_shows_the_decisions_and_the_quotes(tmp_path: Path,
                                                     rulebase: Rulebase) -> None:
    binary = chromium()
    case = EXAMPLES / "school-referral-without-action.json"
    x = explain(case.read_text(), as_of="2006-06-01")
    page_file = tmp_path / "report.html"
    page_file.write_text(html_report(x), encoding="utf-8")
    done = run_chromium(binary, "--dump-dom", page_file.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    rendered = parse(done.stdout)  # the DOM as Chromium built it
    check_page(x, rendered, rulebase)
    assert "Pre Assessment Panel" in rendered.words
    pdf = tmp_path / "report.pdf"
    done = run_chromium(binary, "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                        page_file.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 2  # a printed report spreads over A4 pages
