"""Batches under faults: a dead worker, Ctrl-C, a full disk, pipes, bad bytes. Each ends with
a clear message and a count, never a hang or a traceback. Every test bounds its own time, so
a regression fails instead of hanging the suite."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sen_rules
from sen_rules.engine import batch, workers
from sen_rules.errors import BatchError, CaseError
from sen_rules.lines import LineWriter, iter_lines

ROOT = Path(__file__).resolve().parent.parent
CASE = json.loads((ROOT / "examples" / "cases" / "school-action.json").read_text())
AS_OF = "2010-01-15"
LINE = json.dumps({"case": CASE, "as_of": AS_OF})
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail the test (instead of hanging) if it runs longer than 60 seconds."""

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError("the test did not finish in 60 seconds")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, 60)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def sen_rules_cli(*args: str, stdin: Any = subprocess.DEVNULL, stdout: Any = subprocess.PIPE,
                  timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "sen_rules", *args], stdin=stdin,
                          stdout=stdout, stderr=subprocess.PIPE, env=ENV, timeout=timeout,
                          check=False)


# ---------------------------------------------------------------------------- workers


def _dies_at_index_5(rulebase: Any, index: int, item: Any, as_of: Any,
                     backend: str) -> batch.BatchResult:
    if index == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    return batch.BatchResult(index, None, CaseError([("", "not evaluated")]))


def test_a_worker_that_dies_stops_the_batch_with_a_count(
        monkeypatch: pytest.MonkeyPatch, deadline: None) -> None:
    monkeypatch.setattr(workers, "start_method", lambda: "fork")  # the patch is inherited
    monkeypatch.setattr(batch, "_evaluate_one", _dies_at_index_5)
    seen: list[int] = []
    with pytest.raises(BatchError) as err:
        for result in sen_rules.evaluate_many([CASE] * 40, as_of=AS_OF, workers=2):
            seen.append(result.index)
    assert err.value.code == "SR601" and "SIGKILL" in err.value.message
    assert err.value.done == len(seen) and seen == list(range(len(seen)))
    assert len(seen) <= 5


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_errors_keep_their_class_and_details_across_processes(
        method: str, monkeypatch: pytest.MonkeyPatch, deadline: None) -> None:
    monkeypatch.setattr(workers, "start_method", lambda: method)
    items: list[Any] = ["{bad", {"child": {"id": "X"}}, CASE]
    one = list(sen_rules.evaluate_many(items, as_of=AS_OF))
    two = list(sen_rules.evaluate_many(items, as_of=AS_OF, workers=2))
    for a, b in zip(one, two, strict=True):
        assert type(a.error) is type(b.error)
        if isinstance(a.error, CaseError):
            assert isinstance(b.error, CaseError)
            assert a.error.problems == b.error.problems and a.error.code == b.error.code
    assert two[2].ok


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_rulebase_whose_files_were_deleted_still_runs_in_workers(
        method: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, deadline: None) -> None:
    monkeypatch.setattr(workers, "start_method", lambda: method)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    rulebase = sen_rules.load_rulebase(tmp_path / "rules")
    shutil.rmtree(tmp_path / "rules")
    results = list(sen_rules.evaluate_many([CASE] * 3, as_of=AS_OF, rulebase=rulebase,
                                           workers=2))
    assert [r.ok for r in results] == [True] * 3


def _setup_fails() -> None:
    raise RuntimeError("cannot start")


def _never(state: Any, index: int, item: Any) -> Any:
    return item


def test_a_worker_that_cannot_start_ends_the_batch(deadline: None) -> None:
    with pytest.raises(BatchError) as err:
        list(workers.run_ordered(_never, range(10), workers=2, setup=_setup_fails,
                                 setup_args=()))
    assert err.value.code == "SR602" and "cannot start" in err.value.message


@pytest.mark.parametrize("count", [0, -1, 100_000, True])
def test_the_number_of_workers_is_checked(count: Any) -> None:
    with pytest.raises(ValueError, match="workers"):
        list(sen_rules.evaluate_many([CASE], as_of=AS_OF, workers=count))


@pytest.mark.parametrize("count", ["-1", "100000"])
def test_the_workers_option_is_checked(count: str) -> None:
    done = sen_rules_cli("evaluate", "--jsonl", "-", "--workers", count, timeout=30)
    assert done.returncode == 2 and b"--workers must be between 1 and" in done.stderr


def test_an_interrupt_ends_the_batch_with_a_count(tmp_path: Path, deadline: None) -> None:
    """Ctrl-C with two workers busy: no hang, no worker tracebacks, a count. (The input is
    whole: with workers the batch reads ahead, see docs/limits-and-faults.md.)"""
    cases = tmp_path / "cases.jsonl"
    cases.write_text((LINE + "\n") * 20_000)
    process = subprocess.Popen(
        [sys.executable, "-m", "sen_rules", "evaluate", "--jsonl", str(cases), "--workers",
         "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
        start_new_session=True, preexec_fn=_ctrl_c_as_at_a_terminal)
    assert process.stdout is not None
    try:
        first = process.stdout.readline()  # the batch is running
        assert json.loads(first)["line"] == 1
        os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole group
        out = process.stdout.read()  # the deadline ends a hang
        err = process.stderr.read() if process.stderr else b""
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert b"Traceback" not in err and b"interrupted:" in err
    rows = [json.loads(x) for x in (first + out).splitlines()]
    assert [r["line"] for r in rows] == list(range(1, len(rows) + 1))
    assert f"{len(rows)} written".encode() in err


def _ctrl_c_as_at_a_terminal() -> None:
    """A test run in the background of a shell ignores Ctrl-C, and its children would too."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_workers_end_when_their_parent_is_killed(deadline: None) -> None:
    """A worker holds no end of another's pipe, so a parent killed outright leaves no
    worker behind once it finishes the item in hand (one left would keep the parent's
    output open for ever)."""
    script = (
        "import os, time\n"
        "from sen_rules.engine import workers\n"
        "def setup(): return None\n"
        # one write of a whole line (atomic on a pipe): print() writes the number and the
        # line break apart, and two workers' lines could interleave
        "def task(state, i, item): os.write(1, f'{os.getpid()}\\n'.encode()); time.sleep(1)\n"
        "next(workers.run_ordered(task, range(100), workers=2, setup=setup,\n"
        "                         setup_args=(), chunk_size=1))\n")
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               env=ENV, start_new_session=True)
    assert process.stdout is not None
    pids = [int(process.stdout.readline()) for _ in range(2)]
    assert len(set(pids)) == 2 and process.pid not in pids
    process.kill()
    process.wait(10)
    for _ in range(100):
        alive = [pid for pid in pids if _alive(pid)]
        if not alive:
            break
        threading.Event().wait(0.1)
    assert not alive, f"workers {alive} outlived their parent"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# ---------------------------------------------------------------------------- input


def test_a_named_pipe_is_read_once_and_evaluated(tmp_path: Path) -> None:
    fifo = tmp_path / "cases.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "w") as handle:
            handle.write((LINE + "\n") * 3)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    done = sen_rules_cli("evaluate", "--jsonl", str(fifo))
    writer.join(10)
    assert done.returncode == 0, done.stderr
    assert [json.loads(x)["ok"] for x in done.stdout.splitlines()] == [True] * 3


MIXED = b"\n".join([
    LINE.encode(),
    LINE.replace('"case"', '"case"\r', 1).encode(),  # a bare CR is JSON whitespace
    LINE.encode()[:-1] + b' , "x\xff": 1}',  # not UTF-8
    b"{oops",
    LINE.encode(),
]) + b"\n"


def _check_mixed(stdout: bytes, stderr: bytes) -> None:
    rows = [json.loads(x) for x in stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["ok"] for r in rows] == [True, True, False, False, True]
    assert b"line 3: error" in stderr and b"UTF-8" in stderr and b"line 4: error" in stderr
    assert b"Traceback" not in stderr


def test_bad_bytes_and_carriage_returns_in_a_file_and_on_standard_input(
        tmp_path: Path) -> None:
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(MIXED)
    from_file = sen_rules_cli("evaluate", "--jsonl", str(source))
    assert from_file.returncode == 1
    _check_mixed(from_file.stdout, from_file.stderr)
    with open(source, "rb") as handle:
        from_stdin = sen_rules_cli("evaluate", "--jsonl", "-", stdin=handle)
    assert from_stdin.returncode == 1
    assert from_stdin.stdout == from_file.stdout and from_stdin.stderr == from_file.stderr


def test_a_line_that_is_too_long_costs_its_limit_and_is_one_error() -> None:
    stream = io.BytesIO(b"[" + b" " * 3_000_000 + b"]\n" + LINE.encode() + b"\n")
    lines = list(iter_lines(stream, batch.MAX_LINE_BYTES))
    assert [len(x) for x in lines] == [batch.MAX_LINE_BYTES + 1, len(LINE)]
    results = list(sen_rules.evaluate_many(lines, as_of=AS_OF))
    assert results[0].error is not None and "longer than" in results[0].error.message
    assert results[1].ok


def test_a_case_file_that_never_ends_is_refused_unread() -> None:
    done = sen_rules_cli("evaluate", "/dev/zero", "--as-of", AS_OF, timeout=30)
    assert done.returncode == 2 and b"larger than 1,000,000 bytes" in done.stderr


# ---------------------------------------------------------------------------- output


def test_a_full_disk_on_standard_output_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text((LINE + "\n") * 3)
    with open("/dev/full", "wb") as full:
        done = sen_rules_cli("evaluate", "--jsonl", str(source), stdout=full)
    assert done.returncode == 1
    assert b"cannot write standard output: No space left on device" in done.stderr
    assert b"Traceback" not in done.stderr


def test_a_full_disk_for_the_out_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text((LINE + "\n") * 3)
    done = sen_rules_cli("evaluate", "--jsonl", str(source), "--out", "/dev/full")
    assert done.returncode == 1 and b"cannot write /dev/full" in done.stderr
    assert b"Traceback" not in done.stderr


class FillingFile(io.BytesIO):
    """A file on a disk with ``room`` bytes free: a write beyond it stores what fits."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, data: Any) -> int:
        free = self.room - self.tell()
        if free <= 0:
            raise OSError(28, "No space left on device")
        return super().write(bytes(data)[:free])


def test_a_full_disk_leaves_whole_lines_only() -> None:
    target = FillingFile(room=5000)
    writer = LineWriter(target, "out.jsonl", may_cut=True, buffer_bytes=1)
    with pytest.raises(BatchError) as err:
        for i in range(1000):
            writer.write_line(json.dumps({"line": i, "text": "x" * 37}))
    assert err.value.code == "SR604" and "No space left" in err.value.message
    text = target.getvalue().decode()
    assert text.endswith("\n")
    rows = [json.loads(x) for x in text.splitlines()]
    assert [r["line"] for r in rows] == list(range(len(rows)))
    assert err.value.done == len(rows) == writer.lines > 0
    assert f"holds the first {len(rows)} line(s)" in err.value.message
