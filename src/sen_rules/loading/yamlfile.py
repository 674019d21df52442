"""Safe YAML reading that remembers where every value came from.

Rule files are YAML because policy officers can read and edit it. This reader is stricter
than YAML itself: no anchors or aliases (no "billion laughs"), no tags, no duplicate keys,
limits on size, depth and node count. Every value keeps its line and column so that any
later error can name ``file:line:col``; text scalars also keep enough of their layout to
place an error inside a multi-line condition.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .. import codes
from ..errors import Diagnostic, SourceLocation

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_NODES = 50_000
MAX_SCALAR = 20_000
MAX_NUMBER_CHARS = 40
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}

Path = tuple[str | int, ...]
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class YamlFileError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


@dataclass(frozen=True, slots=True)
class ScalarLayout:
    """Where a scalar's text sits in the file, to map offsets in it back to line:col."""

    line: int  # 1-based line of the first character of the value
    column: int  # 1-based column of the first character of the value
    style: str | None  # None (plain), "'", '"', "|", ">"
    raw_lines: tuple[str, ...]  # the file lines the scalar spans

    def locate(self, file: str, offset: int, value: str) -> SourceLocation:
        """The file position of character ``offset`` of the scalar's value."""
        if self.style == "|":
            before = value[:offset]
            line_in_value = before.count("\n")
            col_in_line = len(before) - (before.rfind("\n") + 1)
            return SourceLocation(file, self.line + line_in_value, self.column + col_in_line)
        if len(self.raw_lines) <= 1:
            return SourceLocation(file, self.line, self.column + offset)
        return self._walk_folded(file, offset)

    def _walk_folded(self, file: str, offset: int) -> SourceLocation:
        """Folded text joins lines with one space: walk the raw lines to find the offset."""
        remaining = offset
        for i, raw in enumerate(self.raw_lines):
            if i == 0:
                start_col, length = self.column, len(raw.rstrip()) - (self.column - 1)
            else:
                start_col = len(raw) - len(raw.lstrip()) + 1
                length = len(raw.strip())
            if remaining <= length:
                return SourceLocation(file, self.line + i, start_col + remaining)
            remaining -= length + 1
        return SourceLocation(file, self.line, self.column)


@dataclass(slots=True)
class YamlDocument:
    """A parsed YAML file: plain Python data plus the location of every value."""

    file: str
    data: Any
    locations: dict[Path, SourceLocation]
    layouts: dict[Path, ScalarLayout]
    # values refused where they are (a number not in plain decimal), each kept as its text
    refused: tuple[Diagnostic, ...] = ()

    def where(self, path: Path) -> SourceLocation:
        """The location of ``path``, or of its nearest enclosing value that has one."""
        while True:
            if path in self.locations:
                return self.locations[path]
            if not path:
                return SourceLocation(self.file, 1, 1)
            path = path[:-1]

    def key_location(self, path: Path) -> SourceLocation:
        """Location of the key that introduces ``path`` (falls back to the value)."""
        return self.locations.get(path + ("<key>",), self.where(path))


class _NoAliasComposer(Composer):
    _depth = 0  # composing recurses: refuse deep nesting before Python's stack runs out

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):  # type: ignore[attr-defined]
            event = self.peek_event()  # type: ignore[attr-defined]
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (& and *) are not allowed in rule files",
                event.start_mark,
            )
        event = self.peek_event()  # type: ignore[attr-defined]
        if getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (& and *) are not allowed in rule files",
                event.start_mark,
            )
        if self._depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(None, None, f"values are nested more than {MAX_DEPTH} deep",
                                       event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _PyLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                _NoAliasComposer, SafeConstructor, yaml.resolver.Resolver):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _NoAliasComposer.__init__(self)
        SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def single_node(self) -> Node | None:
        return self.get_single_node()


_Loader: Any = _PyLoader
if getattr(yaml, "__with_libyaml__", False):  # scanning and parsing in C: several times faster
    from yaml._yaml import CParser

    class _CLoader(CParser, _NoAliasComposer, SafeConstructor,
                   yaml.resolver.Resolver):
        """libyaml produces the events; composing them into nodes stays ours (in Python),
        so that anchors and aliases are refused before anything is expanded."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _NoAliasComposer.__init__(self)
            SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def single_node(self) -> Node | None:
            return Composer.get_single_node(self)

    _Loader = _CLoader


def read_rule_text(path: os.PathLike[str] | str) -> str:
    """A rule file's text, read with the size limit; only a regular file is read (a named
    pipe or a device would block or never end). Raises OSError or UnicodeDecodeError."""
    with open(path, "rb", opener=_nonblocking) as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise OSError(errno.EFBIG, f"larger than {MAX_FILE_BYTES} bytes")
    return raw.decode("utf-8")


def _nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK)  # opening a named pipe must not wait


def read_yaml(text: str, file: str) -> YamlDocument:
    """Parse one YAML document safely; raise :class:`YamlFileError` with a location."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise YamlFileError(Diagnostic(
            codes.SR101, f"the text is not valid Unicode at character {exc.start + 1}",
            SourceLocation(file))) from None
    if size > MAX_FILE_BYTES:
        raise YamlFileError(Diagnostic(
            codes.SR101, f"the file is larger than {MAX_FILE_BYTES} bytes", SourceLocation(file)))
    loader = None
    try:
        loader = _Loader(text)  # the reader refuses control characters here already
        node = loader.single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = SourceLocation(file, mark.line + 1, mark.column + 1) if mark else SourceLocation(file)
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:  # libyaml's own limit (PyYAML 6.0.4 on) says it first
            problem = f"values are nested more than {MAX_DEPTH} deep"
        raise YamlFileError(Diagnostic(codes.SR101, f"YAML syntax: {problem}", loc)) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_col(text, exc.position)
        diagnostic = Diagnostic(codes.SR101, f"character U+{exc.character:04X} is not allowed in "
                                "a rule file (control characters cannot be read)",
                                SourceLocation(file, line, column))
        raise YamlFileError(diagnostic) from None
    except yaml.YAMLError as exc:
        diagnostic = Diagnostic(codes.SR101, f"YAML syntax: {exc}", SourceLocation(file))
        raise YamlFileError(diagnostic) from None
    finally:
        if loader is not None:
            loader.dispose()
    lines = text.splitlines()
    builder = _Builder(file, lines, loader)
    data = builder.build(node, (), 0) if node is not None else None
    return YamlDocument(file, data, builder.locations, builder.layouts, tuple(builder.refused))


class _Builder:
    def __init__(self, file: str, lines: list[str], constructor: SafeConstructor) -> None:
        self.file = file
        self.lines = lines
        self.constructor = constructor
        self.locations: dict[Path, SourceLocation] = {}
        self.layouts: dict[Path, ScalarLayout] = {}
        self.refused: list[Diagnostic] = []  # numbers not written in plain decimal
        self.count = 0

    def loc(self, node: Node) -> SourceLocation:
        return SourceLocation(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: Node, message: str, code: str = codes.SR101) -> YamlFileError:
        return YamlFileError(Diagnostic(code, message, self.loc(node)))

    def build(self, node: Node, path: Path, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, f"the file has more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise self.fail(node, f"values are nested more than {MAX_DEPTH} deep")
        if node.tag not in _STANDARD_TAGS:
            raise self.fail(node, f"YAML tags such as {node.tag!r} are not allowed in rule files")
        self.locations[path] = self.loc(node)
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                    raise self.fail(key_node, "keys must be plain words such as 'id' or 'when'")
                key = str(key_node.value)
                if key in result:
                    raise self.fail(key_node, f"the key {key!r} appears twice in the same block")
                self.locations[path + (key, "<key>")] = self.loc(key_node)
                result[key] = self.build(value_node, path + (key,), depth + 1)
            return result
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if len(node.value) > MAX_SCALAR:
            raise self.fail(node, f"a value is longer than {MAX_SCALAR} characters")
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            raise self.fail(node, f"a number of {len(node.value)} characters is too long "
                            f"(at most {MAX_NUMBER_CHARS})")
        try:
            value = self.constructor.construct_object(node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            raise self.fail(node, f"the value {node.value[:40]!r} cannot be read ({exc})") from None
        if node.tag in _NUMBER_TAGS:
            problem = _number_problem(node.value, value)
            if problem is not None:  # reported, and kept as the text written: the rest of
                # the file is read, and what follows from the text here is not reported
                self.refused.append(Diagnostic(codes.SR102, problem, self.loc(node)))
                value = node.value
        if isinstance(value, str):
            self.layouts[path] = self._layout(node)
        return value

    def _layout(self, node: ScalarNode) -> ScalarLayout:
        start, end = node.start_mark, node.end_mark
        style = node.style
        if style in ("|", ">"):
            first = start.line + 1  # content starts on the line after the indicator
            last = end.line if end.column == 0 else end.line + 1
            raw = tuple(self.lines[first:last])
            # skip leading blank lines
            skip = 0
            while skip < len(raw) and not raw[skip].strip():
                skip += 1
            content = [ln for ln in raw[skip:] if ln.strip()]
            indent = min((len(ln) - len(ln.lstrip(" ")) for ln in content), default=0)
            return ScalarLayout(first + skip + 1, indent + 1, style, raw[skip:])
        quote = 1 if style in ("'", '"') else 0
        raw = tuple(self.lines[start.line : end.line + 1])
        return ScalarLayout(start.line + 1, start.column + 1 + quote, style, raw)


# YAML 1.1, which PyYAML follows, reads more than decimal numbers: 056 is octal (46), 0x10
# hexadecimal, 0b11 binary, 1:30 base 60 (90), and it drops the _ in 1_000. A policy author
# who writes one of these almost never means what YAML reads, and nothing would say so. As
# the schema does for the yes/no words (SR102), each is refused here, with the place, what
# was written and what to write instead; the reading stays YAML 1.1's safe one.
# Plain decimals (56, -3, 0, 1.5, -0.25, 1.0e+3) and the YAML words .inf and .nan pass.
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-9_]+)+(?:\.[0-9_]*)?")
_HEXADECIMAL = re.compile(r"[-+]?0x[0-9a-fA-F_]+")
_BINARY = re.compile(r"[-+]?0b[01_]+")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]")


def _number_problem(raw: str, value: Any) -> str | None:
    """Why the number written ``raw`` (read by YAML as ``value``) is refused, or None."""
    if _SEXAGESIMAL.fullmatch(raw):
        why, write = "YAML reads numbers with ':' in base 60 (sexagesimal)", repr(value)
    elif _HEXADECIMAL.fullmatch(raw):
        why, write = "YAML reads 0x as hexadecimal (base 16)", repr(value)
    elif _BINARY.fullmatch(raw):
        why, write = "YAML reads 0b as binary (base 2)", repr(value)
    elif _LEADING_ZERO.match(raw) and isinstance(value, int):
        why, write = ("YAML reads a whole number that starts with 0 as octal (base 8)",
                      _plain_decimal(raw))
    elif _LEADING_ZERO.match(raw):
        return (f"the number {raw} is not written in plain decimal: a number must not start "
                f"with 0 (YAML reads 056 as octal, 46); write {_plain_decimal(raw)}, "
                f"or \"{raw}\" in quotes if it is text")
    elif "_" in raw:
        why, write = "YAML leaves out the _", _plain_decimal(raw)
    else:
        return None
    return (f"the number {raw} is not written in plain decimal: {why}, so this would be "
            f"{value!r}; write {write}, or \"{raw}\" in quotes if it is text")


def _plain_decimal(raw: str) -> str:
    """``raw`` without underscores and leading zeros: -0_56.50 -> -56.50, 00 -> 0."""
    sign = raw[0] if raw[:1] in ("-", "+") else ""
    digits = raw[len(sign):].replace("_", "")
    whole, dot, rest = digits.partition(".")
    whole = whole.lstrip("0") or "0"
    return ("-" if sign == "-" else "") + whole + dot + rest


def _line_col(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1
