"""What explaining costs as a case holds more candidate placements (not a test).

    python benchmarks/explain_by_candidates.py [1 10 50]
    python benchmarks/explain_by_candidates.py --write 50 limits.json   # the case alone

For each count, a valid case with that many candidates (the rest of the case at the limits
of sen_rules.case: disputes, reviews, support periods, agencies) is explained, with and without
counterfactuals, and made into a report and a record, each in a fresh process so that its
peak memory is its own. Prints seconds (wall clock, and processor time: on a shared machine
the wall clock depends on the load), and peak resident memory (MB).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2012-02-01"


def with_candidates(n: int) -> dict[str, Any]:
    """The placement example with ``n`` candidates (each after the first a variant), the
    views' preferences kept only where they name one of them."""
    base: dict[str, Any] = json.loads(
        (ROOT / "examples" / "cases" / "placement-candidates.json").read_text())
    kept = base["candidate_placements"][:n]
    model = kept[0]
    base["candidate_placements"] = kept + [
        dict(model, id=f"P{i}", name=f"School {i}", distance_km=float(i % 17),
             funding_level=1 + i % 5) for i in range(n - len(kept))]
    ids = {c["id"] for c in base["candidate_placements"]}
    for who in ("parents", "pupil"):
        view = base.get("views", {}).get(who) or {}
        if view.get("preferred_placement") not in ids:
            view.pop("preferred_placement", None)
    return base


def case_with(candidates: int) -> dict[str, Any]:
    """The placement example, grown to ``candidates`` candidates and the list limits."""
    from sen_rules.case import (
        MAX_AGENCIES,
        MAX_DISPUTES,
        MAX_REVIEWS,
        MAX_SUPPORT_PERIODS,
        SenSupportPeriod,
    )
    from sen_rules.case_description import choices_of

    base = with_candidates(candidates)
    base["statement"] = dict(base.get("statement") or {}, made_on="2006-01-01", reviews=[
        {"held_on": f"{2006 + i // 12:04d}-{1 + i % 12:02d}-15"} for i in range(MAX_REVIEWS)])
    base["disputes"] = [{"party": ("parent", "health", "school")[i % 3],
                         "resolved": i % 2 == 0, "about": f"matter {i}"}
                        for i in range(MAX_DISPUTES)]
    agencies = list(choices_of(SenSupportPeriod, "agencies")) * MAX_AGENCIES
    base["sen_support"] = [{"started": f"{2001 + i // 12:04d}-{1 + i % 12:02d}-01",
                            "ended": f"{2001 + i // 12:04d}-{1 + i % 12:02d}-20",
                            "outside_advice_sought": i % 3 == 0,
                            "agencies": agencies[:MAX_AGENCIES] if i % 3 == 0 else []}
                           for i in range(MAX_SUPPORT_PERIODS)]
    return base


def measure(what: str, candidates: int) -> tuple[float, float, float]:
    """In this process: seconds for ``what`` (wall clock and processor), and peak memory
    in MB."""
    import sen_rules
    from sen_rules.audit import make_record
    from sen_rules.explain import explain
    from sen_rules.reports.markdown import markdown_report

    case = case_with(candidates)
    sen_rules.evaluate(case, as_of=AS_OF)  # compile once, outside the timing
    began, cpu = time.perf_counter(), time.process_time()
    if what == "explain":
        explain(case, as_of=AS_OF, counterfactuals=False).to_json()
    elif what == "explain+counterfactuals":
        explain(case, as_of=AS_OF).to_json()
    elif what == "report":
        markdown_report(explain(case, as_of=AS_OF))
    else:
        make_record(case, as_of=AS_OF)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(argv[1], int(argv[2]))))
        return 0
    if argv[:1] == ["--write"]:  # the case with N candidates, for timing the command
        Path(argv[2]).write_text(json.dumps(case_with(int(argv[1])), indent=1))
        return 0
    counts = [int(a) for a in argv] or [1, 10, 50]
    print(f"{'what':26} {'candidates':>10} {'seconds':>8} {'cpu s':>8} {'peak MB':>8}")
    for what in ("explain", "explain+counterfactuals", "report", "record"):
        for n in counts:
            out = subprocess.run([sys.executable, __file__, "--one", what, str(n)],
                                 capture_output=True, text=True, check=True).stdout
            seconds, cpu, mb = json.loads(out)
            print(f"{what:26} {n:>10} {seconds:>8.2f} {cpu:>8.2f} {mb:>8.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
