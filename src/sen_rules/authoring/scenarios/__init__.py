"""Scenario tests: cases, dates and the decisions a policy officer expects, in YAML.

A scenario file sits beside the rules (``rules/scenarios/*.yaml``)::

    scenarios:
      - name: A school referral without School Action on record is flagged
        as_of: 2008-03-01
        case:                       # the case inline, or a path to a JSON file
          child: {id: HK-1, date_of_birth: 2000-06-21}
          setting: {kind: school, quadrant: North-West}
          assessment_request: {route: school, requested_on: 2006-05-15}
        expect:
          sen_stage: school_action_plus          # topic: outcome
          assessment_routing:                    # or topic: details
            outcome: pre_assessment_panel
            details: {quadrant: North-West}      # these details (others not checked)
            flags: [action-not-on-record]        # exactly these flags
            notes: [criteria-for-statutory-assessment]
            rules: [routing.school-or-parent]    # the deciding rules (id or id@version)
          cessation: null                        # the area does not apply
        backend: both                            # native (default), durable or both

Topics not listed under ``expect`` are not checked. Which files: the manifest's
``scenarios:`` list when it has one (paths relative to the rules directory), otherwise
every ``scenarios/*.yaml`` of the rules directory. Case files are relative to the
scenario file.

Running scenarios also measures **coverage**: which rules fired in some scenario (every
rule version, ``otherwise`` rules and ranking checks and criteria), which atoms of each
condition (the parts joined by ``and``, ``or`` and ``not``) were seen both true and false,
and which cited clauses of the policy were exercised by a rule that fired.

Modules: :mod:`.files` (the file format), :mod:`.loading` (reading files),
:mod:`.running` (running them), :mod:`.coverage` (the counting observer and the figures),
:mod:`.failures` (what a failing scenario shows).
"""

from .coverage import Coverage, CoverageObserver, atoms
from .failures import FailureTrace, expectation_problems, show
from .files import (
    SCENARIO_DIR,
    Expectation,
    ExpectedDecision,
    Scenario,
    ScenarioEntry,
    ScenarioFile,
)
from .loading import (
    load_scenario_file,
    load_scenarios,
    scenario_files,
    setting_problem,
    with_settings,
)
from .running import Runner, ScenarioResult, run_scenarios

__all__ = [
    "SCENARIO_DIR",
    "Coverage",
    "CoverageObserver",
    "Expectation",
    "ExpectedDecision",
    "FailureTrace",
    "Runner",
    "Scenario",
    "ScenarioEntry",
    "ScenarioFile",
    "ScenarioResult",
    "atoms",
    "expectation_problems",
    "load_scenario_file",
    "load_scenarios",
    "run_scenarios",
    "scenario_files",
    "setting_problem",
    "show",
    "with_settings",
]
