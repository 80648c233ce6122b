"""Surveys: create one from a credential, edit it while a draft, open and close it, invite employers by
pasting a list, watch progress, read the results with charts, export CSV / XLSX.

Every read and change goes through the surveys package's own functions (the same ones its API uses) and the
credentials service: this module holds no query."""

from __future__ import annotations

import csv
import io
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import ClientException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from kernel.di import DbSession
from service.credentials import services as credential_service
from service.credentials.survey_source import CREDENTIALS_FOR_SURVEYS
from service.dashboard.rendering import GUARDS, WRITE, page, read_form, see_other
from service.dependencies import CurrentPrincipal
from surveys import services, store
from surveys.invitations import create_invitations
from surveys.models import Survey
from surveys.results import survey_results
from surveys.schemas import InvitationsCreate, SurveyCreate, SurveyUpdate

MAX_INVITEES = 5000
NOTICES = {
    "created": "Survey created from the credential's competencies. Check the wording, then open it.",
    "saved": "Changes saved.",
    "opened": "Survey open: invitation links now work.",
    "closed": "Survey closed: links no longer accept answers.",
}


def first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ()) if not isinstance(p, int)) or "input"
    return f"{where}: {error.get('msg', 'invalid')}"


@get("/app/surveys", include_in_schema=False)
async def surveys_page(
    db_session: DbSession, principal: CurrentPrincipal, credential_id: FromQuery[int | None] = None
) -> Template:
    surveys = await store.list_surveys(db_session, principal.org_id)
    credentials = await credential_service.credential_choices(db_session, principal.org_id)
    return page(
        "surveys.html",
        principal,
        title="Surveys",
        active="surveys",
        surveys=surveys,
        credentials=credentials,
        names=dict(credentials),
        progress=await services.progress(db_session, principal.org_id),
        chosen=credential_id,
    )


@get("/app/surveys/new", include_in_schema=False)
async def new_survey(credential_id: FromQuery[int | None] = None) -> Redirect:
    """The credential page's "survey employers" button lands on the list with the credential chosen."""
    return Redirect(path=f"/app/surveys?credential_id={credential_id or ''}#new", status_code=302)


@post("/app/surveys", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def create_survey(
    request: Request, db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    form = await read_form(request)
    raw_id = str(form.get("credential_id") or "")
    title = str(form.get("title") or "").strip() or None
    error = None
    if not raw_id.isdigit():
        error = "Choose the credential the survey is about."
    else:
        try:
            data = SurveyCreate(credential_id=int(raw_id), title=title)
        except ValidationError as exc:
            error = first_error(exc)
    if error is None:
        survey, _ = await store.create_survey(
            db_session, principal.org_id, data, CREDENTIALS_FOR_SURVEYS
        )  # 404: not this org's credential
        return see_other(f"/app/surveys/{survey.id}?done=created")
    credentials = await credential_service.credential_choices(db_session, principal.org_id)
    return page(
        "surveys.html",
        principal,
        title="Surveys",
        active="surveys",
        status_code=400,
        error=error,
        surveys=await store.list_surveys(db_session, principal.org_id),
        credentials=credentials,
        names=dict(credentials),
        progress=await services.progress(db_session, principal.org_id),
        chosen=int(raw_id) if raw_id.isdigit() else None,
    )


async def render_survey(
    db_session: DbSession,
    principal: CurrentPrincipal,
    survey: Survey,
    *,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
    issued: list | None = None,
    invitees_text: str = "",
) -> Template:
    questions = await store.list_questions(db_session, survey.id)
    results = await survey_results(db_session, survey)
    credential = await credential_service.credential_or_none(
        db_session, principal.org_id, survey.credential_id
    )
    progress = (await services.progress(db_session, principal.org_id)).get(survey.id, services.NO_PROGRESS)
    drafts = await services.draft_responses(db_session, survey)
    return page(
        "survey.html",
        principal,
        title=survey.title,
        active="surveys",
        status_code=status_code,
        error=error,
        notice=notice,
        survey=survey,
        credential=credential,
        questions=questions,
        results=results,
        importance=(rows := _importance_rows(results)),
        importance_bars=[(r["text"], r["share"] or 0.0) for r in rows],
        progress=progress,
        drafts=drafts,
        issued=issued or [],
        invitees_text=invitees_text,
    )


def _importance_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for item in results.get("competencies", []):
        share = item.get("essential_or_important") or {}
        interval = share.get("interval_95") or [None, None]
        rows.append(
            {
                "text": item.get("text", ""),
                "answers": item.get("answers", 0),
                "count": share.get("count", 0),
                "n": share.get("n", 0),
                "share": share.get("share"),
                "low": interval[0],
                "high": interval[1],
            }
        )
    return rows


@get("/app/surveys/{survey_id:int}", include_in_schema=False)
async def survey_page(
    survey_id: FromPath[int],
    db_session: DbSession,
    principal: CurrentPrincipal,
    done: FromQuery[str | None] = None,
) -> Template:
    survey = await store.get_survey(db_session, principal.org_id, survey_id)
    return await render_survey(db_session, principal, survey, notice=NOTICES.get(done or ""))


@post("/app/surveys/{survey_id:int}/edit", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def edit_survey(
    request: Request, survey_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    survey = await store.get_survey(db_session, principal.org_id, survey_id)
    form = await read_form(request)
    try:
        store.require_draft(survey)
        data = SurveyUpdate(
            title=str(form.get("title") or "").strip() or None, intro=str(form.get("intro") or "")
        )
        await store.update_survey(db_session, survey, data)
    except ValidationError as exc:
        return await render_survey(db_session, principal, survey, status_code=400, error=first_error(exc))
    except (ClientException, store.SurveyError) as exc:
        return await render_survey(
            db_session, principal, survey, status_code=exc.status_code, error=exc.detail
        )
    return see_other(f"/app/surveys/{survey.id}?done=saved")


async def _transition(db_session: DbSession, principal: CurrentPrincipal, survey_id: int, action: str):  # noqa: ANN202
    survey = await store.get_survey(db_session, principal.org_id, survey_id)
    try:
        await (services.open_survey if action == "open" else services.close_survey)(db_session, survey)
    except (ClientException, store.SurveyError) as exc:
        return await render_survey(
            db_session, principal, survey, status_code=exc.status_code, error=exc.detail
        )
    return see_other(f"/app/surveys/{survey.id}?done={action}ed")


@post("/app/surveys/{survey_id:int}/open", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def open_survey(
    survey_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    return await _transition(db_session, principal, survey_id, "open")


@post("/app/surveys/{survey_id:int}/close", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def close_survey(
    survey_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    return await _transition(db_session, principal, survey_id, "clos")


def parse_invitees(text: str) -> list[dict[str, str]]:
    """One invitee a line, as pasted from a spreadsheet: `employer, name, email` (commas or tabs; name, email
    optional). A line with only an email is fine too."""
    invitees = []
    delimiter = "\t" if "\t" in text else ","
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) > 3:
            raise ValueError(f"line {number} has {len(cells)} fields; use employer, name, email")
        if len(cells) == 1 and "@" in cells[0]:
            cells = ["", "", cells[0]]
        employer, name, email = (cells + ["", "", ""])[:3]
        invitees.append({"employer": employer, "name": name, "email": email or None})
    return invitees


@post("/app/surveys/{survey_id:int}/invitations", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def invite(
    request: Request, survey_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template:
    """Shows every new personal link once, in this response (only their hashes are kept)."""
    survey = await store.get_survey(db_session, principal.org_id, survey_id)
    form = await read_form(request)
    text = str(form.get("invitees") or "")
    try:
        rows = parse_invitees(text)
        if not rows:
            raise ValueError("paste at least one invitee: employer, name, email")
        if len(rows) > MAX_INVITEES:
            raise ValueError(f"at most {MAX_INVITEES:,} invitees at a time")
        data = InvitationsCreate(invitees=rows, send_email=form.get("send_email") == "yes")
        issued = await create_invitations(
            db_session, survey, data, request.app.state.settings.server.base_url, request.app.state.keyring
        )
    except ValueError as exc:  # also pydantic's ValidationError
        message = first_error(exc) if isinstance(exc, ValidationError) else str(exc)
        return await render_survey(
            db_session,
            principal,
            survey,
            status_code=400,
            error=message[:1].upper() + message[1:],
            invitees_text=text,
        )
    except (ClientException, store.SurveyError) as exc:
        return await render_survey(
            db_session, principal, survey, status_code=exc.status_code, error=exc.detail
        )
    return await render_survey(
        db_session, principal, survey, issued=issued, notice=f"{len(issued)} personal link(s) created."
    )


route_handlers = [
    surveys_page,
    new_survey,
    create_survey,
    survey_page,
    edit_survey,
    open_survey,
    close_survey,
    invite,
]
