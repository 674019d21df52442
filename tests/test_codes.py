"""Error codes are defined once, in the registry: the source writes none as text, every code
the registry defines is raised somewhere (or says why not), and docs/errors.md is exactly
the registry's rendering."""

from __future__ import annotations

import ast
import json
import pickle
import re
from pathlib import Path

from sen_rules import codes
from sen_rules.authoring.codes_doc import REGENERATE, render_markdown
from sen_rules.errors import Diagnostic, EvaluationError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "sen_rules"
CODE = re.compile(r"SR\d{3}")


def sources() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if p != PACKAGE / "codes.py"]


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string statements (docstrings): documentation may name codes."""
    return {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


def code_texts(path: Path, root: Path = ROOT) -> list[str]:
    """Every code written as text outside a docstring: in a string, or in the literal part
    of an f-string (an f-string's parts are string constants in the tree)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = docstrings(tree)
    return [f"{path.relative_to(root)}:{node.lineno}: {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip and CODE.search(node.value)]


def test_no_code_is_written_as_text_outside_the_registry() -> None:
    found = [hit for path in sources() for hit in code_texts(path)]
    assert found == [], ("write codes.SRnnn (python /work/tools/convert_codes.py does it):\n"
                         + "\n".join(found))


def test_the_scan_sees_codes_in_strings_and_f_strings(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""Docstrings may name SR302."""\nA = "SR302"\nB = f"see SR301 {A}"\n'
                      "C = f'{A} fine'  # a comment naming SR303\n", encoding="utf-8")
    assert code_texts(sample, tmp_path) == ["sample.py:2: 'SR302'",
                                            "sample.py:3: 'see SR301 '"]


def used_codes() -> set[str]:
    """The codes the source refers to as ``codes.SRnnn``."""
    used = set()
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "codes" and CODE.fullmatch(node.attr)):
                used.add(node.attr)
    return used


def test_every_code_is_used_or_reserved_for_a_reason() -> None:
    used = used_codes()
    assert used <= set(codes.CODES), f"not in the registry: {sorted(used - set(codes.CODES))}"
    unused = [c for c in codes.CODES if c not in used and not c.reserved]
    assert unused == [], f"registered but never raised; remove or mark reserved: {unused}"
    for code in codes.CODES.values():
        assert code.reserved is None or code not in used, f"{code} is reserved but used"


def test_each_code_is_described_fully() -> None:
    for text, code in codes.CODES.items():
        assert text == code and CODE.fullmatch(text)
        assert code.section in codes.SECTIONS and code.severity in ("error", "warning", "info")
        assert code.meaning and code.action.endswith((".", ".)")), text
        assert code.action[0].isupper() or code.action[0] == "`", text
    sections = [c.section for c in codes.CODES.values()]
    assert sections == sorted(sections, key=codes.SECTIONS.index), "out of catalogue order"


def test_a_code_behaves_as_its_text() -> None:
    code = codes.SR302
    assert code == "SR302" and hash(code) == hash("SR302") and f"{code}" == "SR302"
    assert json.dumps({"code": code}) == '{"code": "SR302"}' and repr(code) == "'SR302'"
    assert pickle.loads(pickle.dumps(code)) is code  # an error from a worker process
    error = pickle.loads(pickle.dumps(EvaluationError("too many", code=code)))
    assert error.code is code and str(error) == "SR302: too many"
    assert str(Diagnostic(codes.SR150, "x")) == "error SR150: x"
    assert codes.lookup("SR302") is code


def test_lint_severities_match_the_registry() -> None:
    """A lint finding is raised with its registered severity, or a milder one the meaning
    explains (SR150, SR153: info in the case the meaning names)."""
    order = ["info", "warning", "error"]
    pattern = re.compile(r"self\.add\(codes\.(SR\d{3}), \"(\w+)\"")
    raised = pattern.findall((PACKAGE / "authoring" / "lint.py").read_text(encoding="utf-8"))
    assert len(raised) >= 11
    for code, severity in raised:
        registered = codes.CODES[code]
        assert (severity == registered.severity
                or (order.index(severity) < order.index(registered.severity)
                    and "info" in registered.meaning)), f"{code} raised as {severity}"


def test_the_catalogue_is_the_registry_rendered() -> None:
    written = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert written == render_markdown(), f"docs/errors.md is out of date: run {REGENERATE}"
    listed = re.findall(r"^\| (SR\d{3}) \|", written, re.M)
    assert listed == list(codes.CODES)
