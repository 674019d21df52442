"""``sen-rules record``: a replayable, tamper-evident decision record of a case."""

from __future__ import annotations

import argparse
from typing import Any

from .. import codes
from ..audit import make_record, record_to_json
from .common import (
    CommandError,
    add_as_of_option,
    add_backend_option,
    add_case_argument,
    add_out_option,
    add_rules_option,
    read_case,
    write_output,
)


def add_key_option(parser: argparse.ArgumentParser, help: str = (
        "seal with HMAC-SHA256 using the bytes of FILE as the key (default: an unkeyed "
        "sha256 seal)")) -> None:
    parser.add_argument("--key-file", metavar="FILE", help=help)


def key_from(args: argparse.Namespace) -> bytes | None:
    path = getattr(args, "key_file", None)
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            key = f.read()
    except OSError as exc:
        raise CommandError(f"error: cannot read key file {path}: {exc.strerror}",
                           code=codes.SR010) from None
    if not key.strip():
        raise CommandError(f"error: key file {path} is empty")
    return key


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "record", help="write a decision record that `sen-rules verify` can replay",
        description="Evaluate a case and write one JSON document holding the canonical case "
        "and its sha256, the rulebase's name, version and sha256, the sen-rules version, the "
        "backend, the as-of date, the decisions and their full trace, sealed by a digest over "
        "all of it so that any edit is detected. The same input gives the same bytes.")
    add_case_argument(p)
    add_as_of_option(p)
    add_backend_option(p, help="evaluation engine that makes the decision (default: native)")
    add_out_option(p, metavar="RECORD.json")
    add_key_option(p)
    add_rules_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text, options = read_case(args)
    record = make_record(text, **options, key=key_from(args))
    write_output(record_to_json(record), args.out)
    return 0
