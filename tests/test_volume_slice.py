"""A small, fixed-seed slice of benchmarks/volume.py: fuzzed case JSON and rule files, and
native, durable and the reference implementation on generated cases, with no failure."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import volume  # noqa: E402


def test_fuzzed_readers_slice() -> None:
    part, done, failures, _ = volume._chunk(("fuzz", 7, 0, 60))
    assert part == "fuzz" and done >= 50
    assert failures == []


def test_differential_slice() -> None:
    part, done, failures, _ = volume._chunk(("differential", 7, 0, 15))
    assert part == "differential" and done >= 10
    assert failures == []
