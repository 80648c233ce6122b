"""Request and response bodies of the survey API (never the tables themselves: no mass assignment).

Built on the kernel's `Input` (unknown fields refused, strings stripped, NUL characters dropped) and `Output`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from kernel.schemas import Input, Output

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
Kind = Literal["single", "multiple", "rating", "text", "number"]
Language = Literal["en", "es"]


class SurveyCreate(Input):
    credential_id: int = Field(description="The credential whose competencies become importance questions.")
    title: str | None = Field(None, min_length=1, max_length=500)
    title_es: str | None = Field(None, min_length=1, max_length=500)
    intro: str | None = Field(None, max_length=5000)
    intro_es: str | None = Field(None, max_length=5000)
    closes_at: datetime | None = Field(None, description="When links stop working (timezone-aware).")
    max_reminders: int = Field(
        2, ge=0, le=10, description="Reminders at most, to those who have not submitted."
    )
    reminder_interval_days: int = Field(7, ge=1, le=90, description="Days between mails to one invitee.")


class SurveyUpdate(Input):
    title: str | None = Field(None, min_length=1, max_length=500)
    title_es: str | None = Field(None, max_length=500)
    intro: str | None = Field(None, max_length=5000)
    intro_es: str | None = Field(None, max_length=5000)
    closes_at: datetime | None = None
    max_reminders: int | None = Field(None, ge=0, le=10)
    reminder_interval_days: int | None = Field(None, ge=1, le=90)


class OptionIn(Input):
    value: str = Field(min_length=1, max_length=100)
    label: str = Field(min_length=1, max_length=500)
    label_es: str | None = Field(None, max_length=500)


class ShowIf(Input):
    model_config = ConfigDict(populate_by_name=True)  # `in` (the JSON name) or `in_`

    code: str = Field(pattern=CODE_PATTERN, description="Code of a choice question on an earlier page.")
    in_: list[str] = Field(
        alias="in", min_length=1, max_length=50, description="Show when the answer is one of these."
    )


class QuestionCreate(Input):
    code: str | None = Field(None, pattern=CODE_PATTERN, description="Stable key; generated when left out.")
    kind: Kind
    text: str = Field(min_length=1, max_length=2000)
    text_es: str | None = Field(None, max_length=2000)
    help: str | None = Field(None, max_length=2000)
    help_es: str | None = Field(None, max_length=2000)
    options: list[OptionIn] = Field(default_factory=list, max_length=100)
    required: bool = False
    show_if: ShowIf | None = None
    page: int | None = Field(None, ge=1, le=100, description="Form page; default: the last page.")
    position: int | None = Field(None, ge=1, description="1-based place in the survey; default: the end.")
    min_value: float | None = Field(None, description="Number questions: smallest accepted value.")
    max_value: float | None = Field(None, description="Number questions: largest accepted value.")
    integer: bool = Field(False, description="Number questions: whole numbers only.")


class QuestionUpdate(Input):
    kind: Kind | None = None
    text: str | None = Field(None, min_length=1, max_length=2000)
    text_es: str | None = Field(None, max_length=2000)
    help: str | None = Field(None, max_length=2000)
    help_es: str | None = Field(None, max_length=2000)
    options: list[OptionIn] | None = Field(None, max_length=100)
    required: bool | None = None
    show_if: ShowIf | None = None
    clear_show_if: bool = Field(False, description="Remove the question's show-if condition.")
    page: int | None = Field(None, ge=1, le=100)
    min_value: float | None = None
    max_value: float | None = None
    integer: bool | None = None


class QuestionOrder(Input):
    question_ids: list[int] = Field(
        min_length=1, description="Every question of the survey, in the new order."
    )


class QuestionRead(Output):
    id: int
    code: str
    position: int
    page: int
    kind: str
    text: str
    text_es: str | None
    help: str | None
    help_es: str | None
    options: list[dict[str, Any]]
    required: bool
    show_if: dict[str, Any] | None
    competency_id: int | None
    role: str | None


class SurveyRead(Output):
    id: int
    credential_id: int | None
    title: str
    title_es: str | None
    intro: str
    intro_es: str | None
    status: str
    closes_at: datetime | None
    max_reminders: int
    reminder_interval_days: int
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    questions: list[QuestionRead] = Field(default_factory=list)


class Invitee(Input):
    employer: str = Field("", max_length=500)
    name: str = Field("", max_length=300)
    email: EmailStr | None = None
    language: Language = "en"


class InvitationsCreate(Input):
    invitees: list[Invitee] = Field(min_length=1, max_length=5000)
    send_email: bool = Field(
        True, description="Queue an invitation mail (and reminders) for invitees with an email."
    )


class InvitationRead(Output):
    id: int
    employer: str
    name: str
    email: str | None
    language: str
    status: str
    opted_out: bool
    bounced: bool
    reminders_sent: int
    last_mailed_at: datetime | None
    created_at: datetime


class InvitationIssued(InvitationRead):
    url: str = Field(description="The personal link; shown this once, only its hash is kept.")
    token: str


class InvitationUpdate(Input):
    opted_out: bool | None = None
    bounced: bool | None = Field(None, description="Mark the address as bouncing: no more mail is sent.")


class OutboxRunRead(BaseModel):
    sent: int
    failed: int
    retried: int
