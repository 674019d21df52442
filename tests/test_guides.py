"""The README and the guides under docs/: every link leads somewhere in the repository,
every block marked to run runs and shows what it says, the README's test command is the
one CI runs, and the repository speaks only of itself.

A block runs when the line before its opening fence is ``<!-- runs -->`` (or
``<!-- runs exit=N -->``: the last command of the block exits with N). In a ``console``
block each ``$ `` line is a command (``sen-rules`` is this checkout's command line), run in
a copy of ``examples/`` and ``rules/``; every line shown under it must appear in what it
prints, except lines with an ellipsis. A ``python`` block runs as a script in the same copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sen_rules
from sen_rules import codes

ROOT = Path(__file__).resolve().parent.parent
GUIDES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# guides other parts of the project are writing; a link to one is checked once it exists
# files the runnable blocks use that the repository does not hold
FIXTURES = {
    "examples/cases/bad.json": '{"child": {"id": "C1", "nme": "a", "date_of_birth": '
                               '"2010-02-30"}}\n',
    "examples/cases/batch.jsonl": (
        (ROOT / "examples/cases/school-action.json").read_text().replace("\n", " ") + "\n"
        + "not json\n"
        + (ROOT / "examples/cases/school-action.json").read_text().replace("\n", " ") + "\n"),
}
TIMEOUT = 180  # seconds, per command
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```(\w*)\s*$")
MARK = re.compile(r"^<!-- runs(?: exit=(\d+))? -->\s*$")


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    found = set()
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            text = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return found


def links() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for guide in GUIDES:
        in_code = False
        for line in guide.read_text(encoding="utf-8").splitlines():
            if FENCE.match(line):
                in_code = not in_code
            elif not in_code:
                found.extend((name(guide), target) for target in LINK.findall(line))
    return found


@pytest.mark.parametrize(("guide", "target"), links())
def test_every_link_leads_into_the_repository(guide: str, target: str) -> None:
    if re.match(r"^[a-z]+:", target):
        assert target.startswith(("https://", "http://", "mailto:")), target
        return
    path_part, _, anchor = target.partition("#")
    source = ROOT / guide
    path = (source.parent / path_part).resolve() if path_part else source
    assert path.is_relative_to(ROOT), f"{guide}: {target} leads outside the repository"
    assert path.exists(), f"{guide}: {target} does not exist"
    if anchor and path.suffix == ".md":
        assert anchor in anchors(path), f"{guide}: no heading for #{anchor} in {path_part}"


def test_the_guides_named_in_the_brief_exist() -> None:
    for guide in ("integrating", "writing-rules", "auditing", "backends", "performance",
                  "errors", "ARCHITECTURE"):
        assert (ROOT / "docs" / f"{guide}.md").is_file()


def test_the_readme_is_a_front_door() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    first_screen = "\n".join(text.splitlines()[:40])
    assert "python3 -m venv .venv" in first_screen and "pytest" in first_screen


def test_the_readme_test_command_is_the_one_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_repository_speaks_only_of_itself() -> None:
    """No development history: no ticket numbers, no names for stages of its making
    (rules/sources, the policy's own text, is what it is)."""
    pattern = re.compile(r"issue[- _]?[0-9]|" + "found" + "ation", re.I)
    skip = {".git", "sources", "__pycache__", ".venv", ".ci-venv", ".mypy_cache",
            ".ruff_cache", ".hypothesis", ".pytest_cache", "site"}
    hits = []
    for path in ROOT.rglob("*"):
        if any(part in skip for part in path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if path.suffix not in {".py", ".md", ".yaml", ".toml", ".json", ".txt", ".html", ""}:
            continue
        if pattern.search(path.name):
            hits.append(name(path))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        hits.extend(f"{name(path)}: {m.group(0)}" for m in pattern.finditer(text))
    assert hits == []


# ---------------------------------------------------------------------------- runnable


def runnable_blocks() -> list[tuple[str, int, str, str, int]]:
    """(guide, line, language, text, exit status of the last command) per marked block."""
    blocks = []
    for guide in GUIDES:
        lines = guide.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            mark = MARK.match(line)
            if not mark:
                continue
            fence = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
            assert fence and fence.group(1) in ("console", "python"), \
                f"{name(guide)}:{i + 1}: the marker must precede a console or python block"
            end = next(k for k in range(i + 2, len(lines)) if lines[k].startswith("```"))
            blocks.append((name(guide), i + 2, fence.group(1), "\n".join(lines[i + 2:end]),
                           int(mark.group(1) or 0)))
    return blocks


BLOCKS = runnable_blocks()


def test_each_guide_for_users_has_runnable_blocks() -> None:
    guides = {b[0] for b in BLOCKS}
    assert {"README.md", "docs/integrating.md", "docs/writing-rules.md",
            "docs/auditing.md"} <= guides


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    for folder in ("examples", "rules"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for rel, text in FIXTURES.items():
        (tmp_path / rel).write_text(text, encoding="utf-8")
    bin_dir = tmp_path / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "sen-rules"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sen_rules "$@"\n')
    shim.chmod(0o755)
    package_root = str(Path(sen_rules.__file__).resolve().parent.parent)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": package_root, "COLUMNS": "100"}
    return tmp_path, env


def commands_of(text: str) -> list[tuple[str, list[str]]]:
    commands: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands and line.strip():
            commands[-1][1].append(line.strip())
    return commands


@pytest.mark.parametrize(("guide", "line", "language", "text", "status"), BLOCKS,
                         ids=[f"{b[0]}:{b[1]}" for b in BLOCKS])
def test_the_block_runs(guide: str, line: int, language: str, text: str, status: int,
                        workspace: tuple[Path, dict[str, str]]) -> None:
    cwd, env = workspace
    if language == "python":
        run = subprocess.run([sys.executable, "-c", text], cwd=cwd, env=env,
                             capture_output=True, text=True, timeout=TIMEOUT)
        assert run.returncode == status, f"{guide}:{line}\n{run.stderr}"
        return
    commands = commands_of(text)
    assert commands, f"{guide}:{line}: no command in the block"
    for k, (command, shown) in enumerate(commands):
        run = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True,
                             text=True, timeout=TIMEOUT)
        expected = status if k == len(commands) - 1 else 0
        assert run.returncode == expected, f"{guide}:{line}: {command}\n{run.stderr}"
        printed = {out.strip() for out in (run.stdout + run.stderr).splitlines()}
        for want in shown:
            if "…" in want or "..." in want:
                continue
            assert want in printed, f"{guide}:{line}: {command}: {want!r} not printed"


def test_the_error_codes_listed_are_exactly_those_of_the_registry() -> None:
    """docs/errors.md is rendered from sen_rules.codes (tests/test_codes.py checks it byte
    for byte); every code the source names is in it."""
    source = ROOT / "src" / "sen_rules"
    used = {code for path in source.rglob("*.py")
            for code in re.findall(r"\bSR\d{3}\b", path.read_text(encoding="utf-8"))}
    listed = re.findall(r"^\| (SR\d{3}) \|", (ROOT / "docs" / "errors.md").read_text(
        encoding="utf-8"), re.M)
    assert len(listed) == len(set(listed)), "a code is listed twice"
    assert listed == list(codes.CODES)
    assert used <= set(listed), f"named in the source, not listed: {sorted(used - set(listed))}"
