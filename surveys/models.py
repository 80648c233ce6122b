"""Tables for surveys, questions, invitations, responses, answers, survey-skill mentions and the mail outbox.

Foreign keys to the service's tables (organisation, credential, competency) are real ones, declared on the
shared SQLModel metadata by their table's name, so this package never imports ``service``.
"""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from kernel.clock import utcnow


class Survey(SQLModel, table=True):
    """A survey of employers, usually generated from a credential; draft → open → closed."""

    __tablename__ = "survey"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    credential_id: int | None = Field(default=None, foreign_key="credential.id", ondelete="SET NULL")
    title: str = Field(max_length=500)
    title_es: str | None = Field(default=None, max_length=500)
    intro: str = Field(default="")
    intro_es: str | None = Field(default=None)
    status: str = Field(default="draft", max_length=16, description="draft|open|closed")
    closes_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    max_reminders: int = Field(default=2)
    reminder_interval_days: int = Field(default=7)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    opened_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))


class SurveyQuestion(SQLModel, table=True):
    """One question: single, multiple, rating, text or number; optional show-if on an earlier answer."""

    __tablename__ = "survey_question"
    __table_args__ = (
        Index("ix_survey_question_survey", "survey_id", "position"),
        UniqueConstraint("survey_id", "code", name="uq_survey_question_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    survey_id: int = Field(foreign_key="survey.id", ondelete="CASCADE")
    code: str = Field(max_length=64, description="Stable key, e.g. comp_12, missing_skills.")
    position: int = Field(default=0)
    page: int = Field(default=1)
    kind: str = Field(max_length=16, description="single|multiple|rating|text|number")
    text: str = Field(max_length=2000)
    text_es: str | None = Field(default=None, max_length=2000)
    help: str | None = Field(default=None, max_length=2000)
    help_es: str | None = Field(default=None, max_length=2000)
    options: list[dict] = Field(default_factory=list, sa_type=JsonB, description="[{value, label, label_es}]")
    required: bool = Field(default=False)
    show_if: dict | None = Field(default=None, sa_type=JsonB, description='{"code": ..., "in": [...]}')
    competency_id: int | None = Field(default=None, foreign_key="competency.id", ondelete="SET NULL")
    role: str | None = Field(default=None, max_length=32, description="importance|missing|outlook|...")


class SurveyInvitation(SQLModel, table=True):
    """A personal link for one invitee; only the token's SHA-256 is stored."""

    __tablename__ = "survey_invitation"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_survey_invitation_token"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    survey_id: int = Field(foreign_key="survey.id", index=True, ondelete="CASCADE")
    employer: str = Field(default="", max_length=500)
    name: str = Field(default="", max_length=300)
    email: str | None = Field(default=None, max_length=320)
    token_hash: str = Field(max_length=64)
    language: str = Field(default="en", max_length=8)
    status: str = Field(default="pending", max_length=16, description="pending|started|submitted")
    opted_out: bool = Field(default=False)
    bounced: bool = Field(default=False)
    reminders_sent: int = Field(default=0)
    last_mailed_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))


class SurveyResponse(SQLModel, table=True):
    """An invitee's response: a server-side draft until submitted; one per invitation."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("invitation_id", name="uq_survey_response_invitation"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    survey_id: int = Field(foreign_key="survey.id", index=True, ondelete="CASCADE")
    invitation_id: int = Field(foreign_key="survey_invitation.id", ondelete="CASCADE")
    status: str = Field(default="draft", max_length=16, description="draft|submitted")
    page: int = Field(default=1)
    language: str = Field(default="en", max_length=8)
    started_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    submitted_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    extraction_status: str = Field(default="pending", max_length=16, description="pending|done|failed")
    extraction_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    extraction_error: str | None = Field(default=None)


class SurveyAnswer(SQLModel, table=True):
    """The answer to one question in one response (value as JSON: str, number or list)."""

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id", name="uq_survey_answer"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    response_id: int = Field(foreign_key="survey_response.id", ondelete="CASCADE")
    question_id: int = Field(foreign_key="survey_question.id", ondelete="CASCADE")
    value: object = Field(default=None, sa_type=JsonB)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))


class SurveySkillMention(SQLModel, table=True):
    """A skill concept read from an open answer, counted like posting demand."""

    __tablename__ = "survey_skill_mention"
    __table_args__ = (Index("ix_survey_skill_mention_survey", "survey_id", "concept_id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    survey_id: int = Field(foreign_key="survey.id", ondelete="CASCADE")
    response_id: int = Field(foreign_key="survey_response.id", index=True, ondelete="CASCADE")
    question_id: int = Field(foreign_key="survey_question.id", ondelete="CASCADE")
    start: int
    end: int
    text: str = Field(max_length=1000)
    kind: str = Field(default="skill", max_length=16)
    concept_id: str | None = Field(default=None, max_length=500)
    concept_label: str | None = Field(default=None, max_length=500)
    score: float = Field(default=0.0)


class OutboxEmail(SQLModel, table=True):
    """A mail waiting to go out over SMTP; kept until sent so nothing is lost while the server is down."""

    __tablename__ = "outbox_email"
    __table_args__ = (Index("ix_outbox_email_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    invitation_id: int | None = Field(
        default=None, foreign_key="survey_invitation.id", ondelete="SET NULL", index=True
    )
    kind: str = Field(default="invitation", max_length=16, description="invitation|reminder")
    to_address: str = Field(max_length=320)
    subject: str = Field(max_length=500)
    body: str = Field(description="The text; a personal link in it has a placeholder (mail.LINK_TOKEN).")
    link_token: str | None = Field(
        default=None,
        description="The invitee's link token, encrypted (the service's keyring); filled into the body at "
        "send time and cleared once the mail is sent, failed or cancelled.",
    )
    status: str = Field(default="pending", max_length=16, description="pending|sent|failed|cancelled")
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    error: str | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True))
