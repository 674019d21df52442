"""``sen-rules log``: the decision log for auditors (the ``server`` extra).

``list`` and filter stored decisions, ``show`` one (its report), ``export`` them as JSON
Lines, ``reverify`` them all against a rulebase. The database is ``--log URL`` or the
``SEN_RULES_LOG`` environment variable.

Exit status of ``reverify``: 0 no decision would differ; 1 some would; 5 a stored record
is altered or unreadable, or sealed with a key that was not given (``--key-file``).
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
from typing import Any

from .common import (
    CommandError,
    add_out_option,
    add_rules_option,
    bar_enabled,
    output_stream,
    rulebase_from,
    workers_from,
    write_output,
)
from .record import add_key_option, key_from
from .serve import EXTRA_HINT


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _add_log(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log", metavar="URL", default=None,
                   help="the decision log: sqlite:///PATH (or a path) or postgresql://... "
                   "(default: $SEN_RULES_LOG)")


def _add_filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters (all must hold)")
    g.add_argument("--from", dest="recorded_from", type=_date, metavar="DATE",
                   help="decided on or after DATE (UTC)")
    g.add_argument("--until", dest="recorded_until", type=_date, metavar="DATE",
                   help="decided on or before DATE (UTC)")
    g.add_argument("--as-of-from", type=_date, metavar="DATE",
                   help="evaluation date on or after DATE")
    g.add_argument("--as-of-until", type=_date, metavar="DATE",
                   help="evaluation date on or before DATE")
    g.add_argument("--area", help="a policy area's id (e.g. sen_stage)")
    g.add_argument("--outcome", help="an outcome (of --area, or of any area)")
    g.add_argument("--rulebase-version", metavar="VERSION",
                   help="made under this rulebase version")
    g.add_argument("--case-id", metavar="ID", help="about this case")


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "log", help="the decision log for auditors: list, show, export, reverify",
        description="Read the decision log that `sen-rules serve --log` writes: list and "
        "filter decisions, show one's report, export records as JSON Lines, and re-verify "
        "every stored decision against a rulebase (in parallel) to find those the rules "
        "would now decide differently.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    a = actions.add_parser("list", help="list decisions, newest first")
    _add_log(a)
    _add_filters(a)
    a.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    a.add_argument("--format", choices=("text", "json"), default="text")
    add_out_option(a)
    a.set_defaults(run=run_list)

    s = actions.add_parser("show", help="one decision: its report (text or HTML) or record")
    _add_log(s)
    s.add_argument("id", metavar="ID", help="the decision's id")
    s.add_argument("--format", choices=("text", "html", "json"), default="text",
                   help="text or HTML report, or json: the sealed record as stored")
    add_rules_option(s)
    add_out_option(s)
    s.set_defaults(run=run_show)

    e = actions.add_parser("export", help="records as JSON Lines, oldest first")
    _add_log(e)
    _add_filters(e)
    add_out_option(e)
    e.set_defaults(run=run_export)

    r = actions.add_parser("reverify", help="replay stored decisions under a rulebase")
    _add_log(r)
    _add_filters(r)
    add_rules_option(r)
    r.add_argument("--workers", type=int, default=0, metavar="N",
                   help="processes (default 0: one per core)")
    add_key_option(r, help="the key file the records were sealed with (`sen-rules serve "
                   "--key-file`); needed to check HMAC-SHA256 seals")
    r.add_argument("--format", choices=("text", "json"), default="text")
    add_out_option(r)
    r.set_defaults(run=run_reverify)


def _open(args: argparse.Namespace) -> Any:
    try:
        from ..decision_log.database import LogUrlError
        from ..decision_log.store import DecisionLog
    except ImportError as exc:
        raise CommandError(f"error: {EXTRA_HINT} ({exc.name} is not installed)") from None
    url = args.log or os.environ.get("SEN_RULES_LOG")
    if not url:
        raise CommandError("error: name the decision log with --log URL or SEN_RULES_LOG")
    if "://" not in url and not os.path.exists(url):
        raise CommandError(f"error: {url}: no such decision log")
    try:
        return DecisionLog(url)
    except LogUrlError as exc:
        raise CommandError(f"error: {exc}") from None
    except Exception as exc:  # the database cannot be reached or read
        raise CommandError(f"error: cannot open the decision log: {type(exc).__name__}: "
                           f"{str(exc).splitlines()[0] if str(exc) else ''}") from None


def _filters(args: argparse.Namespace) -> Any:
    from ..decision_log.store import Filters

    return Filters(recorded_from=args.recorded_from, recorded_until=args.recorded_until,
                   as_of_from=args.as_of_from, as_of_until=args.as_of_until, area=args.area,
                   outcome=args.outcome, rulebase_version=args.rulebase_version,
                   case_id=args.case_id)


def run_list(args: argparse.Namespace) -> int:
    log = _open(args)
    found = log.summaries(_filters(args), limit=max(args.limit, 1))
    if args.format == "json":
        write_output(json.dumps([s.to_dict() for s in found], indent=2, ensure_ascii=False),
                     args.out)
        return 0
    lines = [f"{'id':36}  {'decided (UTC)':19}  {'case':16}  {'as of':10}  {'rulebase':8}  "
             "outcomes"]
    for s in found:
        d = s.to_dict()
        outcomes = ", ".join(f"{k}={v}" for k, v in d["outcomes"].items())
        lines.append(f"{d['id']:36}  {d['recorded_at'][:19].replace('T', ' ')}  "
                     f"{d['case_id']:16}  {d['as_of']:10}  {d['rulebase']['version']:8}  "
                     f"{outcomes}")
    lines.append(f"{len(found)} decision(s) shown")
    write_output("\n".join(lines), args.out)
    return 0


def run_show(args: argparse.Namespace) -> int:
    from ..server.reports import stored_report, stored_text

    log = _open(args)
    found = log.get(args.id)
    if found is None:
        raise CommandError(f"error: no decision {args.id} in the log")
    _, text = found
    if args.format == "json":
        write_output(text, args.out)
    elif args.format == "html":
        write_output(stored_report(text, rulebase_from(args)), args.out)
    else:
        write_output(stored_text(text, rulebase_from(args)), args.out)
    return 0


def run_export(args: argparse.Namespace) -> int:
    log = _open(args)
    with output_stream(args.out) as out:
        for _, text in log.records(_filters(args)):
            out.write(json.dumps(json.loads(text), ensure_ascii=False,
                                 separators=(",", ":")) + "\n")
    return 0


def run_reverify(args: argparse.Namespace) -> int:
    from ..decision_log.reverify import CHANGED_DIFFERS, DIFFERS, FAILED, reverify
    from ..progress import Progress

    log = _open(args)
    filters = _filters(args)
    rulebase = rulebase_from(args)
    key = key_from(args)
    total = log.count(filters)
    with output_stream(args.out) as out:
        with Progress(total, "re-verifying", enabled=bar_enabled(out)) as bar:
            result = reverify(log, rulebase, filters, workers=workers_from(args),
                              key=key, advance=bar.advance)
        out.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
                  if args.format == "json" else result.to_text())
    if any(result.counts[kind] for kind in FAILED):
        return 5
    return 1 if result.counts[DIFFERS] or result.counts[CHANGED_DIFFERS] else 0
