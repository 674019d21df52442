"""Every error code sen-rules reports, defined once: its class, severity, meaning and remedy.

A code is a :class:`Code`, a ``str`` that also carries what a person needs to act on it, so
``code=codes.SR302`` works wherever a code is written and prints, compares and serialises
exactly as the text ``"SR302"``. ``docs/errors.md`` and the "Error codes" page of
``sen-rules docs`` are rendered from :data:`CODES` (:mod:`.authoring.codes_doc`), so the
catalogue cannot drift from the codes the library raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

Severity = Literal["error", "warning", "info"]
Section = Literal["rule files", "lint", "scenarios", "cases", "evaluation", "backends",
                  "records", "batches", "service", "other"]
SECTIONS: tuple[Section, ...] = ("rule files", "lint", "scenarios", "cases", "evaluation",
                                 "backends", "records", "batches", "service", "other")


class Code(str):
    """An ``SRnnn`` code: the text itself, plus its section, severity, meaning and action.

    (``meaning``, not ``title``: ``str.title`` is a method every code keeps.)
    """

    section: Section
    severity: Severity
    meaning: str
    action: str
    reserved: str | None
    """Why a code is kept though nothing raises it (None for a code in use)."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # a pickled code (an error crossing to a worker process) comes back as the registry's
        return lookup, (str(self),)


_REGISTRY: dict[str, Code] = {}
CODES: Mapping[str, Code] = MappingProxyType(_REGISTRY)
"""Every code, in the order of the catalogue."""


def lookup(text: str) -> Code:
    """The registered code written ``text`` (``KeyError`` if there is none)."""
    return _REGISTRY[text]


def _define(text: str, section: Section, meaning: str, action: str,
            severity: Severity = "error", reserved: str | None = None) -> Code:
    if text in _REGISTRY:
        raise ValueError(f"{text} is defined twice")
    code = Code(text)
    code.section, code.severity, code.meaning, code.action = section, severity, meaning, action
    code.reserved = reserved
    _REGISTRY[text] = code
    return code


# ---------------------------------------------------------------------------- rule files
RF: Section = "rule files"
SR100 = _define(
    "SR100", RF, "the rulebase could not be loaded (the class of every rule-file error)",
    "Run `sen-rules lint` on the rules directory: it lists every problem with its "
    "`file:line:col`.")
SR101 = _define(
    "SR101", RF, "a rule file cannot be read: YAML syntax, size, anchors, tags, duplicate "
    "keys, too many files, a path outside the rules directory",
    "Fix the file at the place named: plain YAML only (no anchors or tags, each key once), "
    "every file inside the rules directory and named in the manifest.")
SR102 = _define(
    "SR102", RF, "a rule file has the wrong shape: an unknown key, a missing key, a wrong "
    "kind of value",
    "Correct the key named against docs/writing-rules.md; a misspelt key gets the nearest "
    "valid one suggested.")
SR103 = _define(
    "SR103", RF, "a setting or rule is inconsistent in itself (a value and versions at once, "
    "a choice without choices, not exactly one of `outcome`, `flag`, `note`, no `when`)",
    "Keep one of the alternatives the message names and remove the others.")
SR104 = _define(
    "SR104", RF, "an outcome the area does not have",
    "Use one of the outcomes listed under the area's `outcomes`, or add the new outcome "
    "there.")
SR105 = _define(
    "SR105", RF, "an id used twice (a rule, a clause, a source, a register entry)",
    "Rename one of the two; the message gives the place of the other.")
SR106 = _define(
    "SR106", RF, "a name already in use (by a case field, a definition or a function)",
    "Give the definition a name no case field, definition or function has.")
SR107 = _define(
    "SR107", RF, "an area's `combine` names an outcome no rule gives",
    "Remove that outcome from `combine`, or add the rule that gives it.")
SR110 = _define(
    "SR110", RF, "the syntax of a condition",
    "Correct the condition at the column shown; docs/writing-rules.md lists the operators "
    "and functions.")
SR111 = _define(
    "SR111", RF, "an unknown name: not a case field, definition, setting or item",
    "Use a case field (`sen-rules schema` lists them), a definition or an item name; the "
    "message suggests the closest one.")
SR112 = _define(
    "SR112", RF, "an unknown function",
    "Use one of the functions the message lists.")
SR113 = _define(
    "SR113", RF, "a type error, such as a date compared with a number",
    "Compare values of the same type, converting with a function (for example `age_on`) "
    "where needed.")
SR114 = _define(
    "SR114", RF, "a value an enumerated field can never take",
    "Use one of the field's values, which the message lists.")
SR115 = _define(
    "SR115", RF, "definitions that depend on each other in a circle",
    "Break the circle named in the message: one of the definitions must be written without "
    "the others.")
SR116 = _define(
    "SR116", RF, "an unknown setting, or a setting of the wrong kind where one is required",
    "Name a setting defined in the settings file (the message suggests the closest), of the "
    "kind required.")
SR120 = _define(
    "SR120", RF, "an unknown source",
    "Cite a source named in the manifest's `sources`, or add its text and clause index.")
SR121 = _define(
    "SR121", RF, "an unknown clause of a source",
    "Cite a clause id from the source's clause index, or add the clause there.")
SR122 = _define(
    "SR122", RF, "a quote that is not, word for word, in the clause it cites",
    "Quote the clause word for word, from the start of a word to the end of one; "
    "the message names the clause that has it, or the closest passage.")
SR123 = _define(
    "SR123", RF, "a rule (or check, or criterion) that cites nothing",
    "Add a `cites` entry quoting the clause of the policy the rule implements.")
SR124 = _define(
    "SR124", RF, "a source text whose sha256 has changed since its clause index was checked",
    "Check every clause of the index against the new text, then record the sha256 the "
    "message gives.")
SR125 = _define(
    "SR125", RF, "a clause whose opening words match no paragraph, or several",
    "Change the clause's opening words so that they begin exactly one paragraph of the "
    "source.")
SR126 = _define(
    "SR126", RF, "a paragraph of a source that no clause names",
    "Add a clause to the index for the paragraph named (normative or not).")
SR127 = _define(
    "SR127", RF, "a rule names an entry the ambiguity register does not have",
    "Use an id from rules/ambiguity-register.yaml, or add the entry there.")
SR128 = _define(
    "SR128", RF, "a quote that cuts a word of its clause, or is too short (fewer than three "
    "words) to identify it",
    "Quote whole words, at least three of them, so the quote points at one passage.")
SR130 = _define(
    "SR130", RF, "an area's `uses` or a `decisions.AREA` names an area the rulebase does not "
    "have",
    "Name an area the manifest lists; the message suggests the closest.")
SR131 = _define(
    "SR131", RF, "a decision read but its area not declared in `uses` (or read where "
    "decisions cannot be: a shared definition, a ranking criterion)",
    "Add `uses: [AREA]` at the top of the area file, or move the condition into an area file.")
SR132 = _define(
    "SR132", RF, "an unknown or unreadable field of another area's decision",
    "Read one of the fields the message lists, for example `decisions.AREA.outcome`.")
SR133 = _define(
    "SR133", RF, "a comparison with an outcome the other area does not have",
    "Compare with one of the outcomes the message lists.")
SR134 = _define(
    "SR134", RF, "areas that use each other's decisions in a circle (the circle is named), "
    "or an area that reads its own decision",
    "Remove one of the `uses` in the circle named, so that the areas can be decided in turn.")
SR135 = _define(
    "SR135", RF, "an area declared in `uses` whose decision is never read",
    "Remove the area from `uses`, or read its decision where it was meant to be.",
    severity="warning")
SR140 = _define(
    "SR140", RF, "a setting the date mechanisms need is missing, or of the wrong type",
    "Define the setting named in the settings file with the type the message gives.")
SR141 = _define(
    "SR141", RF, "a setting's value outside its choices or range",
    "Give a value among the choices, or within the range, the message names.")
SR142 = _define(
    "SR142", RF, "the versions of a setting do not follow one another without gap or overlap",
    "Make each version's `from` the day after the previous one's `until`.")
SR143 = _define(
    "SR143", RF, "a setting's value of the wrong kind (text where a whole number is expected)",
    "Write the value as the kind the setting declares.")
SR144 = _define(
    "SR144", RF, "`in_force` with `from` after `until`",
    "Swap or correct the two dates.")
SR145 = _define(
    "SR145", RF, "`dated_by` is not a date of the case (or `date_of` is given without "
    "`dated_by`)",
    "Name a date field of the case in `dated_by`, and give it whenever `date_of` is used.")
SR146 = _define(
    "SR146", RF, "`dated_by` depends on the evaluation date, directly or through definitions",
    "Choose versions by a date the case records, not by the evaluation date.")
SR147 = _define(
    "SR147", RF, "versions of one rule chosen by different dates",
    "Give every version of the rule the same `dated_by`.")

# ---------------------------------------------------------------------------- lint
LI: Section = "lint"
SR150 = _define(
    "SR150", LI, "a setting no rule, definition, date function or ranking reads (info for a "
    "date convention)",
    "Remove the setting, or use it in the rule it was meant for.", severity="warning")
SR151 = _define(
    "SR151", LI, "a rule that can never fire: its condition, with its area's `applies_when`, "
    "is contradictory",
    "Correct the condition (the message says which parts contradict each other) or remove "
    "the rule.")
SR152 = _define(
    "SR152", LI, "two rules of an area with hit policy `any` can both fire with different "
    "outcomes (with a case that shows it)",
    "Make the conditions exclusive, or change the area's hit policy to say which rule wins.")
SR153 = _define(
    "SR153", LI, "the same under hit policy `first`: a warning when their priorities are "
    "equal, info when the priority decides",
    "Give the rules different priorities so the file order does not decide.",
    severity="warning")
SR154 = _define(
    "SR154", LI, "the same under hit policy `priority`: the outcome listed first wins",
    "Nothing, if the order of the outcomes is the intended one.", severity="info")
SR155 = _define(
    "SR155", LI, "a normative clause that no rule cites and the ambiguity register does not "
    "list",
    "Write the rule that implements the clause, or record in the register why none does.",
    severity="warning")
SR156 = _define(
    "SR156", LI, "a definition nothing uses",
    "Remove the definition, or use it where it was meant to be.", severity="warning")
SR157 = _define(
    "SR157", LI, "two versions of one rule in force on the same day",
    "Make the versions' `in_force` periods follow one another without overlap.")
SR158 = _define(
    "SR158", LI, "no case was found that fires a rule, or the settings in force switch it off",
    "Check the condition can be met; add a scenario that fires the rule.", severity="info")
SR159 = _define(
    "SR159", LI, "two rules of an `any` area could not be shown exclusive, and no case firing "
    "both was found",
    "Check by reading that the two conditions cannot both hold, or make that evident.",
    severity="info")
SR160 = _define(
    "SR160", LI, "an area that can never apply, whatever the areas it uses can decide",
    "Correct the area's `applies_when` against the outcomes of the areas it uses.")
SR161 = _define(
    "SR161", LI, "a part of a quantifier's `where` condition that does not mention its item "
    "(`any c in L where c.x > 1 or y`: the condition runs to the end, so `or y` is inside it)",
    "If the part is meant outside the quantifier, put the quantifier in parentheses or write "
    "the part first; if it is meant inside, write it in parentheses to say so.",
    severity="warning")

# ---------------------------------------------------------------------------- scenarios
SC: Section = "scenarios"
SR171 = _define(
    "SR171", SC, "a scenario name used twice",
    "Rename one of the scenarios; the message gives the place of the other.")
SR172 = _define(
    "SR172", SC, "a scenario expects an area or an outcome the rulebase does not have",
    "Expect an area and an outcome the rulebase has (the message names the area's outcomes).")
SR173 = _define(
    "SR173", SC, "a scenario's case file does not exist or is not JSON",
    "Give the path of a JSON case file, relative to the scenario file.")
SR174 = _define(
    "SR174", SC, "a scenario expects a rule that does not exist",
    "Name a rule of the rulebase by its key (`area.rule`), its id, or `id@version`.")
SR175 = _define(
    "SR175", SC, "a scenario file cannot be read",
    "Check that the scenario file the manifest names exists and is readable.")
SR176 = _define(
    "SR176", SC, "a scenario overrides a setting that does not exist, or with a bad value",
    "Override a setting of the rulebase with a value of its kind.")
SR180 = _define(
    "SR180", SC, "a corpus for `diff` cannot be read",
    "Give `diff` an existing folder of JSON cases, or a JSON-lines file, that you can read.")
SR182 = _define(
    "SR182", SC, "`generate-cases` cannot draw a case, or was given a bad count",
    "Ask for 0 or more cases.")

# ---------------------------------------------------------------------------- cases
CA: Section = "cases"
SR200 = _define(
    "SR200", CA, "a malformed case: every problem listed with its field path",
    "Correct the case at each field path listed; `sen-rules schema` prints the case format.")
SR201 = _define(
    "SR201", CA, "an impossible case: a fact dated after the evaluation date, or before the "
    "date of birth; a review before its Statement",
    "Correct the dates listed, or evaluate the case on a later date.")
SR202 = _define(
    "SR202", CA, "a bad or missing evaluation date",
    "Give the evaluation date as YYYY-MM-DD (`--as-of`, or `as_of` in the request).")
SR203 = _define(
    "SR203", CA, "a timeline whose `--from` is after `--to`, or starts before the latest date "
    "the case records",
    "Start the timeline on or after the latest date the case records, and end it later.")

# ---------------------------------------------------------------------------- evaluation
EV: Section = "evaluation"
SR300 = _define(
    "SR300", EV, "no complete answer can be given (the class of every evaluation error)",
    "Read the message: it names the rule, the area or the limit that stopped the evaluation.")
SR301 = _define(
    "SR301", EV, "rules of an area with hit policy `any` fired with different outcomes",
    "Rule authors: make the conditions named exclusive (`sen-rules lint` finds such pairs "
    "as SR152); the case needs a person's decision meanwhile.")
SR302 = _define(
    "SR302", EV, "a quantifier visited more items than the limit allows",
    "Check the case's lists are the right ones; a case with more items than the limit "
    "needs a person's decision.")
SR303 = _define(
    "SR303", EV, "a date computed outside the calendar",
    "Check the dates of the case: one of them is so far from the others that a rule's "
    "date arithmetic leaves the calendar.")
SR304 = _define(
    "SR304", EV, "the two conditions of a ranking criterion overlap for a candidate",
    "Rule authors: make the criterion's two conditions exclusive for the candidate shown.")
SR305 = _define(
    "SR305", EV, "no rule gives an outcome and the area has no `otherwise` rule in force",
    "Rule authors: add an `otherwise` rule in force on the date, or a rule for this case.")
SR306 = _define(
    "SR306", EV, "the durable backend found different things true from the native evaluator "
    "that explains its decision (a defect: please report it)",
    "Report the defect with the case's rulebase version; meanwhile use the native backend, "
    "which the explanation follows.")
SR307 = _define(
    "SR307", EV, "a counterfactual the backend does not confirm (a defect: please report it)",
    "Report the defect with the rulebase version; no counterfactual is given.")
SR308 = _define(
    "SR308", EV, "a decision read before it was made (a defect of sen-rules; report it)",
    "Report the defect with the rulebase version.")

# ---------------------------------------------------------------------------- backends
BE: Section = "backends"
SR400 = _define(
    "SR400", BE, "the backend cannot run here (`BackendUnavailableError`: durable-rules not "
    "installed)",
    "Install the extra (`pip install 'sen-rules[durable]'`) or use the native backend.")
SR401 = _define(
    "SR401", BE, "durable-rules could not compile the rulebase",
    "Use the native backend and report the rulebase that durable-rules refused.")
SR402 = _define(
    "SR402", BE, "durable-rules refused the facts of a case",
    "Use the native backend for this case and report it (without its personal data).")
SR403 = _define(
    "SR403", BE, "an unknown backend name",
    "Choose one of the backends the message lists (`native`, `durable`).")
SR404 = _define(
    "SR404", BE, "the durable backend derived a fact both true and false",
    "Use the native backend and report the defect with the rulebase version.")
SR405 = _define(
    "SR405", BE, "durable-rules dropped facts (the sentinel counted fewer than were asserted)",
    "Use the native backend and report the defect with the durable-rules version.")
SR406 = _define(
    "SR406", BE, "durable-rules stopped before every decision that other areas use was made",
    "Use the native backend and report the defect with the rulebase version.")

# ---------------------------------------------------------------------------- records
RE: Section = "records"
SR500 = _define(
    "SR500", RE, "a decision record cannot be used (the class of every record error)",
    "Read the message: it says whether the record is malformed, altered, keyed or too new.")
SR501 = _define(
    "SR501", RE, "not a valid decision record",
    "Give the JSON record exactly as `sen-rules record` or the service wrote it.")
SR502 = _define(
    "SR502", RE, "the record has been altered: its seal or case hash does not match, or its "
    "parts do not belong together",
    "Auditors: treat the record as untrustworthy and fetch the original from the decision "
    "log.")
SR503 = _define(
    "SR503", RE, "the record was sealed with a key that was not given",
    "Verify with the key it was sealed with (`--key-file FILE`).")
SR504 = _define(
    "SR504", RE, "the recorded case cannot be read by this version of sen-rules",
    "Verify the record with the version of sen-rules that wrote it.")

# ---------------------------------------------------------------------------- batches
BA: Section = "batches"
SR600 = _define(
    "SR600", BA, "a batch could not finish (the class of every batch error; says how many "
    "items were done)",
    "Read the message for the cause, then run the items after those done again.")
SR601 = _define(
    "SR601", BA, "a worker process stopped (killed, out of memory, a crash in a C extension)",
    "Give the machine more memory or use fewer workers (`--workers`), then run the rest "
    "again.")
SR602 = _define(
    "SR602", BA, "a worker process could not start",
    "Check the machine allows more processes, or run with `--workers 1`.")
SR603 = _define(
    "SR603", BA, "an internal error in a worker process",
    "Report the defect with the rulebase version; run with `--workers 1` meanwhile.")
SR604 = _define(
    "SR604", BA, "the output could not be written (a full disk, a closed pipe); the file is "
    "cut back to its last whole line",
    "Free space or fix the destination, then run the items after the last line written.")

# ---------------------------------------------------------------------------- service
SE: Section = "service"
SR701 = _define(
    "SR701", SE, "the request body is not UTF-8 text",
    "Send a JSON object encoded as UTF-8.")
SR702 = _define(
    "SR702", SE, "the request body repeats a key in one object",
    "Send each key of an object once.")
SR703 = _define(
    "SR703", SE, "the request body nests deeper than the limit",
    "Send a case in the shape of the case schema (`GET /v1/schema/case`), which nests at "
    "most 5 levels.")
SR704 = _define(
    "SR704", SE, "the request body is larger than the limit",
    "Send fewer or smaller cases per request (the limits are in docs/service.md).")
SR705 = _define(
    "SR705", SE, "a batch with more lines than the limit (the lines after it are not read)",
    "Send the lines after the last answered one in another request.")
SR706 = _define(
    "SR706", SE, "the request needs more than the time limit",
    "Send fewer cases per request; send the lines not decided again.")
SR707 = _define(
    "SR707", SE, "the request is not JSON (wrong Content-Type)",
    "Send `Content-Type: application/json` (or the JSON-lines type for a batch).")
SR708 = _define(
    "SR708", SE, "any other request the HTTP layer refused",
    "Correct the query or path value the message names.")
SR710 = _define(
    "SR710", SE, "the endpoint needs a bearer token",
    "Send `Authorization: Bearer TOKEN` with a token the operator issued.")
SR711 = _define(
    "SR711", SE, "the token does not grant the scope the endpoint needs",
    "Ask the operator for a token with the scope the message names.")
SR712 = _define(
    "SR712", SE, "no such resource (a path, or a decision not in the log)",
    "Check the path against the OpenAPI document (`GET /openapi.json`), and the decision id."
    )
SR713 = _define(
    "SR713", SE, "the method is not allowed on this path",
    "Use the method the OpenAPI document gives for the path.")
SR720 = _define(
    "SR720", SE, "a reload refused: the new rules did not load, and the old rulebase keeps "
    "serving",
    "Operators: run `sen-rules lint` on the new rules, fix the error named, and reload again.")
SR730 = _define(
    "SR730", SE, "the service keeps no decision log (start it with `--log`)",
    "Operators: start the service with `--log URL` to keep and audit decisions.")
SR731 = _define(
    "SR731", SE, "the decision log could not store the record; nothing was stored",
    "Send the request again; operators: check the log's disk and permissions.")
SR732 = _define(
    "SR732", SE, "a stored record failed its integrity check",
    "Auditors: treat the stored record as altered and restore the log from a backup.")
SR799 = _define(
    "SR799", SE, "the service failed to answer (logged without the request's content)",
    "Operators: read the service log for the fault and report the defect.")

# ---------------------------------------------------------------------------- other
SR000 = _define(
    "SR000", "other", "an error of sen-rules without a more specific code (the base class; "
    "not raised as such)",
    "Read the message; catch `SenRulesError` to handle every error of sen-rules at once.")
SR010 = _define(
    "SR010", "other", "a file named on the command line cannot be read as text: it does not "
    "exist, is a directory, is not UTF-8, is larger than the limit, or cannot be opened",
    "Check the path and the file; a case or corpus must be UTF-8 JSON.")
SR011 = _define(
    "SR011", "other", "a command cannot be carried out as asked: an option's value, an "
    "output that cannot be written, an extra that is not installed, a decision log that "
    "cannot be opened",
    "Read the message, which names the option, file or extra; `sen-rules COMMAND --help` "
    "lists the options.")
