"""Surveys and their questions in the database: generation from a credential, draft editing, open and close.

Its errors are SurveyError (not found, conflict, invalid), never HTTP exceptions. Credentials and competencies
belong to the service; a survey reads them through the `CredentialSource` port (surveys.caller) that the
service hands in, so this package never imports service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import utcnow
from surveys.caller import CredentialSource
from surveys.generation import generate_questions, survey_intro, survey_title
from surveys.models import Survey, SurveyQuestion
from surveys.questions import DefinitionError, validate_definitions
from surveys.schemas import QuestionCreate, QuestionOrder, QuestionUpdate, SurveyCreate, SurveyUpdate

QUESTION_FIELDS = (
    "code",
    "position",
    "page",
    "kind",
    "text",
    "text_es",
    "help",
    "help_es",
    "options",
    "required",
    "show_if",
    "competency_id",
    "role",
)


class SurveyError(Exception):
    """A caller's mistake about a survey. No HTTP type: `status_code` is what an HTTP caller answers with (the
    API as JSON, the dashboard as its page), `detail` the reason in words."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class SurveyNotFound(SurveyError):
    status_code = 404


class SurveyConflict(SurveyError):
    """Not possible in the survey's state (closed, open, a code taken)."""

    status_code = 409


class SurveyInvalid(SurveyError):
    """A value that is not valid (a date in the past, a question definition)."""


def conflict(detail: str) -> SurveyConflict:
    return SurveyConflict(detail)


def as_definition(question: SurveyQuestion) -> dict[str, Any]:
    return {name: getattr(question, name) for name in QUESTION_FIELDS}


async def get_survey(session: AsyncSession, org_id: int, survey_id: int) -> Survey:
    survey = await session.get(Survey, survey_id)
    if survey is None or survey.org_id != org_id:
        raise SurveyNotFound(f"survey {survey_id} not found")
    return survey


async def list_questions(session: AsyncSession, survey_id: int) -> list[SurveyQuestion]:
    rows = await session.scalars(
        select(SurveyQuestion)
        .where(SurveyQuestion.survey_id == survey_id)
        .order_by(SurveyQuestion.position, SurveyQuestion.id)
    )
    return list(rows)


async def list_surveys(session: AsyncSession, org_id: int, status: str | None = None) -> list[Survey]:
    query = select(Survey).where(Survey.org_id == org_id)
    if status:
        query = query.where(Survey.status == status)
    return list(await session.scalars(query.order_by(Survey.id.desc())))


async def create_survey(
    session: AsyncSession, org_id: int, data: SurveyCreate, credentials: CredentialSource
) -> tuple[Survey, list[SurveyQuestion]]:
    """A draft survey about a credential (read through `credentials`): its competencies become importance
    questions."""
    credential = await credentials.credential_for_survey(session, org_id, data.credential_id)
    if credential is None:
        raise SurveyNotFound(f"credential {data.credential_id} not found")
    competencies = list(credential.competencies)
    if data.closes_at is not None:
        _check_future(data.closes_at)
    title, title_es = survey_title(credential.name)
    intro, intro_es = survey_intro(credential.name)
    survey = Survey(
        org_id=org_id,
        credential_id=credential.id,
        title=data.title or title,
        title_es=data.title_es or (None if data.title else title_es),
        intro=data.intro if data.intro is not None else intro,
        intro_es=data.intro_es
        if data.intro_es is not None
        else (None if data.intro is not None else intro_es),
        closes_at=data.closes_at,
        max_reminders=data.max_reminders,
        reminder_interval_days=data.reminder_interval_days,
    )
    session.add(survey)
    await session.flush()
    questions = [
        SurveyQuestion(org_id=org_id, survey_id=survey.id, **fields)
        for fields in generate_questions(credential.name, competencies)
    ]
    session.add_all(questions)
    await session.flush()
    return survey, questions


def _check_future(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise SurveyInvalid("closes_at must carry a time zone, e.g. 2030-01-31T23:59:00Z")
    if moment <= utcnow():
        raise SurveyInvalid("closes_at must be in the future")


async def update_survey(session: AsyncSession, survey: Survey, data: SurveyUpdate) -> Survey:
    if survey.status == "closed":
        raise conflict(f"survey {survey.id} is closed and can no longer change")
    changes = data.model_dump(exclude_unset=True)
    if survey.status == "open" and set(changes) - {"closes_at", "max_reminders", "reminder_interval_days"}:
        raise conflict("an open survey's wording cannot change; only closes_at and reminders can")
    if changes.get("closes_at") is not None:
        _check_future(changes["closes_at"])
    for name in ("title",):
        if name in changes and changes[name] is None:
            raise SurveyInvalid(f"{name} cannot be empty")
    for name, value in changes.items():
        setattr(survey, name, value if value is not None or name != "intro" else "")
    return survey


def require_draft(survey: Survey) -> None:
    if survey.status != "draft":
        raise conflict(
            f"survey {survey.id} is {survey.status}; questions can only change while it is a draft"
        )


def _validate(definitions: list[dict[str, Any]]) -> None:
    try:
        validate_definitions(definitions)
    except DefinitionError as exc:
        raise SurveyInvalid(str(exc)) from None


def _options_for(
    kind: str, options: list, min_value: float | None, max_value: float | None, integer: bool
) -> list:
    if kind == "number":
        return [{"min": min_value, "max": max_value, "integer": integer}]
    if kind == "text":
        return []
    return [o.model_dump() if hasattr(o, "model_dump") else o for o in options]


def _free_code(existing: set[str]) -> str:
    number = len(existing) + 1
    while f"q_{number}" in existing:
        number += 1
    return f"q_{number}"


async def add_question(session: AsyncSession, survey: Survey, data: QuestionCreate) -> SurveyQuestion:
    require_draft(survey)
    questions = await list_questions(session, survey.id)
    codes = {q.code for q in questions}
    code = data.code or _free_code(codes)
    if code in codes:
        raise conflict(f"question code {code!r} already exists in this survey")
    last_page = max((q.page for q in questions), default=1)
    position = min(data.position or len(questions) + 1, len(questions) + 1)
    for question in questions:
        if question.position >= position:
            question.position += 1
    new = SurveyQuestion(
        org_id=survey.org_id,
        survey_id=survey.id,
        code=code,
        position=position,
        page=data.page or last_page,
        kind=data.kind,
        text=data.text,
        text_es=data.text_es,
        help=data.help,
        help_es=data.help_es,
        options=_options_for(data.kind, data.options, data.min_value, data.max_value, data.integer),
        required=data.required,
        show_if=data.show_if.model_dump(by_alias=True) if data.show_if else None,
    )
    _validate([as_definition(q) for q in questions] + [as_definition(new)])
    session.add(new)
    await session.flush()
    return new


async def get_question(session: AsyncSession, survey: Survey, question_id: int) -> SurveyQuestion:
    question = await session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id or question.org_id != survey.org_id:
        raise SurveyNotFound(f"question {question_id} not found in survey {survey.id}")
    return question


async def update_question(
    session: AsyncSession, survey: Survey, question: SurveyQuestion, data: QuestionUpdate
) -> SurveyQuestion:
    require_draft(survey)
    changes = data.model_dump(exclude_unset=True)
    for name in ("text", "text_es", "help", "help_es", "required", "page", "kind"):
        if name in changes and (changes[name] is not None or name in ("text_es", "help", "help_es")):
            setattr(question, name, changes[name])
    if data.clear_show_if:
        question.show_if = None
    elif data.show_if is not None:
        question.show_if = data.show_if.model_dump(by_alias=True)
    if question.kind == "number":
        spec = question.options[0] if question.options else {}
        low = changes["min_value"] if "min_value" in changes else spec.get("min")
        high = changes["max_value"] if "max_value" in changes else spec.get("max")
        integer = (
            changes["integer"] if changes.get("integer") is not None else bool(spec.get("integer", False))
        )
        question.options = [{"min": low, "max": high, "integer": integer}]
    elif data.options is not None:
        question.options = _options_for(question.kind, data.options, None, None, False)
    elif question.kind == "text":
        question.options = []
    others = [as_definition(q) for q in await list_questions(session, survey.id) if q.id != question.id]
    _validate(others + [as_definition(question)])
    return question


async def reorder_questions(
    session: AsyncSession, survey: Survey, data: QuestionOrder
) -> list[SurveyQuestion]:
    require_draft(survey)
    questions = {q.id: q for q in await list_questions(session, survey.id)}
    if sorted(data.question_ids) != sorted(questions):
        raise SurveyInvalid(
            f"question_ids must list every question of survey {survey.id} exactly once: {sorted(questions)}"
        )
    for position, question_id in enumerate(data.question_ids, start=1):
        questions[question_id].position = position
    _validate([as_definition(q) for q in questions.values()])
    return sorted(questions.values(), key=lambda q: q.position)


async def delete_question(session: AsyncSession, survey: Survey, question: SurveyQuestion) -> None:
    require_draft(survey)
    questions = await list_questions(session, survey.id)
    dependants = [q.code for q in questions if q.show_if and q.show_if.get("code") == question.code]
    if dependants:
        raise conflict(f"questions {dependants} show only after {question.code!r}; change them first")
    await session.delete(question)
    for position, other in enumerate((q for q in questions if q.id != question.id), start=1):
        other.position = position


async def open_survey(session: AsyncSession, survey: Survey) -> Survey:
    if survey.status != "draft":
        raise conflict(f"survey {survey.id} is {survey.status}; only a draft can be opened")
    questions = await list_questions(session, survey.id)
    if not questions:
        raise conflict("a survey needs at least one question before it opens")
    _validate([as_definition(q) for q in questions])
    if survey.closes_at is not None and survey.closes_at <= utcnow():
        raise conflict("closes_at is in the past; move it before opening")
    survey.status = "open"
    survey.opened_at = utcnow()
    return survey


async def close_survey(session: AsyncSession, survey: Survey) -> Survey:
    if survey.status != "open":
        raise conflict(f"survey {survey.id} is {survey.status}; only an open survey can be closed")
    survey.status = "closed"
    survey.closed_at = utcnow()
    return survey


async def count_questions(session: AsyncSession, survey_id: int) -> int:
    return int(await session.scalar(select(func.count()).where(SurveyQuestion.survey_id == survey_id)) or 0)
