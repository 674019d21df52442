"""The author tools and the batch command at corpus size: wall time, rate and memory.

    python benchmarks/tools.py [--generate 10000] [--diff 100000] [--jsonl 1000000]
                               [--every-area 10000] [--workers 1,2] [--keep DIR]

* ``generate-cases``: N cases drawn in this process (target: 10,000 in under 5 s).
* ``diff``: the bundled rules against a copy with the Complex Needs Panel threshold at
  Level 4 (one setting, one area), over N generated cases, as the command runs it with 2
  workers and its progress bar (target: 100,000 in under 30 s); then every area evaluated
  under both rulebases (what a change touching every area costs), over fewer cases.
* ``evaluate --jsonl``: a file of N lines end to end (read, validate, evaluate, write the
  JSON Lines answer to a file) at each worker count: lines/s, and the memory of the whole
  process tree sampled through the run (flat: the same at a tenth, half and most of the way).

Commands run as subprocesses of the installed ``sen-rules``, as a user runs them, so their
figures are wall time on this machine. Used by benchmarks/benchmark.py; runnable alone.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEN_RULES = [sys.executable, "-m", "sen_rules"]
TARGETS = {"generate_s": 5.0, "diff_s": 30.0}


def tree_rss_mb(pid: int) -> float:
    """The resident memory of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending.extend(children.get(current, ()))
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1])
        except OSError:
            continue
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_sampled(command: list[str], every: float = 0.5) -> tuple[float, list[float], int]:
    """Run a command; (wall seconds, the tree's RSS in MB every ``every`` s, exit status)."""
    samples: list[float] = []
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(every):
            samples.append(tree_rss_mb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        sys.stderr.write(err.decode("utf-8", "replace")[-2000:])
    return seconds, samples, process.returncode


def write_corpus(path: Path, n: int, seed: int) -> float:
    """N generated lines into ``path`` by ``sen-rules generate-cases`` (2 workers): seconds."""
    start = time.perf_counter()
    subprocess.run([*SEN_RULES, "generate-cases", str(n), "--seed", str(seed), "--out",
                    str(path), "--workers", "2"], check=True)
    return time.perf_counter() - start


def level_4_rules(directory: Path) -> Path:
    """A copy of the bundled rules with the Complex Needs Panel threshold at Level 4."""
    target = directory / "rules-level-4"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "rules", target)
    settings = target / "settings.yaml"
    text, n = re.subn(r"(- name: complex_needs_funding_level\n(?:    .*\n)*?    value: )3\n",
                      r"\g<1>4\n", settings.read_text(encoding="utf-8"))
    assert n == 1, "the threshold setting is not where this benchmark looks for it"
    settings.write_text(text, encoding="utf-8")
    return target


def generate_figure(n: int, seed: int) -> None:
    from sen_rules.authoring.generate import generate_lines

    start = time.perf_counter()
    count = sum(1 for _ in generate_lines(n, seed))
    seconds = time.perf_counter() - start
    met = _met(n >= 10_000 and seconds * 10_000 / n < TARGETS["generate_s"], n, 10_000)
    print(f"generate-cases: {count:,} cases in {seconds:.2f} s ({count / seconds:,.0f} "
          f"cases/s; target 10,000 in < {TARGETS['generate_s']:.0f} s{met})")


def diff_figures(directory: Path, n: int, every_area: int, seed: int) -> None:
    import sen_rules
    from sen_rules.authoring.diff import diff, read_corpus

    corpus = directory / f"diff-{n}.jsonl"
    made = write_corpus(corpus, n, seed)
    new = level_4_rules(directory)
    seconds, samples, status = run_sampled(
        [*SEN_RULES, "diff", str(ROOT / "rules"), str(new), "--cases", str(corpus),
         "--workers", "2"])
    met = _met(status == 0 and n >= 100_000 and seconds * 100_000 / n < TARGETS["diff_s"],
               n, 100_000)
    print(f"diff (one setting changed, so one area evaluated), {n:,} cases, 2 workers: "
          f"{seconds:.1f} s, {n / seconds:,.0f} cases/s, peak {max(samples, default=0):.0f} "
          f"MB (target 100,000 in < {TARGETS['diff_s']:.0f} s{met}; corpus written in "
          f"{made:.1f} s)")
    if every_area > 0:
        old_rb, new_rb = sen_rules.bundled_rulebase(), sen_rules.load_rulebase(new)
        slice_ = directory / f"diff-{every_area}.jsonl"
        with corpus.open("rb") as src, slice_.open("wb") as out:
            for _, line in zip(range(every_area), src, strict=False):
                out.write(line)
        start = time.perf_counter()
        diff(old_rb, new_rb, read_corpus(slice_), workers=2, only_changed=False)
        seconds = time.perf_counter() - start
        print(f"diff, every area evaluated under both, {every_area:,} cases, 2 workers: "
              f"{seconds:.1f} s, {every_area / seconds:,.0f} cases/s (so 100,000 in about "
              f"{seconds * 100_000 / every_area:.0f} s)")


def jsonl_figures(directory: Path, n: int, workers: list[int], seed: int) -> None:
    corpus = directory / f"jsonl-{n}.jsonl"
    made = write_corpus(corpus, n, seed)
    size = corpus.stat().st_size / 2**20
    print(f"evaluate --jsonl: {n:,} lines ({size:,.0f} MB, written in {made:.0f} s), read, "
          "validated, evaluated and written to a file:")
    for count in workers:
        out = directory / "answers.jsonl"
        seconds, samples, status = run_sampled(
            [*SEN_RULES, "evaluate", "--jsonl", str(corpus), "--out", str(out),
             "--workers", str(count)])
        written = out.stat().st_size / 2**30 if out.exists() else 0.0
        out.unlink(missing_ok=True)
        at = "; ".join(f"{_mean(_window(samples, start)):.0f} MB at {start}-{start + 10}%"
                       for start in (10, 50, 80))
        print(f"  {count} worker{'s' if count > 1 else ' '}: {seconds:,.0f} s, "
              f"{n / seconds:,.0f} lines/s, {written:.1f} GB written; memory of the process "
              f"tree {at} of the run, peak {max(samples, default=0):.0f} MB"
              + ("" if status == 0 else f" (exit status {status})"))
    corpus.unlink(missing_ok=True)


def _met(met: bool, n: int, size: int) -> str:
    """' ✓' or ' ✗', or a note that the target is for a larger run (startup would weigh)."""
    if n < size:
        return f"; not judged under {size:,}"
    return " ✓" if met else " ✗"


def _window(samples: list[float], start: int) -> list[float]:
    """The samples taken from ``start`` to ``start + 10`` percent of the run."""
    a, b = len(samples) * start // 100, len(samples) * (start + 10) // 100
    return samples[a:max(b, a + 1)]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def report(args: argparse.Namespace) -> None:
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="sen-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    try:
        if args.generate > 0:
            generate_figure(args.generate, args.seed)
        if args.diff > 0:
            diff_figures(directory, args.diff, args.every_area, args.seed)
        if args.jsonl > 0:
            jsonl_figures(directory, args.jsonl, args.workers, args.seed)
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--generate", type=int, default=10_000, metavar="N")
    parser.add_argument("--diff", type=int, default=100_000, metavar="N")
    parser.add_argument("--every-area", type=int, default=10_000, metavar="N")
    parser.add_argument("--jsonl", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1, 2], metavar="1,2")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep what is made")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_options(parser)
    parser.add_argument("--seed", type=int, default=1)
    report(parser.parse_args())


if __name__ == "__main__":
    main()
