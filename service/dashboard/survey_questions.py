"""Survey questions while a survey is a draft: reword, remove, add (the surveys package checks them)."""

from __future__ import annotations

from litestar import Request, post
from litestar.exceptions import ClientException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from kernel.di import DbSession
from service.dashboard.choice_options import parse_options
from service.dashboard.rendering import GUARDS, WRITE, read_form, see_other
from service.dashboard.survey_pages import first_error, render_survey
from service.dependencies import CurrentPrincipal
from surveys import store
from surveys.models import Survey
from surveys.schemas import QuestionCreate, QuestionUpdate

CHOICE_KINDS = ("single", "multiple")
FORM_KINDS = ("text", "number", *CHOICE_KINDS)


async def _question_change(db_session: DbSession, principal: CurrentPrincipal, survey: Survey, change):  # noqa: ANN001, ANN202
    """Runs a change to the draft's questions; a refused change re-renders the page with the reason."""
    survey_id = survey.id
    try:
        await change()
    except (ValidationError, ClientException, store.SurveyError) as exc:
        status, error = (
            (400, first_error(exc)) if isinstance(exc, ValidationError) else (exc.status_code, exc.detail)
        )
        await db_session.rollback()
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        return await render_survey(db_session, principal, survey, status_code=status, error=error)
    return see_other(f"/app/surveys/{survey_id}?done=saved#q-h")


@post("/app/surveys/{survey_id:int}/questions", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def add_question(
    request: Request, survey_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    """A designer's own question: open text, a number, or one or several choices among the options typed one
    per line (validated as the API's `options`)."""
    survey = await store.get_survey(db_session, principal.org_id, survey_id)
    form = await read_form(request)
    kind = str(form.get("kind") or "text")

    async def change() -> None:
        if kind not in FORM_KINDS:
            raise ClientException(f"the answer must be one of {', '.join(FORM_KINDS)}")
        options = parse_options(str(form.get("options") or "")) if kind in CHOICE_KINDS else []
        data = QuestionCreate.model_validate(
            {"kind": kind, "text": str(form.get("text") or ""), "options": options}
        )
        await store.add_question(db_session, survey, data)

    return await _question_change(db_session, principal, survey, change)


@post(
    "/app/surveys/{survey_id:int}/questions/{question_id:int}",
    include_in_schema=False,
    opt=WRITE,
    guards=GUARDS,
)
async def edit_question(
    request: Request,
    survey_id: FromPath[int],
    question_id: FromPath[int],
    db_session: DbSession,
    principal: CurrentPrincipal,
) -> Template | Redirect:
    survey = await store.get_survey(db_session, principal.org_id, survey_id)
    question = await store.get_question(db_session, survey, question_id)
    form = await read_form(request)

    async def change() -> None:
        changes: dict[str, object] = {"text": str(form.get("text") or "")}
        if question.kind in CHOICE_KINDS and "options" in form:
            changes["options"] = parse_options(str(form.get("options") or ""), question.options)
        await store.update_question(db_session, survey, question, QuestionUpdate.model_validate(changes))

    return await _question_change(db_session, principal, survey, change)


@post(
    "/app/surveys/{survey_id:int}/questions/{question_id:int}/delete",
    include_in_schema=False,
    opt=WRITE,
    guards=GUARDS,
)
async def delete_question(
    survey_id: FromPath[int], question_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    survey = await store.get_survey(db_session, principal.org_id, survey_id)
    question = await store.get_question(db_session, survey, question_id)
    return await _question_change(
        db_session, principal, survey, lambda: store.delete_question(db_session, survey, question)
    )


route_handlers = [add_question, edit_question, delete_question]
