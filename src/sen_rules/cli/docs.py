"""``sen-rules docs``: the rulebase as a self-contained website and Markdown."""

from __future__ import annotations

import argparse
from typing import Any

from .common import CommandError, add_rules_dir_argument


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "docs", help="write the rulebase as a self-contained HTML site and Markdown",
        description="Write the policy text with each clause linked to the rules that implement "
        "it (and back), every rule in plain words with its outcome, citations and scenarios, "
        "the settings and their versions, the ambiguity register, the scenario coverage "
        "map and the error codes: index.html, policy.html, rules.html, settings.html, "
        "register.html, coverage.html, errors.html, rulebase.md and errors.md.")
    add_rules_dir_argument(p)
    p.add_argument("--out", metavar="DIR", required=True, help="the folder to write into")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..authoring.docs import write_site
    from ..loading.loader import load_rulebase

    rulebase = load_rulebase(args.rules_dir)
    try:
        written = write_site(rulebase, args.out)
    except OSError as exc:
        raise CommandError(f"error: cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"wrote {len(written)} files to {args.out}: "
          + ", ".join(p.name for p in written))
    return 0
