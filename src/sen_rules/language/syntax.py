"""The condition language: tokens, grammar and syntax tree.

A rule's condition is text a policy officer can read aloud, for example::

    assessment_request.route = "school" and not school_action_on_record
    any dispute in disputes where not dispute.resolved
    age_on(child.date_of_birth, as_of) >= 19

It is parsed by a recursive-descent parser over this grammar (lowest precedence first)::

    expr     := "if" expr "then" expr "else" expr | or
    or       := and ("or" and)*
    and      := not ("and" not)*
    not      := "not" not | quantifier | compare
    quantifier := ("any" | "every" | "no") NAME "in" postfix "where" expr
    compare  := sum [ ("=" | "!=" | "<" | "<=" | ">" | ">=") sum
                    | "is" ["not"] ("known" | "missing")
                    | ["not"] "in" sum ]
    sum      := unary (("+" | "-") unary)*
    unary    := "-" unary | postfix
    postfix  := primary ("." NAME)*
    primary  := NUMBER [UNIT] | STRING | DATE | "true" | "false"
              | NAME "(" [expr ("," expr)*] ")" | NAME
              | "count" "(" NAME "in" postfix ["where" expr] ")"
              | "(" expr ")" | "[" [expr ("," expr)*] "]"

Nothing here evaluates anything: the parser only builds a tree. Limits on length, token
count and nesting depth keep hostile input from costing more than a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..values import Duration as Duration  # the runtime value; re-exported for old imports

MAX_LENGTH = 4000
MAX_TOKENS = 600
MAX_DEPTH = 40

KEYWORDS = frozenset(
    {
        "and", "or", "not", "in", "is", "known", "missing", "any", "every", "no", "where",
        "count", "if", "then", "else", "true", "false",
    }
)
UNITS = {
    "day": "days", "days": "days", "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months", "year": "years", "years": "years",
}
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")


class ParseError(Exception):
    """A syntax error at ``offset`` in the condition text."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # NAME, NUMBER, STRING, DATE, OP, KEYWORD, END
    text: str
    start: int
    end: int


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\w-]))
  | (?P<number>\d+(?:\.\d+)?(?![\w.]))
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|!=|==|[=<>+\-().,\[\]])
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ParseError(MAX_LENGTH, f"the condition is longer than {MAX_LENGTH} characters")
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            ch = text[pos]
            hint = ""
            if ch in "\u2018\u2019\u201c\u201d":
                hint = ": use straight quotes \" or ' around text"
            elif ch in "&|!":
                hint = ": write 'and', 'or', 'not'"
            raise ParseError(pos, f"unexpected character {ch!r}{hint}")
        kind = m.lastgroup or ""
        tok_text = m.group()
        if kind != "ws":
            if kind == "name" and tok_text in KEYWORDS:
                kind = "keyword"
            if kind == "op" and tok_text == "==":
                raise ParseError(pos, "write '=' to compare (not '==')")
            tokens.append(Token(kind.upper(), tok_text, pos, m.end()))
            if len(tokens) > MAX_TOKENS:
                raise ParseError(pos, f"the condition has more than {MAX_TOKENS} words and symbols")
        pos = m.end()
    tokens.append(Token("END", "", len(text), len(text)))
    return tokens


# ----------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True, slots=True)
class Node:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: object  # bool, int, float, str, date, or Duration
    kind: str  # "bool", "number", "string", "date", "duration"


@dataclass(frozen=True, slots=True)
class Name(Node):
    parts: tuple[str, ...]  # a.b.c
    part_offsets: tuple[int, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Attribute(Node):
    base: Node
    name: str


@dataclass(frozen=True, slots=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ListExpr(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "not" | "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # and, or, =, !=, <, <=, >, >=, +, -, in, not in
    left: Node
    right: Node
    op_start: int = 0


@dataclass(frozen=True, slots=True)
class IsKnown(Node):
    operand: Node
    negated: bool  # "is missing" / "is not known"


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    quantifier: str  # any | every | no | count
    variable: str
    collection: Node
    condition: Node | None


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    condition: Node
    then: Node
    otherwise: Node


# ----------------------------------------------------------------------------- parser


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    # helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "END":
            self.i += 1
        return tok

    def at(self, *texts: str) -> bool:
        tok = self.tok
        return tok.kind in ("KEYWORD", "OP") and tok.text in texts

    def expect(self, text: str, what: str | None = None) -> Token:
        if not self.at(text):
            raise self.error(f"expected {what or repr(text)}")
        return self.advance()

    def error(self, expected: str) -> ParseError:
        tok = self.tok
        found = "the end of the condition" if tok.kind == "END" else repr(tok.text)
        return ParseError(tok.start, f"{expected}, found {found}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(self.tok.start, f"the condition is nested more than {MAX_DEPTH} deep")

    def leave(self) -> None:
        self.depth -= 1

    # grammar
    def parse(self) -> Node:
        if self.tok.kind == "END":
            raise ParseError(0, "the condition is empty")
        node = self.expr()
        if self.tok.kind != "END":
            raise self.error("expected 'and', 'or' or the end of the condition")
        return node

    def expr(self) -> Node:
        self.enter()
        try:
            if self.at("if"):
                start = self.advance().start
                cond = self.expr()
                self.expect("then", "'then' after the condition of 'if'")
                then = self.expr()
                self.expect("else", "'else' (an 'if' needs both 'then' and 'else')")
                other = self.expr()
                return Conditional(start, other.end, cond, then, other)
            return self.or_()
        finally:
            self.leave()

    def or_(self) -> Node:
        left = self.and_()
        while self.at("or"):
            op = self.advance()
            right = self.and_()
            left = Binary(left.start, right.end, "or", left, right, op.start)
        return left

    def and_(self) -> Node:
        left = self.not_()
        while self.at("and"):
            op = self.advance()
            right = self.not_()
            left = Binary(left.start, right.end, "and", left, right, op.start)
        return left

    def not_(self) -> Node:
        if self.at("not"):
            start = self.advance().start
            self.enter()
            try:
                operand = self.not_()
            finally:
                self.leave()
            return Unary(start, operand.end, "not", operand)
        if self.at("any", "every", "no"):
            return self.quantifier()
        return self.compare()

    def quantifier(self) -> Node:
        tok = self.advance()
        var = self.name_token("a name for each item, as in 'any dispute in disputes where ...'")
        self.expect("in", "'in' after the item name")
        coll = self.postfix()
        self.expect("where", "'where' and a condition on each item")
        body = self.expr()
        return Quantified(tok.start, body.end, tok.text, var.text, coll, body)

    def name_token(self, what: str) -> Token:
        if self.tok.kind != "NAME":
            raise self.error(f"expected {what}")
        return self.advance()

    def compare(self) -> Node:
        left = self.sum_()
        tok = self.tok
        if tok.kind == "OP" and tok.text in COMPARISONS:
            self.advance()
            right = self.sum_()
            return Binary(left.start, right.end, tok.text, left, right, tok.start)
        if self.at("is"):
            self.advance()
            negated = False
            if self.at("not"):
                self.advance()
                negated = True
            if self.at("known"):
                end = self.advance().end
                return IsKnown(left.start, end, left, negated)
            if self.at("missing"):
                end = self.advance().end
                return IsKnown(left.start, end, left, not negated)
            raise self.error("expected 'known' or 'missing' after 'is' (to compare, write '=')")
        if self.at("in"):
            self.advance()
            right = self.sum_()
            return Binary(left.start, right.end, "in", left, right, tok.start)
        if self.at("not") and self.tokens[self.i + 1].text == "in":
            self.advance()
            self.advance()
            right = self.sum_()
            return Binary(left.start, right.end, "not in", left, right, tok.start)
        return left

    def sum_(self) -> Node:
        left = self.unary()
        while self.tok.kind == "OP" and self.tok.text in ("+", "-"):
            op = self.advance()
            right = self.unary()
            left = Binary(left.start, right.end, op.text, left, right, op.start)
        return left

    def unary(self) -> Node:
        if self.tok.kind == "OP" and self.tok.text == "-":
            start = self.advance().start
            self.enter()
            try:
                operand = self.unary()
            finally:
                self.leave()
            return Unary(start, operand.end, "-", operand)
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while self.at("."):
            self.advance()
            name = self.name_token("a field name after '.'")
            if isinstance(node, Name):
                node = Name(node.start, name.end, node.parts + (name.text,),
                            node.part_offsets + (name.start,))
            else:
                node = Attribute(node.start, name.end, node, name.text)
        return node

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind in ("NUMBER", "STRING", "DATE") or self.at("true", "false"):
            return self.literal()
        if self.at("count"):
            return self.count()
        if tok.kind == "NAME":
            return self.name_or_call()
        if self.at("("):
            self.advance()
            inner = self.expr()
            self.expect(")", "')' to close '('")
            return inner
        if self.at("["):
            return self.list_expr()
        if tok.kind == "KEYWORD":
            raise self.error(f"'{tok.text}' cannot start a value here; expected a field, a number, "
                             "quoted text, a date or '('")
        raise self.error("expected a field, a number, quoted text, a date or '('")

    def literal(self) -> Node:
        """A number (or a duration), quoted text, a date, true or false."""
        tok = self.advance()
        if tok.kind == "NUMBER":
            value: int | float = float(tok.text) if "." in tok.text else int(tok.text)
            if abs(value) > 1e9:
                raise ParseError(tok.start, "numbers in conditions must be below one billion")
            if self.tok.kind == "NAME" and self.tok.text in UNITS:
                unit_tok = self.advance()
                if not isinstance(value, int) or value > 1000:
                    raise ParseError(tok.start, "a duration is a whole number up to 1000")
                return Literal(tok.start, unit_tok.end, Duration(value, UNITS[unit_tok.text]),
                               "duration")
            return Literal(tok.start, tok.end, value, "number")
        if tok.kind == "STRING":
            body = tok.text[1:-1]
            if "\\" in body:
                raise ParseError(tok.start, "backslashes are not allowed in quoted text")
            return Literal(tok.start, tok.end, body, "string")
        if tok.kind == "DATE":
            try:
                value_date = date.fromisoformat(tok.text)
            except ValueError:
                raise ParseError(tok.start, f"{tok.text} is not a real date") from None
            return Literal(tok.start, tok.end, value_date, "date")
        return Literal(tok.start, tok.end, tok.text == "true", "bool")

    def count(self) -> Node:
        """``count(x in L where C)``."""
        start = self.advance().start
        self.expect("(", "'(' after 'count'")
        var = self.name_token("a name for each item, as in 'count(d in disputes where ...)'")
        self.expect("in", "'in' after the item name")
        coll = self.postfix()
        condition: Node | None = None
        if self.at("where"):
            self.advance()
            condition = self.expr()
        end = self.expect(")", "')' to close 'count('").end
        return Quantified(start, end, "count", var.text, coll, condition)

    def name_or_call(self) -> Node:
        """A name, or the call of a function with its arguments."""
        tok = self.advance()
        if not self.at("("):
            return Name(tok.start, tok.end, (tok.text,), (tok.start,))
        self.advance()
        args: list[Node] = []
        if not self.at(")"):
            args.append(self.expr())
            while self.at(","):
                self.advance()
                args.append(self.expr())
        end = self.expect(")", f"',' or ')' in the call of {tok.text}").end
        return Call(tok.start, end, tok.text, tuple(args))

    def list_expr(self) -> Node:
        """``[a, b, ...]``."""
        start = self.advance().start
        items: list[Node] = []
        if not self.at("]"):
            items.append(self.expr())
            while self.at(","):
                self.advance()
                items.append(self.expr())
        end = self.expect("]", "',' or ']' in the list").end
        return ListExpr(start, end, tuple(items))

def parse(text: str) -> Node:
    """Parse a condition or value expression; raises :class:`ParseError`."""
    return Parser(text).parse()
