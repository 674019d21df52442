"""Bearer tokens read from a file, each with the scopes it grants.

The file has one token per line: a name (for the access log), a comma-separated list of
scopes, and the token itself or ``sha256:`` followed by the token's hex digest (so the file
need not hold the secret)::

    # name        scopes                     token
    case-system   evaluate,record            4f1c2b...   (at least 16 characters)
    auditor       audit-read                 sha256:9e3a...

Tokens are compared by their sha256 digests in constant time. Without a token file the
service runs open, and then it only binds to localhost (see :mod:`.config`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import codes
from .problems import Problem

SCOPES = ("evaluate", "record", "audit-read", "reload")
MIN_TOKEN_LENGTH = 16


class TokenFileError(ValueError):
    """The token file cannot be used (the message names the line)."""


@dataclass(frozen=True)
class Client:
    """Who made a request and what they may do."""

    name: str
    scopes: frozenset[str]


OPEN = Client("local", frozenset(SCOPES))  # the client when no token file is given


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Tokens:
    """The tokens of a file, by digest."""

    by_digest: Mapping[str, Client]

    def client(self, authorization: str | None) -> Client:
        """The client an ``Authorization`` header names, or a 401 problem."""
        challenge = {"WWW-Authenticate": 'Bearer realm="sen-rules"'}
        if not authorization:
            raise Problem(401, codes.SR710, "this endpoint needs a bearer token "
                          "(Authorization: Bearer TOKEN)", headers=challenge)
        kind, _, token = authorization.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise Problem(401, codes.SR710, "the Authorization header must read 'Bearer TOKEN'",
                          headers=challenge)
        return self.by_token(token.strip(), challenge)

    def by_token(self, token: str, challenge: Mapping[str, str] | None = None) -> Client:
        digest = _digest(token)
        found: Client | None = None
        for known, client in self.by_digest.items():  # constant time over all entries
            if hmac.compare_digest(known, digest):
                found = client
        if found is None:
            raise Problem(401, codes.SR710, "the bearer token is not known", headers=challenge)
        return found


def parse_tokens(lines: Iterable[str], source: str = "token file") -> Tokens:
    by_digest: dict[str, Client] = {}
    names: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        where = f"{source}:{number}"
        if len(parts) != 3:
            raise TokenFileError(f"{where}: expected three fields: NAME SCOPES TOKEN")
        name, scope_text, token = parts
        scopes = frozenset(s for s in scope_text.split(",") if s)
        unknown = sorted(scopes - set(SCOPES))
        if unknown or not scopes:
            raise TokenFileError(f"{where}: unknown scope {', '.join(unknown) or '(none)'}; "
                                 f"the scopes are {', '.join(SCOPES)}")
        if token.startswith("sha256:"):
            digest = token[len("sha256:"):].lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise TokenFileError(f"{where}: sha256: must be followed by 64 hex digits")
        elif len(token) < MIN_TOKEN_LENGTH:
            raise TokenFileError(f"{where}: the token is shorter than {MIN_TOKEN_LENGTH} "
                                 "characters")
        else:
            digest = _digest(token)
        if name in names:
            raise TokenFileError(f"{where}: the name {name!r} is used twice")
        if digest in by_digest:
            raise TokenFileError(f"{where}: the same token is listed twice")
        names.add(name)
        by_digest[digest] = Client(name, scopes)
    if not by_digest:
        raise TokenFileError(f"{source}: no tokens in the file")
    return Tokens(by_digest)


def load_tokens(path: str | Path) -> Tokens:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenFileError(f"cannot read the token file {path}: {exc}") from None
    return parse_tokens(text.splitlines(), str(path))


def require(client: Client, *scopes: str) -> None:
    """A 403 problem unless the client has one of ``scopes``."""
    if not client.scopes.intersection(scopes):
        raise Problem(403, codes.SR711, f"the token {client.name!r} does not grant the scope "
                      f"{' or '.join(scopes)}")
