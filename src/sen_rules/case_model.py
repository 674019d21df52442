"""The case model: everything the policy decides on, as strict Pydantic v2 models.

Unknown fields are rejected, types are strict (no ``"3"`` for 3, no ``true`` for 1),
dates are ISO ``YYYY-MM-DD`` and must exist, and sequences are tuples so that a case,
once validated, cannot be changed under an evaluation. Field names follow the policy's
vocabulary; every field says what it means so that the JSON Schema documents itself.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PrivateAttr,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from .case_dates import gather_dates, iter_dates

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def parse_iso_date(value: object) -> object:
    """Accept a ``date`` or an ISO ``YYYY-MM-DD`` string naming a day that exists."""
    if isinstance(value, str):
        if not _ISO_DATE.match(value):
            raise ValueError(f"expected a date written YYYY-MM-DD, got {value!r}")
        try:
            value = date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a real date ({exc})") from None
    if type(value) is date:
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValueError(f"{value.isoformat()} is outside the years 1900 to 2199")
        return value
    raise ValueError(f"expected a date written YYYY-MM-DD, got {type(value).__name__}")


def iso_date_problem(value: object) -> str:
    """The sentence for a date the model refused: the one :func:`parse_iso_date` gives."""
    try:
        parse_iso_date(value)
    except ValueError as exc:
        return str(exc)
    return ISO_DATE_REFUSED  # not reached: the native check refuses what the function refuses


ISO_DATE_ERROR = "iso_date"
"""The error type of a date the model refused in JSON (see :func:`iso_date_problem`)."""
ISO_DATE_REFUSED = "expected a date written YYYY-MM-DD"


class _IsoDateSchema:
    """What :func:`parse_iso_date` accepts, checked by pydantic itself when the input is JSON
    (no Python call for each date of each case): ASCII digits ``YYYY-MM-DD`` only, a day that
    exists, in range. Any refusal is one error of type :data:`ISO_DATE_ERROR`, given the
    function's own sentence by :func:`iso_date_problem`. Python input (a ``date``, or text in
    a mapping given to the model directly) still goes through the function."""

    @staticmethod
    def __get_pydantic_core_schema__(source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        native = core_schema.chain_schema([
            core_schema.str_schema(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", strict=True),
            core_schema.date_schema(ge=EARLIEST_DATE, le=LATEST_DATE, strict=False),
        ])
        return core_schema.json_or_python_schema(
            json_schema=core_schema.custom_error_schema(
                native, custom_error_type=ISO_DATE_ERROR, custom_error_message=ISO_DATE_REFUSED),
            python_schema=core_schema.no_info_before_validator_function(
                parse_iso_date, core_schema.date_schema()),
        )

    @staticmethod
    def __get_pydantic_json_schema__(schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return handler(core_schema.date_schema())


IsoDate = Annotated[
    date,
    _IsoDateSchema,
    Field(json_schema_extra={"format": "date", "type": "string"}),
]
Identifier = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$", description="A short identifier.")
]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]
Quadrant = Annotated[str, Field(min_length=1, max_length=64)]
# How much one case may hold. Generous for a real child's case, and what keeps every
# evaluation, explanation and report cheap (documented in docs/limits-and-faults.md).
MAX_CANDIDATE_PLACEMENTS = 50
"""Candidate placements a panel weighs at once."""
MAX_DISPUTES = 100
"""Disputes recorded in one case."""
MAX_REVIEWS = 60
"""Reviews of one Statement (one a year from birth to 25 is 25)."""
MAX_SUPPORT_PERIODS = 100
"""Periods of SEN support from a setting's own resources."""
MAX_AGENCIES = 12
"""Agencies named for one support period (there are six kinds)."""

FundingLevel = Annotated[
    int,
    Field(ge=1, le=5, description="Level of additional resources, on the ordinal scale 1 to 5."),
]


class _Model(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=False,
        validate_default=True,
        use_attribute_docstrings=True,
    )

    def __repr__(self) -> str:
        # names the facts recorded, never their values: a case is personal data, and a
        # repr or str ends up in log lines and tracebacks
        recorded = [name for name in type(self).model_fields if name in self.model_fields_set]
        return f"{type(self).__name__}(recorded: {', '.join(recorded) or 'nothing'})"

    def __str__(self) -> str:
        return repr(self)


class Child(_Model):
    """The child or young person the case is about."""

    id: Identifier
    """The authority's reference for the child (no names: cases are stored and logged)."""
    date_of_birth: IsoDate
    """Date of birth; ages, compulsory school age and year groups are computed from it."""
    home_quadrant: Quadrant | None = None
    """The quadrant of the borough the child's home is in, if known."""


class EducationSetting(_Model):
    """Where the child is educated now."""

    kind: Literal["none", "early_years", "school", "other_provider"]
    """none: no setting; early_years: a pre-school setting (Early Years names apply);
    school: a school (School names apply); other_provider: another education provider."""
    name: ShortText | None = None
    """Name of the setting."""
    quadrant: Quadrant | None = None
    """The quadrant of the borough the setting is in, if known."""


Agency = Literal[
    "educational_psychologist",
    "specialist_teacher",
    "speech_and_language_therapist",
    "health",
    "social_services",
    "other",
]


class SenSupportPeriod(_Model):
    """A period in which the setting supported the child from its own resources (an IEP)."""

    started: IsoDate
    """First day of the period."""
    ended: IsoDate | None = None
    """Last day of the period; absent while it continues."""
    outside_advice_sought: bool
    """Whether the setting sought additional advice from an external agency in this period."""
    agencies: Annotated[tuple[Agency, ...], Field(max_length=MAX_AGENCIES)] = ()
    """The external agencies that advised, if any."""

    @model_validator(mode="after")
    def _ordered(self) -> SenSupportPeriod:
        if self.ended is not None and self.ended < self.started:
            raise ValueError("a support period cannot end before it starts")
        if self.agencies and not self.outside_advice_sought:
            raise ValueError("agencies are listed but outside_advice_sought is false")
        return self


class MedicalDiagnosis(_Model):
    """The diagnosis a Health or Social Services notification usually follows."""

    made_on: IsoDate | None = None
    """When the diagnosis was made."""
    early_in_life: bool
    """Whether the diagnosis was made early in life."""
    long_lasting_or_permanent: bool
    """Whether the condition is long lasting or permanent."""
    physical_or_medical: bool
    """Whether the condition is physical or medical."""
    needs_long_term_medical_intervention: bool
    """Whether effective education is likely to depend on significant long-term and regular
    medical interventions."""
    description: LongText | None = None
    """The condition, in words."""


class StatutoryAssessmentRequest(_Model):
    """A request for a statutory assessment of the child's special educational needs."""

    route: Literal["health_notification", "social_services_notification", "school", "parent"]
    """How the request arrived: a Health or Social Services notification, a school (or other
    education provider) referral, or a parental referral."""
    requested_on: IsoDate
    """Date of the request or notification."""
    diagnosis: MedicalDiagnosis | None = None
    """For notifications: the diagnosis it follows."""
    outcome: Literal["pending", "refused", "assessed_no_statement", "statement_made"] = "pending"
    """pending while the outcome is not known; otherwise the known outcome."""
    outcome_on: IsoDate | None = None
    """When the outcome became known."""

    @model_validator(mode="after")
    def _consistent(self) -> StatutoryAssessmentRequest:
        if self.outcome == "pending" and self.outcome_on is not None:
            raise ValueError("outcome_on is given but the outcome is pending")
        if self.outcome_on is not None and self.outcome_on < self.requested_on:
            raise ValueError("the outcome cannot be known before the request was made")
        return self


class AnnualReview(_Model):
    """A review of the Statement that has been held."""

    held_on: IsoDate
    """Date of the review meeting."""
    transport_reconsidered: bool | None = None
    """Whether the review considered whether the pupil is still eligible for transport."""
    independent_travel_considered: bool | None = None
    """Whether the review considered encouraging independent travel."""


class Statement(_Model):
    """A statement of special educational needs the authority maintains."""

    made_on: IsoDate
    """Date the Statement was made."""
    travel_provision: bool = False
    """Whether the Statement contains travel provision."""
    reviews: Annotated[tuple[AnnualReview, ...], Field(max_length=MAX_REVIEWS)] = ()
    """Reviews held since the Statement was made."""

    @model_validator(mode="after")
    def _reviews_after_statement(self) -> Statement:
        for review in self.reviews:
            if review.held_on < self.made_on:
                raise ValueError("a review cannot be held before the Statement was made")
        return self


ProvisionKind = Literal[
    "mainstream_school",
    "resource_base",
    "special_school",
    "pupil_referral_unit",
    "therapeutic_unit",
    "childrens_home_with_education",
    "psychiatric_unit",
    "secure_unit",
    "education_otherwise",
]


class Placement(_Model):
    """A placement: the one proposed for the child, or a candidate the panel weighs."""

    id: Identifier
    """Reference for the placement (candidates are ranked by it when all else is equal)."""
    name: ShortText
    """Name of the school or provision."""
    provision: ProvisionKind
    """The kind of provision."""
    sector: Literal["maintained", "independent", "non_maintained"] = "maintained"
    """Maintained by an authority, independent, or non-maintained."""
    attendance: Literal["day", "residential"] = "day"
    """Day or residential."""
    distance_km: Annotated[float, Field(ge=0, le=20000)] | None = None
    """Distance from the child's home, in kilometres."""
    intake: Literal["wide_range", "narrow_band"] | None = None
    """Whether it provides for a wider range of children, or is reserved for narrow bands of
    children with particular severe or complex needs."""
    mainstream_links: Literal["part_placement", "shared_activities", "none"] | None = None
    """For special provision: part placements or shared activities with mainstream schools."""
    funding_level: FundingLevel | None = None
    """Level of additional resources the placement needs."""
    peer_group_appropriate: bool | None = None
    """Whether the pupil would have an appropriate peer group there."""
    stimulating_social_environment: bool | None = None
    """Whether the pupil could experience a stimulating social environment there."""
    expected_progress: Literal["better", "satisfactory", "unsatisfactory"] | None = None
    """The educational progress the pupil is expected to make there."""


class PendingDecision(_Model):
    """A placement or resource decision the authority has to make, recorded before (or
    without) any placement being proposed: for example for a pupil out of school, a request
    for funding, or a disputed level of support."""

    kind: Literal["placement", "resources"]
    """placement: where the child is to be educated; resources: the resources allocated to
    the child (funding, support, equipment), with or without a change of placement."""
    about: LongText | None = None
    """What the decision is about, in words."""
    funding_level: FundingLevel | None = None
    """The level of additional resources the decision would allocate, when it is about
    funding (with or without a placement)."""


class JointFunding(_Model):
    """A request to Health and/or Social Services to share the cost of a placement."""

    kind: Literal["joint", "tripartite"]
    """joint: education and one of health or social care; tripartite: all three."""
    placement_discussion_needed_first: bool
    """Whether a discussion about the placement must take place before the request is made."""


class Dispute(_Model):
    """A disagreement about the case."""

    party: Literal["parent", "health", "social_services", "school", "other_agency"]
    """Who the dispute is with."""
    about: LongText | None = None
    """What it is about."""
    resolved: bool
    """Whether it has been resolved."""


class EducationStatus(_Model):
    """Whether the child is in school."""

    status: Literal["in_school", "out_of_school", "education_otherwise"] = "in_school"
    """in_school, out_of_school, or receiving education otherwise than at school."""
    since: IsoDate | None = None
    """Since when."""


class PlacementUnderOrder(_Model):
    """A placement made under an order (for example by a court)."""

    provision: Literal["secure_unit", "residential_with_education"]
    """A secure unit, or other residential provision with education."""
    placed_on: IsoDate
    """Date of the placement."""


class CessationCircumstances(_Model):
    """Circumstances that bear on whether a Statement continues to be maintained."""

    criteria_no_longer_met_on: IsoDate | None = None
    """When the authority found the child no longer meets the Statutory Assessment criteria
    because progress has been made."""
    placed_under_order: PlacementUnderOrder | None = None
    """A placement in a secure unit or other residential provision with education under an order."""
    placed_by_parents_in_independent_school_on: IsoDate | None = None
    """When parents placed the child in an independent school."""
    left_school_on: IsoDate | None = None
    """The day the young person stopped attending school: the first day they no longer
    attended (absent if they have returned)."""
    appeal_pending: bool = False
    """Whether an appeal to the Tribunal against a decision to cease is pending."""


class View(_Model):
    """The views of someone directly involved."""

    preferred_placement: Identifier | None = None
    """The id of the candidate placement they prefer, if any."""
    summary: LongText | None = None
    """Their views, in their words or summarised."""


class Views(_Model):
    """The views of those directly involved, including the pupil."""

    parents: View | None = None
    pupil: View | None = None


class Case(_Model):
    """A case to evaluate against the SEN policy."""

    child: Child
    setting: EducationSetting = EducationSetting(kind="none")
    """Where the child is educated now."""
    sen_support: Annotated[tuple[SenSupportPeriod, ...],
                           Field(max_length=MAX_SUPPORT_PERIODS)] = ()
    """SEN support from the setting's own resources, past and present."""
    assessment_request: StatutoryAssessmentRequest | None = None
    """The most recent request for a statutory assessment, if any."""
    statement: Statement | None = None
    """The Statement of SEN, if the authority maintains one."""
    proposed_placement: Placement | None = None
    """The placement being proposed, if a placement or resource decision is to be made."""
    pending_decision: PendingDecision | None = None
    """A placement or resource decision that is pending, whether or not a placement has been
    proposed or candidates are being weighed."""
    joint_funding: JointFunding | None = None
    """A planned request for joint or tripartite funding."""
    significant_health_or_social_care_issues: bool = False
    """Whether significant health and/or Social Services issues need resolution."""
    disputes: Annotated[tuple[Dispute, ...], Field(max_length=MAX_DISPUTES)] = ()
    """Disputes with parents or other agencies."""
    education: EducationStatus = EducationStatus()
    """Whether the child is in school."""
    cessation: CessationCircumstances = CessationCircumstances()
    """Circumstances relevant to ceasing to maintain the Statement."""
    candidate_placements: Annotated[tuple[Placement, ...],
                                    Field(max_length=MAX_CANDIDATE_PLACEMENTS)] = ()
    """Placements the panel is weighing."""
    views: Views = Views()
    """The views of the parents and of the pupil."""

    # the latest date in the case, set by the validator below (None, not a date, by default:
    # pydantic deep-copies a default that is not of a plain immutable type for every case)
    _latest_date: date | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        dates: list[date] = []
        gather_dates(self, dates)  # the dates alone, without paths: cheap when all is well
        self._latest_date = check_whole_case(self, dates)
        return self

    def __repr__(self) -> str:
        # names the facts recorded, never their values: a case is personal data
        recorded = [name for name in type(self).model_fields
                    if name != "child" and name in self.model_fields_set]
        return f"Case(child {self.child.id}; recorded: {', '.join(recorded) or 'nothing more'})"


def check_whole_case(case: Case, dates: list[date]) -> date:
    """The checks that need the whole case, given every date it holds; returns the latest.

    Apart from the model validator so that the fast read in :mod:`.case` runs the very same
    checks on the dates its own walk gathers. Raises ``ValueError`` with the sentence.
    """
    candidates = case.candidate_placements
    ids = {p.id for p in candidates}
    if len(ids) != len(candidates):
        raise ValueError("candidate_placements: two candidates share an id")
    views = case.views
    for who, view in (("parents", views.parents), ("pupil", views.pupil)):
        if view and view.preferred_placement and view.preferred_placement not in ids:
            raise ValueError(
                f"views.{who}.preferred_placement: {view.preferred_placement!r}"
                " is not the id of a candidate placement"
            )
    dob = case.child.date_of_birth
    if min(dates) < dob:
        for path, value in iter_dates(case):
            if path != "child.date_of_birth" and value < dob:
                raise ValueError(f"{path}: {value.isoformat()} is before the date of birth")
    return max(dates)  # lets check_against_date skip the walk when all is well
