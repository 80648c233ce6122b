"""Request and response types of demand, alignment, drift runs, alerts and webhooks (never tables)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, field_validator

from kernel.schemas import Input, Output

AlertStatus = Literal["open", "acknowledged", "snoozed", "resolved", "dismissed"]
AlertKind = Literal["emerging_skill", "fading_competency", "coverage_drop", "survey_gap"]
Severity = Literal["low", "medium", "high"]
WebhookEvent = Literal["alert.opened", "alert.updated", "alert.resolved"]


class DemandConcept(Output):
    concept_id: str
    label: str
    postings: int = Field(
        description="Distinct postings (one per content fingerprint) asking for the concept."
    )
    share: float = Field(description="postings / all distinct postings of the period.")
    required: int = Field(description="Of those, postings where a mention is marked required.")
    preferred: int = Field(description="Of those, postings where a mention is marked preferred.")


class DemandPeriod(Output):
    period: str = Field(description="YYYY-MM")
    postings: int
    concepts: list[DemandConcept]


class DemandSeries(Output):
    occupations: list[str]
    region: list[str] = Field(
        default_factory=list, description="The region filter as canonical US codes ([]: every posting)."
    )
    window: dict[str, str] = Field(description='{"from": date, "to": date}, inclusive.')
    interval: str
    series: list[DemandPeriod]


class AlignmentConcept(DemandConcept):
    covered: bool
    covered_by: list[dict] = Field(description="[{competency_id, method: link|fuzzy, score, status}]")


class PlaceGroupRead(Output):
    code: str = Field(
        description="County FIPS (39035), CBSA code (17410), or 'outside' (remote, state-wide)."
    )
    label: str
    suppressed: bool = Field(description="Fewer postings than suppressed_below: numbers withheld.")
    postings: int | None = None
    share: float | None = Field(None, description="Of the window's postings.")
    concepts: dict[str, float] = Field(
        default_factory=dict, description="Concept id → share of the group's postings asking for it."
    )


class PlaceSplitRead(Output):
    kind: Literal["county", "cbsa"]
    region: list[str]
    postings: int = Field(description="Distinct postings of the window (a posting in two counties: in both).")
    concepts: list[dict[str, str]] = Field(description="[{concept_id, label}]: the top demanded concepts.")
    groups: list[PlaceGroupRead]
    suppressed_below: int


class AlignmentRead(Output):
    credential_id: int
    name: str
    occupations: list[str]
    region: list[str] = Field(
        default_factory=list, description="The credential's service region the postings were counted in."
    )
    window: dict[str, str]
    postings: int
    status: Literal["ok", "insufficient_data", "no_occupations"]
    demand_floor: float
    coverage: float | None = Field(description="Demand-weighted share of demanded concepts covered (0-1).")
    concepts: list[AlignmentConcept]
    split: PlaceSplitRead | None = Field(
        None,
        description="With ?split=county|cbsa: the window's postings per county or metro area of the region.",
    )


class DriftRunCreate(Input):
    as_of: date | None = Field(None, description="Last day of the current window; default today (UTC).")


class DriftRunRead(Output):
    id: int
    as_of: date
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    summary: dict
    error: str | None
    progress: dict | None = Field(
        None, description="While running on the replica asked: {stage, done, total}; else null."
    )


class AlertEventRead(Output):
    id: int
    at: datetime
    actor_user_id: int | None
    event: str
    from_status: str | None
    to_status: str | None
    note: str | None


class AlertRead(Output):
    id: int
    credential_id: int
    drift_run_id: int | None
    kind: str
    concept_id: str | None
    competency_id: int | None
    status: str
    severity: str
    title: str
    evidence: dict
    snooze_until: datetime | None
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    version: int = Field(description="Bumped by every change of state; send it back as expected_version.")


class AlertDetail(AlertRead):
    events: list[AlertEventRead]


class AlertUpdate(Input):
    status: AlertStatus | None = None
    note: str | None = Field(None, max_length=4000)
    snooze_until: date | datetime | None = Field(
        None, description="With status snoozed: when it opens again (at most max_snooze_days ahead)."
    )
    expected_version: int | None = Field(
        None,
        ge=1,
        le=2_147_483_647,
        description="The version the change was made from; another version (someone changed the alert "
        "meanwhile) is a 409 with the current alert.",
    )


class WebhookCreate(Input):
    url: str = Field(max_length=2000, description="http(s) endpoint that receives signed POSTs.")
    events: list[WebhookEvent] = Field(default_factory=list, description="Empty: every event.")
    secret: str | None = Field(
        None, min_length=16, max_length=200, description="Default: generated, shown once."
    )
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value

    @field_validator("secret")
    @classmethod
    def _usable_secret(cls, value: str | None) -> str | None:
        from service.demand.webhook_signing import secret_problem

        problem = None if value is None else secret_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class WebhookUpdate(Input):
    url: str | None = Field(None, max_length=2000)
    events: list[WebhookEvent] | None = None
    enabled: bool | None = None

    @field_validator("url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        return None if value is None else WebhookCreate._http(value)


class WebhookRead(Output):
    id: int
    url: str
    events: list[str]
    enabled: bool
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="Signing secret of the webhook-signature header (Standard Webhooks); shown only now."
    )


class WebhookDeliveryRead(Output):
    id: int
    webhook_id: int
    event: str
    status: str
    attempts: int
    response_code: int | None
    error: str | None
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    payload: dict


class ProfileOccupation(Output):
    code: str  # O*NET-SOC code, or the ESCO occupation URI
    title: str


class ProfileGapItem(Output):
    kind: str
    id: str  # concept id; the O*NET task id for tasks
    label: str
    covered: bool
    sentence: str  # in plain words, e.g. "O*NET lists '…' as a core task of Welders; no competency covers it"
    listed_by: list[str]  # occupation titles (ESCO occupation labels for ESCO skills)
    core: bool = False  # a DWA of a core task
    dwa_ids: list[str] = Field(default_factory=list)  # a task's DWAs (a task is covered through them)


class ProfileGapGroup(Output):
    kind: Literal["core_task", "supplemental_task", "dwa", "hot_technology", "tool", "esco_essential"]
    title: str
    listed: int
    covered: int
    items: list[ProfileGapItem]  # every listed item, covered or not: the gaps are those not covered


class ProfileGapRead(Output):
    credential_id: int
    name: str
    occupations: list[ProfileOccupation]
    esco_occupations: list[ProfileOccupation]
    unknown_occupations: list[str]  # the credential's codes O*NET does not know
    listed: int
    covered: int
    groups: list[ProfileGapGroup]
    note: str | None = None


class RecognitionMonth(Output):
    period: str = Field(description="YYYY-MM")
    postings: int = Field(description="Relevant postings of the month (one per content fingerprint).")
    asking: int = Field(description="Of those, postings that ask for the credential.")
    required: int = Field(description="Of those asking, postings that say it is required.")
    preferred: int = Field(description="Of those asking, postings that say it is preferred (not required).")
    share: float | None = Field(description="asking / postings (null in a month without postings).")


class RecognitionSnippet(Output):
    posting_id: int
    title: str | None
    employer: str | None
    url: str | None
    posted_at: date | None
    requirement: str | None = Field(description="required | preferred | null (named without a cue).")
    match: str = Field(description="The alias as the posting writes it.")
    sentence: str = Field(description="The sentence (or bullet line) it was found in.")
    match_start: int = Field(description="Where the match starts within `sentence`.")
    match_end: int


class SurveyRecognition(Output):
    survey_id: int
    status: str
    answers: int
    distribution: dict[str, int]
    requires_or_prefers: dict = Field(description="count, n, share and 95% interval (surveys.stats.share).")


class SurveyRecognitionRead(Output):
    answers: int = Field(description="Employers who answered the recognition question, over every survey.")
    distribution: dict[str, int]
    requires_or_prefers: dict
    surveys: list[SurveyRecognition]


class RecognitionRead(Output):
    """How often the postings of the credential's occupations (and region) ask for it, by month."""

    credential_id: int
    name: str
    occupations: list[str]
    region: list[str] = Field(description="The region filter as canonical US codes ([]: every posting).")
    window: dict[str, str] = Field(description='{"from": date, "to": date}, inclusive.')
    aliases: list[str] = Field(description="The names looked for in posting text.")
    aliases_source: Literal["set", "proposed"]
    status: Literal["ok", "no_occupations", "no_aliases"]
    postings: int = Field(description="Relevant postings of the window (one per content fingerprint).")
    asking: int
    required: int
    preferred: int
    share: float | None
    months: list[RecognitionMonth]
    snippets: list[RecognitionSnippet]
    survey: SurveyRecognitionRead = Field(
        description="What employers answered the surveys' recognition question."
    )
