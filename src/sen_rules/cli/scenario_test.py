"""``sen-rules test``: run the scenario files beside the rules, with coverage."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..engine.service import BACKENDS
from .common import (
    CommandError,
    add_backend_option,
    add_format_option,
    add_out_option,
    add_rules_dir_argument,
    write_output,
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "test", help="run the scenario tests of a rules directory and report coverage",
        description="Run the scenarios (rules/scenarios/*.yaml, or the manifest's "
        "'scenarios:' list): each evaluates a case on a date and compares the decisions with "
        "those expected. A failure shows expected against actual and the trace of the "
        "deciding rule. Then coverage: rules fired, condition parts seen true and false, "
        "cited clauses exercised. Exit status 1 when a scenario fails or rule coverage is "
        "below --min-coverage.")
    add_rules_dir_argument(p)
    p.add_argument("--min-coverage", metavar="N", type=float, default=None,
                   help="fail when fewer than N percent of the rules fired in some scenario")
    add_backend_option(p, help="backend for scenarios that do not name one (default: native)",
                       choices=(*BACKENDS, "both"))
    p.add_argument("-k", dest="keyword", metavar="TEXT", default=None,
                   help="run only scenarios whose name contains TEXT")
    add_format_option(p)
    p.add_argument("--verbose", "-v", action="store_true",
                   help="list passing scenarios and everything coverage missed")
    add_out_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..authoring.scenarios import load_scenarios, run_scenarios
    from ..engine.result import dumps
    from ..loading.loader import load_rulebase
    from ..progress import Progress

    if args.min_coverage is not None and not 0 <= args.min_coverage <= 100:
        raise CommandError("error: --min-coverage takes a percentage between 0 and 100")
    rulebase = load_rulebase(args.rules_dir)
    scenarios, diags = load_scenarios(rulebase)
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        for d in errors:
            print(d, file=sys.stderr)
        raise CommandError(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the "
                            "scenario files; nothing was run", status=1)
    if args.keyword:
        scenarios = [s for s in scenarios if args.keyword.lower() in s.name.lower()]
    with Progress(len(scenarios), "scenarios") as bar:
        results, coverage = run_scenarios(rulebase, scenarios, args.backend,
                                           lambda n: bar.advance())
    failed = [r for r in results if not r.passed]
    percent = coverage.rule_percent()
    below = args.min_coverage is not None and percent + 1e-9 < args.min_coverage
    if args.format == "json":
        write_output(dumps({
            "scenarios": len(scenarios), "runs": len(results), "failed": len(failed),
            "skipped": sum(1 for r in results if r.skipped),
            "failures": [{"scenario": r.scenario.name, "file": r.scenario.file,
                          "line": r.scenario.location.line, "backend": r.backend,
                          "problems": r.problems, "trace": r.trace} for r in failed],
            "coverage": coverage.to_dict(),
            "min_coverage": args.min_coverage, "ok": not failed and not below,
        }), args.out)
    else:
        lines: list[str] = []
        for r in results:
            if not r.passed or args.verbose:
                lines.append(r.report())
                if not r.passed:
                    lines.append("")
        skipped = [r for r in results if r.skipped]
        if skipped and not args.verbose:
            lines.append(f"{len(skipped)} run{'s' if len(skipped) != 1 else ''} skipped: "
                         f"{skipped[0].skipped}")
        lines.append(f"{len(scenarios)} scenarios, {len(results)} runs: "
                     f"{len(results) - len(failed) - len(skipped)} passed, {len(failed)} "
                     f"failed" + (f", {len(skipped)} skipped" if skipped else ""))
        lines.append("coverage:")
        lines.extend(coverage.summary_lines())
        if args.verbose:
            lines.extend(coverage.missing_lines(limit=10_000))
        elif percent < 100 and not args.keyword:
            lines.extend(coverage.missing_lines(limit=15))
            lines.append("  (--verbose lists everything coverage missed)")
        if below:
            lines.append(f"rule coverage {percent:.1f}% is below the minimum "
                         f"{args.min_coverage:g}%")
        write_output("\n".join(lines) + "\n", args.out)
    return 1 if failed or below else 0
