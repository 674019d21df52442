"""``sen-rules verify``: replay a decision record and say whether it still holds.

Exit status: 0 holds; 1 differs (same rulebase, other decisions); 3 the rulebase has
changed and the decisions would be the same under it; 4 the rulebase has changed and the
decisions would differ; 5 the record is malformed, altered, or needs a key; 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..audit import EXIT_RECORD_ERROR, verify_record
from ..audit.verify import MAX_RECORD_BYTES
from ..errors import RecordError
from .common import (
    add_format_option,
    add_out_option,
    add_rules_option,
    read_text,
    rulebase_from,
    write_output,
)
from .record import add_key_option, key_from


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "verify", help="replay a decision record: holds, differs, or rulebase changed",
        description="Check a decision record's seal and replay it. Answers 'holds' (exit 0), "
        "'differs' (exit 1, showing what), or 'rulebase changed' (exit 3 when the decisions "
        "would be the same under the current rulebase, 4 when they would differ, showing "
        "both hashes). A record that is malformed or was edited exits 5.")
    p.add_argument("record", metavar="RECORD.json", help="the record ('-' for standard input)")
    add_format_option(p)
    add_out_option(p)
    add_key_option(p, help="the key file the record was sealed with (`sen-rules record "
                   "--key-file`); needed to check an HMAC-SHA256 seal")
    add_rules_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = read_text(args.record, MAX_RECORD_BYTES)
    key = key_from(args)
    try:
        result = verify_record(text, rulebase=rulebase_from(args), key=key)
    except RecordError as exc:
        if args.format == "json":
            write_output(json.dumps({"status": "error", "exit_code": EXIT_RECORD_ERROR,
                                     "error": exc.to_dict()}, indent=2, ensure_ascii=False),
                         args.out)
        else:
            print(f"sen-rules: error {exc}", file=sys.stderr)
        return EXIT_RECORD_ERROR
    out = (json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
           if args.format == "json" else result.to_text())
    write_output(out, args.out)
    return result.exit_code
