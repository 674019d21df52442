"""``sen-rules schema``: the JSON Schema of a case."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..case import case_json_schema
from .common import add_out_option, write_output


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "schema", help="print the JSON Schema of a case",
        description="Print the JSON Schema (draft 2020-12) that every case must satisfy.")
    add_out_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    write_output(json.dumps(case_json_schema(), indent=2, ensure_ascii=False), args.out)
    return 0
