"""sen-rules docs: a self-contained site, clauses and rules linked both ways, in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import sen_rules
from sen_rules.authoring.docs import clause_anchor, rule_anchor, write_site
from sen_rules.cli import main

DATA = Path(__file__).parent / "data"
SCENARIO = """
scenarios:
  - name: level 3 is referred
    as_of: 2009-03-02
    case:
      child: {id: S1, date_of_birth: 2000-04-03}
      proposed_placement: {id: P1, name: Oak, provision: mainstream_school, funding_level: 3}
    expect:
      funding_panel: refer
"""


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docs")
    rules = root / "rules"
    shutil.copytree(DATA / "minirules", rules)
    shutil.copyfile(DATA / "effective" / "settings.yaml", rules / "settings.yaml")
    (rules / "scenarios").mkdir()
    (rules / "scenarios" / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    out = root / "site"
    write_site(sen_rules.load_rulebase(rules), out)
    return out


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundled") / "site"
    write_site(sen_rules.bundled_rulebase(), out)
    return out


def read(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def test_the_site_has_every_page_and_markdown(mini_site: Path) -> None:
    names = sorted(p.name for p in mini_site.iterdir())
    assert names == ["coverage.html", "errors.html", "errors.md", "index.html", "policy.html",
                     "register.html", "rulebase.md", "rules.html", "settings.html"]


def test_clauses_and_rules_link_both_ways(mini_site: Path) -> None:
    policy, rules = read(mini_site, "policy.html"), read(mini_site, "rules.html")
    anchor = clause_anchor("policy", "funding.level")
    assert f'id="{anchor}"' in policy
    assert f'href="rules.html#{rule_anchor("funding.level")}"' in policy
    assert f'id="{rule_anchor("funding.level")}"' in rules
    assert f'href="policy.html#{anchor}"' in rules
    # a rule's citation shows the quote; its condition in plain words and as written
    assert "Cases involving additional spending at Level 3 or above are referred to the Panel." \
        in rules
    assert ("<strong>When:</strong> proposed placement › funding level is at least the setting "
            "“funding threshold”") in rules
    assert "<code>proposed_placement.funding_level &gt;= settings.funding_threshold</code>" in rules
    assert "Exercised by 1 scenario: level 3 is referred" in rules
    assert "Not exercised by any scenario." in rules  # the special-school rule


def test_settings_show_their_versions_and_register_entries(mini_site: Path) -> None:
    settings = read(mini_site, "settings.html")
    assert "<tr><td>2</td><td>until 2008-06-30</td></tr>" in settings
    assert "<tr><td>3</td><td>from 2008-07-01</td></tr>" in settings
    assert f'href="rules.html#{rule_anchor("funding.level")}"' in settings
    register = read(mini_site, "register.html")
    assert 'id="entry-threshold"' in register and "Which levels count" in register


def test_the_coverage_map(mini_site: Path) -> None:
    coverage = read(mini_site, "coverage.html")
    assert "Rules fired in some scenario</td><td>3 / 5</td>" in coverage
    assert re.search(r"policy § funding\.special-school</a></td><td>normative</td>"
                     r"<td class=\"missing\">implemented, not exercised", coverage)
    assert re.search(r"policy § funding\.level</a></td><td>normative</td>"
                     r"<td class=\"ok\">implemented and exercised", coverage)


def test_the_markdown_carries_the_same_content(mini_site: Path) -> None:
    md = read(mini_site, "rulebase.md")
    assert f'<a id="{rule_anchor("funding.level")}"></a>' in md
    assert f"(#{clause_anchor('policy', 'funding.level')})" in md
    assert "funding\\_threshold" in md or "funding_threshold" in md
    assert "## Ambiguity register" in md and "## Coverage" in md


def test_pages_are_self_contained(mini_site: Path) -> None:
    for page in mini_site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text
        assert not re.search(r'(src|href)="(https?:)?//', text), page.name
        assert "<link" not in text
        assert "<style>" in text


def test_output_is_deterministic(tmp_path: Path) -> None:
    rulebase = sen_rules.bundled_rulebase()
    a, b = tmp_path / "a", tmp_path / "b"
    write_site(rulebase, a)
    write_site(rulebase, b)
    for page in a.iterdir():
        assert page.read_bytes() == (b / page.name).read_bytes(), page.name


def test_every_bundled_rule_and_clause_has_its_anchor(bundled_site: Path) -> None:
    rulebase = sen_rules.bundled_rulebase()
    rules = read(bundled_site, "rules.html")
    for rule in rulebase.rules:
        assert f'id="{rule_anchor(rule.key)}"' in rules, rule.key
    policy = read(bundled_site, "policy.html")
    for sid, source in rulebase.sources.items():
        for cid in source.clauses:
            assert f'id="{clause_anchor(sid, cid)}"' in policy
    # every link to an anchor of the site lands on an anchor that exists
    anchors = {name: set(re.findall(r'id="([^"]+)"', read(bundled_site, name)))
               for name in ("policy.html", "rules.html", "settings.html", "register.html")}
    for page in bundled_site.glob("*.html"):
        for target, anchor in re.findall(r'href="(\w+\.html)#([^"]+)"', read(bundled_site,
                                                                              page.name)):
            assert anchor in anchors[target], (page.name, target, anchor)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "--out", str(tmp_path / "site")]) == 0
    assert "wrote 9 files" in capsys.readouterr().out
    assert (tmp_path / "site" / "index.html").is_file()


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(prefix="sen-rules-chromium-")
    try:
        return subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.chromium
def test_the_site_renders_in_headless_chromium(bundled_site: Path, tmp_path: Path) -> None:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (CI=true) but was not found")
        pytest.skip("Chromium is not installed here")
    rules = chromium(binary, "--dump-dom", (bundled_site / "rules.html").as_uri())
    assert rules.returncode == 0, rules.stderr[-2000:]
    dom = rules.stdout
    assert 'id="rule-stage.statement"' in dom
    assert "A pupil subject to a Statement is at the Statements threshold" in dom
    assert "where a pupil is subject to a statement of special educational needs" in dom
    assert 'href="policy.html#clause-learning-trust-sen-policy--stages.statements"' in dom
    policy = chromium(binary, "--dump-dom", (bundled_site / "policy.html").as_uri())
    assert policy.returncode == 0, policy.stderr[-2000:]
    assert 'id="clause-learning-trust-sen-policy--cnp.funding-level"' in policy.stdout
    assert "funding issues involving additional spending at Level 3 or above" in policy.stdout
    assert 'href="rules.html#rule-cnp.funding-level"' in policy.stdout
    shot = tmp_path / "rules.png"
    result = chromium(binary, "--window-size=1200,1600", f"--screenshot={shot}",
                      (bundled_site / "rules.html").as_uri())
    assert result.returncode == 0 and shot.is_file()
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_the_same_rules_give_the_same_bytes_from_anywhere(tmp_path: Path) -> None:
    """Rule locations are named relative to the rules directory: no path of the machine
    (the working directory, site-packages) leaks into a published site."""
    rules = tmp_path / "work" / "rules"
    shutil.copytree(DATA / "minirules", rules)
    shutil.copyfile(DATA / "effective" / "settings.yaml", rules / "settings.yaml")
    env = {**os.environ, "PYTHONPATH": str(Path(sen_rules.__file__).resolve().parent.parent)}
    sites: list[dict[str, bytes]] = []
    for cwd, rules_arg in ((tmp_path / "work", "rules"), (tmp_path, str(rules))):
        out = tmp_path / f"site-{len(sites)}"
        subprocess.run([sys.executable, "-m", "sen_rules", "docs", rules_arg, "--out", str(out)],
                       cwd=cwd, env=env, check=True, capture_output=True)
        sites.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert sites[0] == sites[1]
    for content in sites[0].values():
        assert str(tmp_path).encode() not in content and b"rules/areas/" not in content
    assert b"areas/funding.yaml:" in sites[0]["rules.html"]
