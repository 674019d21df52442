"""The rulebase the service answers with, and replacing it without a restart.

A request takes the current :class:`Loaded` once, at its start, and uses only that for
its whole answer, so a reload never mixes two rulebases in one response and requests in
flight finish on the rulebase they started with. A reload loads and checks the new rules
off to the side (and evaluates one example case with them, so nothing is compiled lazily
on the first request); only then is the reference swapped, in one assignment. Rules that
fail to load are refused and the old rulebase keeps serving.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import codes
from ..api import evaluate
from ..errors import RulebaseError, SenRulesError
from ..loading.loader import load_rulebase
from ..rulebase import Rulebase
from .problems import Problem


@dataclass(frozen=True)
class Loaded:
    """One loaded rulebase and what the service says about it."""

    rulebase: Rulebase
    loaded_at: float = field(default_factory=time.time)

    @property
    def headers(self) -> dict[str, str]:
        rb = self.rulebase
        return {"Sen-Rules-Rulebase": rb.name, "Sen-Rules-Rulebase-Version": rb.version,
                "Sen-Rules-Rulebase-Sha256": rb.sha256}

    def describe(self) -> dict[str, Any]:
        """Name, version, hash, areas and the spans of dates with the same rules in force."""
        rb = self.rulebase
        return {
            "name": rb.name,
            "version": rb.version,
            "sha256": rb.sha256,
            "title": rb.title,
            "areas": [{"id": a.id, "title": a.title, "rules": len(a.all_rules)}
                      for a in rb.areas],
            "in_force": _spans(rb),
            "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.loaded_at)),
        }


def _spans(rb: Rulebase) -> list[dict[str, Any]]:
    """Every span of dates over which the same rule versions and settings are in force."""
    spans: list[dict[str, Any]] = []
    day = date.min
    while True:
        epoch = rb.epoch(day)
        spans.append({"from": None if epoch.start == date.min else epoch.start.isoformat(),
                      "until": None if epoch.end >= date.max else
                      epoch.end.isoformat(),
                      "rules": len(epoch.rules)})
        if epoch.end >= date.max:
            return spans
        day = date.fromordinal(epoch.end.toordinal() + 1)


WARM_UP_CASE = {"child": {"id": "warm-up", "date_of_birth": "2015-01-01"}}


def check(rulebase: Rulebase) -> None:
    """Evaluate one small case, so the rules are compiled before they serve anyone."""
    # the warm-up case may be refused by a rulebase with other needs; loading did the checks
    with contextlib.suppress(SenRulesError):
        evaluate(WARM_UP_CASE, as_of=date.today(), rulebase=rulebase)


class Holder:
    """The current rulebase; :meth:`reload` swaps it for a freshly loaded one."""

    def __init__(self, directory: str | None) -> None:
        self.directory = directory
        self._lock = threading.Lock()  # one reload at a time
        rulebase = load_rulebase(directory)
        check(rulebase)
        self.current = Loaded(rulebase)
        self.reloads = 0
        self.last_error: str | None = None

    def reload(self) -> tuple[Loaded, bool]:
        """Load the rules again; returns the rulebase now serving and whether it changed.

        Raises a 409 problem (SR720) naming the first error when the new rules do not
        load; the old rulebase keeps serving.
        """
        with self._lock:
            try:
                rulebase = load_rulebase(self.directory)
                check(rulebase)
            except RulebaseError as exc:
                self.last_error = str(exc)
                errors = [{"path": str(d.location or ""), "message": f"{d.code}: {d.message}"}
                          for d in exc.diagnostics if d.severity == "error"][:20]
                raise Problem(409, codes.SR720, "the new rules were refused and the rulebase "
                              f"{self.current.rulebase.version} keeps serving: {exc}",
                              errors) from None
            self.last_error = None
            changed = rulebase.sha256 != self.current.rulebase.sha256
            if changed:
                self.current = Loaded(rulebase)  # one assignment: atomic for readers
                self.reloads += 1
            return self.current, changed
