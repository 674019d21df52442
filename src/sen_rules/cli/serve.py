"""``sen-rules serve``: the decision service over HTTP (the ``server`` extra)."""

from __future__ import annotations

import argparse
from typing import Any

from .common import CommandError, add_rules_option
from .record import add_key_option, key_from

EXTRA_HINT = 'the decision service needs the server extra: pip install "sen-rules[server]" ' \
             '(from a checkout: pip install ".[server]")'


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "serve", help="serve decisions over HTTP (needs the server extra)",
        description="Serve the rulebase over HTTP: evaluate, explain, record and verify "
        "cases; with --log, store every record in a decision log that auditors can list, "
        "export and re-verify. Listens on 127.0.0.1 unless told otherwise, and refuses any "
        "other address without --tokens. SIGHUP (or POST /v1/admin/reload) reloads the "
        "rules without a restart. See docs/service.md.")
    add_rules_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on "
                   "(default 127.0.0.1; anything else needs --tokens)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="worker processes (default 1; 0 means one per core)")
    p.add_argument("--log", metavar="URL", help="store every record in this decision log: "
                   "sqlite:///PATH (or a file path) or postgresql://USER@HOST/DB")
    p.add_argument("--tokens", metavar="FILE", help="bearer tokens with their scopes, one "
                   "per line: NAME SCOPES TOKEN (see docs/service.md)")
    add_key_option(p, help="seal every record the service makes (and stores) with "
                   "HMAC-SHA256 using the bytes of FILE as the key, and check records "
                   "given to verify with it (as `sen-rules record/verify --key-file`)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from ..server.config import BindError, Settings, check_bind
        from ..server.run import serve
    except ImportError as exc:
        raise CommandError(f"error: {EXTRA_HINT} ({exc.name} is not installed)") from None
    from ..decision_log.database import LogUrlError
    from ..server.auth import TokenFileError, load_tokens
    from .common import workers_from

    settings = Settings(rules=args.rules, host=args.host, port=args.port,
                        workers=workers_from(args), log=args.log, tokens=args.tokens,
                        record_key=key_from(args))
    try:
        check_bind(settings)
        if settings.tokens:
            load_tokens(settings.tokens)  # a bad file is refused before anything starts
        serve(settings)
    except (BindError, TokenFileError, LogUrlError) as exc:
        raise CommandError(f"error: {exc}") from None
    except OSError as exc:  # for example the port is taken
        raise CommandError(f"error: cannot listen on {args.host}:{args.port}: "
                           f"{exc.strerror or exc}") from None
    return 0
