"""The mutation fuzzer of benchmarks/volume.py: hostile input for every reader of untrusted input.

Plain ``random`` (one ``random.Random`` per input, so an input is a pure function of its
seed and index) and no coverage guidance: the mutations are chosen to reach the checks the
readers promise (docs/limits-and-faults.md). Targets, by share of the inputs:

* ``case-json`` (55 %): a case file's bytes through ``parse_case`` (text), the API
  (``sen_rules.evaluate`` on the bytes, at an ordinary or an extreme date) and, one input
  in 50, the CLI (``sen-rules evaluate FILE``) in process. A case accepted is evaluated;
  one in 10 also on durable, which must give the same JSON.
* ``jsonl`` (25 %): a JSON Lines batch through ``iter_lines`` and ``evaluate_many``, the
  path of ``evaluate --jsonl``: one result per line, each a result or an error of its line.
* ``record`` (12 %): a real decision record, its text mutated (the seal must then refuse
  any change that is not whitespace or key order) or its body mutated and resealed, as a
  forger with the plain digest could (then replay must end in a verdict or SR5xx).
* ``rule-yaml`` (7.9 %): a bundled rule file through ``read_yaml`` and the structure
  check of its kind.
* ``rule-load`` (0.1 %, about 0.3 s each): a mutated rule file in a copy of rules/,
  through ``load_rulebase``; a rulebase that loads evaluates an example case.

Every input must end in a result or a documented error carrying an SR code, within
:data:`TIME_LIMIT` seconds of CPU time; anything else (another exception, a hang, a result for input
the strict JSON reader must refuse, a list past its documented limit, a forged record
accepted) is a failure.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
import shutil
import signal
import tempfile
import traceback
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 20.0  # CPU seconds per input (a normal input takes milliseconds)
LOAD_TIME_LIMIT = 120.0
WALL_FACTOR = 30  # and 30 times that in wall time
SR_CODE = re.compile(r"^SR\d{3}$")

# ---------------------------------------------------------------------------- mutations

TOKENS = [
    b'"', b"{", b"}", b"[", b"]", b",", b":", b"NaN", b"Infinity", b"-Infinity", b"1e999",
    b"-0", b"1" * 5000, b"0." + b"1" * 60, b"null", b"true", b'""', b'"a":1,', b'"child":{},',
    b'"id":"X",', b"/*", b"\\", b" " * 100, b"\r", b"\r\n", b"\n", b"\t", b"#", b"- ", b": ",
    b"&a ", b"*a", b"!!python/object:os.system ", b"!!binary ", b"? ", b"|", b">", b"~",
    b"%YAML 1.1\n", b"---\n", b"...\n", b"0x" + b"f" * 60, b".inf", b"<<: *a\n",
]
ODD_UNICODE = [
    "\ufeff", "\u202e", "\u2028", "\u2029", "\x00", "\x1b[2J", "\x07", "\u0301", "\u200b",
    "\U0001F9D2", "\ud7ff", "\ufffd", "\uffff", "\U0010ffff", "𝔖𝔈𝔑", "İ", "ß", "\u0085",
]
ODD_BYTES = [b"\xff", b"\xc0\xaf", b"\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
             b"\xef\xbb\xbf", b"\xe2\x80", b'"\\ud800"', b'"\\udc00\\ud800"', b'"\\u0000"']
EDGE_DATES = [
    "0001-01-01", "9999-12-31", "2000-02-29", "1900-02-29", "2023-02-29", "2024-02-30",
    "2023-13-01", "2023-00-10", "2023-04-31", "10000-01-01", "2006-W22-4", "20060101",
    "+2006-01-01", "2006-1-1", " 2006-01-01", "2006-01-01T00:00", "2006-01-01Z",
    "1985-01-01", "2032-12-31", "2033-01-01", "2002-01-01", "2001-12-31", "2010-04-01",
    "٢٠٠٦-٠١-٠١", "2006\u201001\u201001", "",
]
HUGE_NUMBERS = [b"1" * 41, b"9" * 400, b"1e309", b"-1e309", b"1e-400", b"0.1e1", b"-0",
                b"1E2", b"10.0", b"9.99", b"10.01", b"4.9e-324", b"1.7976931348623157e308",
                b"18446744073709551616", b"-9223372036854775809", b"00", b"01", b"1.",
                b".5", b"+1", b"0x10"]
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")


def _span(rng: random.Random, data: bytes) -> tuple[int, int]:
    a = rng.randrange(len(data) + 1)
    return a, min(len(data), a + int(rng.expovariate(1 / 16)) + 1)


def _pick_match(rng: random.Random, pattern: re.Pattern[bytes], data: bytes
                ) -> re.Match[bytes] | None:
    """A match at or after a random place (wrapping round): cheap on a 100 kB record."""
    return pattern.search(data, rng.randrange(len(data) + 1)) or pattern.search(data)


def mutate_bytes(rng: random.Random, data: bytes, fragments: list[bytes]) -> bytes:
    """One to four mutations of ``data``: flips, cuts, repeats, splices, nesting, numbers,
    unicode and dates at and past the edges."""
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        data = _MUTATIONS[rng.randrange(len(_MUTATIONS))](rng, data, fragments)
    return data


def _flip(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 8))):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def _truncate(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def _duplicate(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    a, b = _span(rng, data)
    at = rng.choice((a, b, rng.randrange(len(data) + 1)))
    return data[:at] + data[a:b] * rng.choice((1, 1, 2, 50)) + data[at:]


def _delete(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    a, b = _span(rng, data)
    return data[:a] + data[b:]


def _splice(rng: random.Random, data: bytes, fragments: list[bytes]) -> bytes:
    other = rng.choice(fragments)
    c, d = _span(rng, other)
    a, b = _span(rng, data)
    if rng.random() < 0.5:
        b = a
    return data[:a] + other[c:d] + data[b:]


def _token(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    at = rng.randrange(len(data) + 1)
    token = rng.choice(TOKENS)
    cut = at + (len(token) if rng.random() < 0.3 else 0)
    return data[:at] + token + data[cut:]


def _nest(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    depth = rng.choice((63, 64, 65, 100, 1000, 100_000))
    opener, closer = rng.choice(((b"[", b"]"), (b'{"a":', b"}"), (b"- ", b""), (b"[", b"")))
    if rng.random() < 0.5:  # wrap a value of the document
        m = _pick_match(rng, _NUMBER, data) or _pick_match(rng, _DATE, data)
        if m is not None:
            return data[:m.start()] + opener * depth + m.group() + closer * depth + data[m.end():]
    at = rng.randrange(len(data) + 1)
    return data[:at] + opener * depth + closer * depth + data[at:]


def _number(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    m = _pick_match(rng, _NUMBER, data)
    if m is None:
        return data
    return data[:m.start()] + rng.choice(HUGE_NUMBERS) + data[m.end():]


def _unicode(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    at = rng.randrange(len(data) + 1)
    odd = (rng.choice(ODD_UNICODE).encode("utf-8", "surrogatepass") if rng.random() < 0.6
           else rng.choice(ODD_BYTES))
    return data[:at] + odd * rng.choice((1, 1, 3, 1000)) + data[at:]


def _date(rng: random.Random, data: bytes, _: list[bytes]) -> bytes:
    m = _pick_match(rng, _DATE, data)
    if m is None:
        return data
    return data[:m.start()] + rng.choice(EDGE_DATES).encode() + data[m.end():]


_MUTATIONS: list[Callable[[random.Random, bytes, list[bytes]], bytes]] = [
    _flip, _flip, _truncate, _duplicate, _duplicate, _delete, _splice, _splice, _token,
    _token, _nest, _number, _number, _unicode, _unicode, _date, _date, _date,
]

# ---------------------------------------------------------------------------- structure

HOSTILE_VALUES: list[Any] = [
    None, True, False, 0, -1, 10**30, -(10**30), 1.5, -0.0, 1e308, "", "x" * 100_000,
    "\u202e\x1b[2J", "0001-01-01", "9999-12-31", "2000-02-29", [], {}, [None], {"": None},
    [[[[[]]]]], "North-East", "school", "pending", "parent", "secure_unit", 9.99, 10.0, 10.01,
]


def _random_path(rng: random.Random, value: Any) -> tuple[Any, ...]:
    """A random walk from the root, stopping at a leaf or, at each step, one time in four:
    cheap on a 100 kB record, and every node can be reached."""
    path: tuple[Any, ...] = ()
    while isinstance(value, (dict, list)) and value and (not path or rng.random() < 0.75):
        step = rng.choice(list(value)) if isinstance(value, dict) else rng.randrange(len(value))
        path = (*path, step)
        value = value[step]
    return path


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


def _copies(value: Any, n: int) -> list[Any]:
    """``n`` separate copies of a JSON value: a repeated value is never the same object, so a
    later mutation cannot make a value contain itself."""
    text = json.dumps(value)
    return [json.loads(text) for _ in range(n)]


def mutate_structure(rng: random.Random, data: Any) -> Any:
    """Valid JSON with hostile content: a value replaced, dropped, repeated, or a list
    grown past its limit; the readers past the JSON layer must still answer."""
    for _ in range(rng.choice((1, 1, 2, 3))):
        path = _random_path(rng, data)
        if not path:
            return data
        parent, key = _parent(data, path), path[-1]
        kind = rng.randrange(6)
        if kind <= 1:
            parent[key] = _copies(rng.choice(HOSTILE_VALUES), 1)[0]  # the shared one untouched
        elif kind == 2 and isinstance(parent, dict):
            del parent[key]
        elif kind == 2:
            parent.pop(key)
        elif kind == 3 and isinstance(parent, list):
            parent.extend(_copies(parent[key], rng.choice((1, 45, 50, 51, 61, 101))))
        elif kind == 3:
            parent[f"{key}_{rng.randrange(3)}"] = _copies(parent[key], 1)[0]  # unknown field
        elif kind == 4 and isinstance(parent[key], str):
            parent[key] = rng.choice(EDGE_DATES)
        else:
            parent[key] = _copies(parent[key], rng.choice((2, 51, 101)))
    return data


# ---------------------------------------------------------------------------- oracles

class Hang(BaseException):
    """An input ran past its time limit (a BaseException, so no reader can swallow it)."""


class StrictJsonError(Exception):
    """What the independent strict JSON reader refuses."""


@contextlib.contextmanager
def time_limit(cpu_seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` after ``cpu_seconds`` of CPU time (a loop), or after
    :data:`WALL_FACTOR` times that in wall time (a block): on a shared machine a wall
    limit alone would call slowness a hang."""
    def hang(signum: int, _: Any) -> None:
        kind = "CPU" if signum == signal.SIGPROF else "wall"
        limit = cpu_seconds * (1 if signum == signal.SIGPROF else WALL_FACTOR)
        raise Hang(f"no answer within {limit:.0f} s of {kind} time")

    previous = signal.signal(signal.SIGPROF, hang), signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    signal.setitimer(signal.ITIMER_REAL, cpu_seconds * WALL_FACTOR)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, previous[0])
        signal.signal(signal.SIGALRM, previous[1])


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise StrictJsonError("a repeated key")
    return out


def _refuse(text: str) -> Any:
    raise StrictJsonError(f"constant {text}")


def _number_ok(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def check(text: str) -> Any:
        value = parse(text)
        if len(text) > 40 or value in (float("inf"), float("-inf")):
            raise StrictJsonError("a number too long or not finite")
        return value
    return check


def strict_json(raw: bytes) -> Any:
    """The JSON the project promises to accept, read independently of sen_rules.jsonread:
    UTF-8, no repeated key, finite numbers of at most 40 characters, no half of a surrogate
    pair, at most 64 levels deep. Raises :class:`StrictJsonError` otherwise."""
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, object_pairs_hook=_no_repeats, parse_constant=_refuse,
                          parse_int=_number_ok(int), parse_float=_number_ok(float))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise StrictJsonError(str(exc)[:200]) from None
    if _depth(data) > 64:
        raise StrictJsonError("too deep")
    if re.search("[\ud800-\udfff]", json.dumps(data, ensure_ascii=False)):
        raise StrictJsonError("half of a surrogate pair")
    return data


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def check_error(exc: BaseException, kinds: tuple[type, ...]) -> str | None:
    """None when ``exc`` is a documented error: of ``kinds``, with an SR code and a sentence."""
    if not isinstance(exc, kinds):
        return "".join(traceback.format_exception(exc, limit=8))
    code = getattr(exc, "code", None) or getattr(getattr(exc, "diagnostic", None), "code", None)
    if not isinstance(code, str) or not SR_CODE.match(code):
        return f"{type(exc).__name__} without an SR code: {exc!r}"[:2000]
    if not str(exc).strip():
        return f"{type(exc).__name__} {code} without a message"
    return None


# ---------------------------------------------------------------------------- inputs

RULE_MODELS = {  # a rule file of rules/ -> the structure the loader checks it against
    "settings.yaml": ("SettingsFile", "settings"),
    "definitions.yaml": ("DefinitionsFile", "definitions"),
    "rulebase.yaml": ("RulebaseFile", "rulebase manifest"),
    "ambiguity-register.yaml": ("RegisterFile", "ambiguity register"),
    "sources/domain-facts.yaml": ("SourceIndexFile", "source index"),
}
RECORD_KEY = b"volume-fuzz-key"
AS_OF = ["2030-01-01"] * 6 + ["2024-02-29", "2002-01-01", "0001-01-01", "9999-12-31",
                              "2006-W22-4", "", "2030-02-30"]


class Corpus:
    """What every input starts from, read once per process: the example cases, generated
    cases, real decision records (plain and keyed) and the bundled rule files."""

    def __init__(self) -> None:
        from sen_rules.authoring.randomcases import CaseDrawer

        files = sorted((ROOT / "examples" / "cases").glob("*.json"))
        files += sorted((ROOT / "rules" / "scenarios" / "cases").glob("*.json"))
        self.cases = [p.read_bytes() for p in files]
        drawer = CaseDrawer(random.Random(0))
        self.cases += [json.dumps(drawer.case(drawer.date_between(date(2003, 1, 1),
                                                                  date(2030, 1, 1))),
                                  ensure_ascii=False).encode() for _ in range(16)]
        rules = ROOT / "rules"
        self.rule_files = {p.relative_to(rules).as_posix(): p.read_bytes()
                           for p in sorted(rules.rglob("*.yaml"))
                           if not p.relative_to(rules).as_posix().startswith("scenarios/")}
        self.fragments = self.cases + list(self.rule_files.values())
        self._records: list[tuple[bytes, bytes | None]] = []
        self.scratch = Path(tempfile.mkdtemp(prefix="sen-rules-fuzz-"))
        self.rules_copy: Path | None = None

    def records(self) -> list[tuple[bytes, bytes | None]]:
        """Real decision records of four cases, two of them sealed with a key (made the
        first time a record is fuzzed: each takes an evaluation and its trace)."""
        if not self._records:
            from sen_rules.audit import make_record, record_to_json

            for i, raw in enumerate(self.cases[:4]):
                key = RECORD_KEY if i % 2 else None
                record = make_record(raw, as_of="2030-01-01", key=key)
                self._records.append((record_to_json(record).encode(), key))
        return self._records

    def rules_dir(self) -> Path:
        if self.rules_copy is None:
            self.rules_copy = self.scratch / "rules"
            shutil.copytree(ROOT / "rules", self.rules_copy)
        return self.rules_copy


_corpus: Corpus | None = None


def corpus() -> Corpus:
    global _corpus
    if _corpus is None:
        _corpus = Corpus()
    return _corpus


def _case_bytes(rng: random.Random, c: Corpus) -> bytes:
    base = rng.choice(c.cases)
    if rng.random() < 0.35:
        data = mutate_structure(rng, json.loads(base))
        raw = json.dumps(data, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
        return mutate_bytes(rng, raw, c.fragments) if rng.random() < 0.2 else raw
    return mutate_bytes(rng, base, c.fragments)


def draw(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """The target and the input of one fuzz index (drawn, not yet run)."""
    c = corpus()
    roll = rng.random()
    if roll < 0.55:
        return "case-json", {"raw": _case_bytes(rng, c), "as_of": rng.choice(AS_OF),
                             "cli": rng.random() < 0.02, "durable": rng.random() < 0.1}
    if roll < 0.80:
        lines = []
        for _ in range(rng.choice((1, 2, 3, 6))):
            line = json.dumps(json.loads(rng.choice(c.cases)), ensure_ascii=False)
            if rng.random() < 0.5:
                line = f'{{"case": {line}, "as_of": "{rng.choice(AS_OF)}"}}'
            lines.append(line.encode())
        raw = b"\n".join(lines) + rng.choice((b"", b"\n"))
        return "jsonl", {"raw": mutate_bytes(rng, raw, c.fragments),
                         "as_of": rng.choice((None, "2030-01-01"))}
    if roll < 0.92:
        raw, key = rng.choice(c.records())
        if rng.random() < 0.6:
            return "record", {"raw": mutate_bytes(rng, raw, c.fragments), "key": key,
                              "original": raw, "resealed": False}
        return "record", {"raw": _forged(rng, raw, key), "key": key, "original": raw,
                          "resealed": True}
    name = rng.choice(sorted(c.rule_files))
    raw = mutate_bytes(rng, c.rule_files[name], c.fragments)
    return ("rule-load" if roll >= 0.999 else "rule-yaml"), {"name": name, "raw": raw}


def _forged(rng: random.Random, raw: bytes, key: bytes | None) -> bytes:
    """A record whose body is changed and sealed again, as anyone could with a plain
    sha256 seal (with a key, the forger is assumed to hold it): only replay stands guard."""
    from sen_rules.audit.record import seal_of, sha256_of

    data = json.loads(raw)
    body = {k: v for k, v in data.items() if k != "seal"}
    body = mutate_structure(rng, body)
    if isinstance(body, dict):
        if rng.random() < 0.7 and "case" in body:
            with contextlib.suppress(TypeError, ValueError):
                body["case_sha256"] = sha256_of(body["case"])
        with contextlib.suppress(TypeError, ValueError):
            body["seal"] = seal_of(body, key)
    return json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")


def describe(rng: random.Random) -> str:
    """One input, shown for a replay."""
    target, data = draw(rng)
    return json.dumps({"target": target, **{k: (v.decode("utf-8", "backslashreplace")
                                                if isinstance(v, bytes) else v)
                                            for k, v in data.items()}},
                      ensure_ascii=False)[:200_000]


def fuzz_one(rng: random.Random) -> tuple[str, str | None, str]:
    """Run one input: (target, failure or None, the input shown when it failed)."""
    target, data = draw(rng)
    try:
        with time_limit(LOAD_TIME_LIMIT if target == "rule-load" else TIME_LIMIT):
            failure = RUNNERS[target](data)
    except Hang as exc:
        failure = f"hang: {exc}"
    except Exception as exc:  # anything a runner did not expect
        failure = "".join(traceback.format_exception(exc, limit=8))
    if failure is None:
        return target, None, ""
    shown = {k: (v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else v)
             for k, v in data.items() if k != "original"}
    return target, failure, json.dumps(shown, ensure_ascii=False)


# ---------------------------------------------------------------------------- runners

def run_case_json(data: dict[str, Any]) -> str | None:
    import sen_rules
    from sen_rules.case import parse_case
    from sen_rules.errors import CaseError, SenRulesError

    raw, as_of = data["raw"], data["as_of"]
    try:
        expected: Any = strict_json(raw)
    except StrictJsonError as exc:
        expected = exc
    try:
        case = parse_case(raw)
    except CaseError as exc:
        case = None
        if (problem := check_error(exc, (CaseError,))) is not None:
            return problem
    if case is not None:
        if isinstance(expected, StrictJsonError):
            return f"parse_case accepted what the strict reader refuses ({expected})"
        if (problem := _past_limits(case)) is not None:
            return problem
    with contextlib.suppress(UnicodeDecodeError):
        text = raw.decode("utf-8")
        try:
            same = parse_case(text) == case
        except CaseError:
            same = case is None
        if not same:
            return "parse_case gives another answer for the same input as text"
    try:  # the API path: bytes straight to evaluate
        evaluation = sen_rules.evaluate(raw, as_of=as_of)
    except SenRulesError as exc:
        return check_error(exc, (SenRulesError,))
    if case is None:
        return "evaluate gave a result for a case parse_case refuses"
    if data["durable"]:
        durable = sen_rules.evaluate(raw, as_of=as_of, backend="durable")
        if durable.to_json() != evaluation.to_json():
            return "native and durable differ"
    if data["cli"]:
        return _run_cli(raw, as_of)
    return None


def _past_limits(case: Any) -> str | None:
    from sen_rules import case as model

    sizes = {"candidate_placements": (len(case.candidate_placements),
                                      model.MAX_CANDIDATE_PLACEMENTS),
             "disputes": (len(case.disputes), model.MAX_DISPUTES),
             "sen_support": (len(case.sen_support), model.MAX_SUPPORT_PERIODS)}
    if case.statement is not None:
        sizes["statement.reviews"] = (len(case.statement.reviews), model.MAX_REVIEWS)
    for name, (size, limit) in sizes.items():
        if size > limit:
            return f"a case with {size} {name} was accepted (the limit is {limit})"
    return None


def _run_cli(raw: bytes, as_of: str) -> str | None:
    from sen_rules.cli import main

    path = corpus().scratch / "case.json"
    path.write_bytes(raw)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["evaluate", str(path), "--as-of", as_of, "--format", "json"])
    except SystemExit as exc:  # argparse refusing --as-of: a usage error, exit 2
        status = exc.code if isinstance(exc.code, int) else 2
    if "Traceback" in err.getvalue() or "Traceback" in out.getvalue():
        return f"the CLI printed a traceback: {err.getvalue()[-2000:]}"
    if status == 0:
        json.loads(out.getvalue())
        return None
    if status != 2:
        return f"the CLI exited {status}"
    shown = out.getvalue() + err.getvalue()
    if not shown.strip():
        return "the CLI exited 2 without a word"
    with contextlib.suppress(ValueError):
        error = json.loads(out.getvalue())["error"]
        if error["code"] is not None and not SR_CODE.match(error["code"]):
            return f"the CLI reported an error without an SR code: {error}"
    return None


def run_jsonl(data: dict[str, Any]) -> str | None:
    import sen_rules
    from sen_rules.engine.batch import MAX_LINE_BYTES
    from sen_rules.errors import SenRulesError
    from sen_rules.lines import iter_lines

    lines = list(iter_lines(io.BytesIO(data["raw"]), MAX_LINE_BYTES))
    results = list(sen_rules.evaluate_many(lines, as_of=data["as_of"]))
    if [r.index for r in results] != list(range(len(lines))):
        return f"{len(lines)} lines gave results numbered {[r.index for r in results]}"
    for line, result in zip(lines, results, strict=True):
        if (result.evaluation is None) == (result.error is None):
            return f"line {result.index + 1}: neither or both of a result and an error"
        if result.error is not None:
            if (problem := check_error(result.error, (SenRulesError,))) is not None:
                return f"line {result.index + 1}: {problem}"
            continue
        try:
            strict_json(line)
        except StrictJsonError as exc:
            return (f"line {result.index + 1} was evaluated, but the strict reader refuses "
                    f"it ({exc})")
    return None


def run_record(data: dict[str, Any]) -> str | None:
    from sen_rules.audit import verify_record
    from sen_rules.audit.record import canonical_json
    from sen_rules.errors import RecordError

    try:
        verification = verify_record(data["raw"], key=data["key"])
    except RecordError as exc:
        if not exc.code.startswith("SR5"):
            return f"a record error with code {exc.code}"
        return check_error(exc, (RecordError,))
    if data["resealed"]:
        return None  # a forgery that replays: its verdict is whatever the replay says
    try:
        same = canonical_json(strict_json(data["raw"])) == canonical_json(
            json.loads(data["original"]))
    except StrictJsonError as exc:
        return f"a record the strict reader refuses was verified ({exc})"
    if not same:
        return f"an altered record was verified: {verification!r}"
    if not verification.holds:
        return f"an unaltered record does not hold: {verification!r}"
    return None


def _rule_model(name: str) -> tuple[Any, str]:
    from sen_rules.loading import schema

    model, what = RULE_MODELS.get(name, ("AreaFile", "area"))
    return getattr(schema, model), what


def run_rule_yaml(data: dict[str, Any]) -> str | None:
    from sen_rules.errors import Diagnostic
    from sen_rules.loading.schema import structure_errors
    from sen_rules.loading.yamlfile import YamlFileError, read_rule_text, read_yaml

    path = corpus().scratch / "rule.yaml"
    path.write_bytes(data["raw"])
    try:
        text = read_rule_text(path)
    except (OSError, UnicodeDecodeError):  # the loader's SR101 "cannot read"
        return None
    try:
        doc = read_yaml(text, data["name"])
    except YamlFileError as exc:
        return check_error(exc, (YamlFileError,))
    if not isinstance(doc.data, dict):
        return None  # the loader's SR102
    model, what = _rule_model(data["name"])
    _, diagnostics = structure_errors(doc, model, what)
    return _bad_diagnostics(diagnostics, Diagnostic)


def _bad_diagnostics(diagnostics: Any, kind: type) -> str | None:
    for d in diagnostics:
        if not isinstance(d, kind) or not SR_CODE.match(d.code) or not d.message.strip():
            return f"a diagnostic without an SR code or a sentence: {d!r}"
    return None


def run_rule_load(data: dict[str, Any]) -> str | None:
    import sen_rules
    from sen_rules.errors import Diagnostic, RulebaseError, SenRulesError
    from sen_rules.loading.loader import load_rulebase

    rules = corpus().rules_dir()
    path = rules / data["name"]
    original = path.read_bytes()
    path.write_bytes(data["raw"])
    try:
        rulebase = load_rulebase(rules)
    except RulebaseError as exc:
        return check_error(exc, (RulebaseError,)) or _bad_diagnostics(exc.diagnostics, Diagnostic)
    finally:
        path.write_bytes(original)
    try:
        sen_rules.evaluate(corpus().cases[0], as_of="2030-01-01", rulebase=rulebase)
    except SenRulesError as exc:
        return check_error(exc, (SenRulesError,))
    return None


RUNNERS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "case-json": run_case_json, "jsonl": run_jsonl, "record": run_record,
    "rule-yaml": run_rule_yaml, "rule-load": run_rule_load,
}
