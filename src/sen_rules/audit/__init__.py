"""Decision records that can be replayed years later, and their verification.

::

    from sen_rules.audit import make_record, record_to_json, verify_record
    record = make_record(case, as_of="2009-02-01")
    text = record_to_json(record)              # store it
    answer = verify_record(text)               # later: holds / differs / rulebase-changed
    answer.exit_code, answer.to_text()

A record edited by hand raises :class:`sen_rules.RecordError` (SR502) on verification.
"""

from __future__ import annotations

from .record import (
    RECORD_FORMAT,
    RECORD_KIND,
    canonical_case,
    canonical_json,
    make_record,
    record_to_json,
    sha256_of,
)
from .verify import (
    EXIT_DIFFERS,
    EXIT_HOLDS,
    EXIT_RECORD_ERROR,
    EXIT_RULEBASE_CHANGED_DIFFERS,
    EXIT_RULEBASE_CHANGED_SAME,
    Difference,
    Verification,
    compare_decisions,
    load_record,
    verify_record,
)

__all__ = [
    "EXIT_DIFFERS",
    "EXIT_HOLDS",
    "EXIT_RECORD_ERROR",
    "EXIT_RULEBASE_CHANGED_DIFFERS",
    "EXIT_RULEBASE_CHANGED_SAME",
    "RECORD_FORMAT",
    "RECORD_KIND",
    "Difference",
    "Verification",
    "canonical_case",
    "canonical_json",
    "compare_decisions",
    "load_record",
    "make_record",
    "record_to_json",
    "sha256_of",
    "verify_record",
]
