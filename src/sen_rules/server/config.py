"""The service's settings (from ``sen-rules serve``'s options), and the bind rule."""

from __future__ import annotations

from dataclasses import dataclass, field

from .limits import Limits

LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class Settings:
    rules: str | None = None  # the rules directory; None: the bundled rules
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    log: str | None = None  # the decision log's database URL
    tokens: str | None = None  # the token file
    record_key: bytes | None = field(default=None, repr=False)  # seals records (HMAC)
    limits: Limits = field(default_factory=Limits)
    supervised: bool = False  # set in worker processes started by the supervisor


class BindError(ValueError):
    """The service was asked to listen beyond this machine without tokens."""


def check_bind(settings: Settings) -> None:
    """Without a token file, anyone who can reach the port could ask for decisions about
    children: so then the service listens on this machine only."""
    if settings.tokens is None and settings.host not in LOCAL_HOSTS:
        raise BindError(f"refusing to listen on {settings.host} without --tokens: give a "
                        "token file, or listen on 127.0.0.1 only")
