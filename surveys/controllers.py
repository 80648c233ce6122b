"""HTTP API of surveys (designers) under /api/v1/surveys, plus the public form and its stylesheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.static_files import create_static_files_router

from kernel.di import DbSession
from surveys import invitations, services, store
from surveys.caller import CredentialSourceDep, CurrentCaller
from surveys.form_views import SurveyFormController
from surveys.results import survey_results
from surveys.schemas import (
    InvitationIssued,
    InvitationRead,
    InvitationsCreate,
    InvitationUpdate,
    QuestionCreate,
    QuestionOrder,
    QuestionRead,
    QuestionUpdate,
    SurveyCreate,
    SurveyRead,
    SurveyUpdate,
)

STATIC_DIR = Path(__file__).resolve().parent / "static"


async def _read(db_session: Any, survey: Any) -> SurveyRead:
    questions = await store.list_questions(db_session, survey.id)
    return SurveyRead.model_validate(survey).model_copy(
        update={"questions": [QuestionRead.model_validate(q) for q in questions]}
    )


def survey_error(request: Request, exc: store.SurveyError) -> Response:
    """The store's errors as every API error leaves: JSON {"status_code", "detail"}."""
    return Response(
        {"status_code": exc.status_code, "detail": exc.detail},
        status_code=exc.status_code,
        media_type="application/json",
    )


SURVEY_ERRORS = {store.SurveyError: survey_error}


def _base_url(request: Request) -> str:
    server = getattr(request.app.state.settings, "server", None)
    return getattr(server, "base_url", None) or str(request.base_url).rstrip("/")


class SurveyController(Controller):
    path = "/api/v1/surveys"
    tags = ["surveys"]
    exception_handlers = SURVEY_ERRORS  # type: ignore[assignment]

    @post("/", operation_id="createSurvey", raises=[NotFoundException, ClientException])
    async def create(
        self,
        data: JSONBody[SurveyCreate],
        db_session: DbSession,
        principal: CurrentCaller,
        credential_source: CredentialSourceDep,
    ) -> SurveyRead:
        """Generate a draft survey from a credential's competencies."""
        survey, _ = await store.create_survey(db_session, principal.org_id, data, credential_source)
        return await _read(db_session, survey)

    @get("/", operation_id="listSurveys")
    async def list_all(
        self, db_session: DbSession, principal: CurrentCaller, status: FromQuery[str | None] = None
    ) -> list[SurveyRead]:
        if status is not None and status not in ("draft", "open", "closed"):
            raise ClientException("status must be draft, open or closed", status_code=400)
        return [
            SurveyRead.model_validate(s)
            for s in await store.list_surveys(db_session, principal.org_id, status)
        ]

    @get("/{survey_id:int}", operation_id="getSurvey", raises=[NotFoundException])
    async def get_one(
        self, survey_id: FromPath[int], db_session: DbSession, principal: CurrentCaller
    ) -> SurveyRead:
        return await _read(db_session, await store.get_survey(db_session, principal.org_id, survey_id))

    @patch("/{survey_id:int}", operation_id="updateSurvey", raises=[NotFoundException, ClientException])
    async def update(
        self,
        survey_id: FromPath[int],
        data: JSONBody[SurveyUpdate],
        db_session: DbSession,
        principal: CurrentCaller,
    ) -> SurveyRead:
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        await store.update_survey(db_session, survey, data)
        return await _read(db_session, survey)

    @delete("/{survey_id:int}", operation_id="deleteSurvey", raises=[NotFoundException])
    async def remove(self, survey_id: FromPath[int], db_session: DbSession, principal: CurrentCaller) -> None:
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        await db_session.delete(survey)

    @post(
        "/{survey_id:int}/questions",
        operation_id="addSurveyQuestion",
        raises=[NotFoundException, ClientException],
    )
    async def add_question(
        self,
        survey_id: FromPath[int],
        data: JSONBody[QuestionCreate],
        db_session: DbSession,
        principal: CurrentCaller,
    ) -> QuestionRead:
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        return QuestionRead.model_validate(await store.add_question(db_session, survey, data))

    @patch(
        "/{survey_id:int}/questions/{question_id:int}",
        operation_id="updateSurveyQuestion",
        raises=[NotFoundException, ClientException],
    )
    async def update_question(
        self,
        survey_id: FromPath[int],
        question_id: FromPath[int],
        data: JSONBody[QuestionUpdate],
        db_session: DbSession,
        principal: CurrentCaller,
    ) -> QuestionRead:
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        question = await store.get_question(db_session, survey, question_id)
        return QuestionRead.model_validate(await store.update_question(db_session, survey, question, data))

    @delete(
        "/{survey_id:int}/questions/{question_id:int}",
        operation_id="deleteSurveyQuestion",
        raises=[NotFoundException, ClientException],
    )
    async def delete_question(
        self,
        survey_id: FromPath[int],
        question_id: FromPath[int],
        db_session: DbSession,
        principal: CurrentCaller,
    ) -> None:
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        await store.delete_question(
            db_session, survey, await store.get_question(db_session, survey, question_id)
        )

    @post(
        "/{survey_id:int}/questions/order",
        operation_id="reorderSurveyQuestions",
        status_code=200,
        raises=[NotFoundException, ClientException],
    )
    async def reorder(
        self,
        survey_id: FromPath[int],
        data: JSONBody[QuestionOrder],
        db_session: DbSession,
        principal: CurrentCaller,
    ) -> list[QuestionRead]:
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        return [
            QuestionRead.model_validate(q) for q in await store.reorder_questions(db_session, survey, data)
        ]

    @post(
        "/{survey_id:int}/open",
        operation_id="openSurvey",
        status_code=200,
        raises=[NotFoundException, ClientException],
    )
    async def open(
        self, survey_id: FromPath[int], db_session: DbSession, principal: CurrentCaller
    ) -> SurveyRead:
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        await services.open_survey(db_session, survey)
        return await _read(db_session, survey)

    @post(
        "/{survey_id:int}/close",
        operation_id="closeSurvey",
        status_code=200,
        raises=[NotFoundException, ClientException],
    )
    async def close(
        self, survey_id: FromPath[int], db_session: DbSession, principal: CurrentCaller
    ) -> SurveyRead:
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        await services.close_survey(db_session, survey)
        return await _read(db_session, survey)

    @post(
        "/{survey_id:int}/invitations",
        operation_id="createSurveyInvitations",
        raises=[NotFoundException, ClientException],
    )
    async def invite(
        self,
        request: Request,
        survey_id: FromPath[int],
        data: JSONBody[InvitationsCreate],
        db_session: DbSession,
        principal: CurrentCaller,
    ) -> list[InvitationIssued]:
        """Personal links, each shown this once (only a hash is kept); mails go out through the outbox."""
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        return await invitations.create_invitations(
            db_session, survey, data, _base_url(request), request.app.state.keyring
        )

    @get("/{survey_id:int}/invitations", operation_id="listSurveyInvitations", raises=[NotFoundException])
    async def list_invitations(
        self, survey_id: FromPath[int], db_session: DbSession, principal: CurrentCaller
    ) -> list[InvitationRead]:
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        return [
            InvitationRead.model_validate(i) for i in await invitations.list_invitations(db_session, survey)
        ]

    @patch(
        "/{survey_id:int}/invitations/{invitation_id:int}",
        operation_id="updateSurveyInvitation",
        raises=[NotFoundException],
    )
    async def update_invitation(
        self,
        survey_id: FromPath[int],
        invitation_id: FromPath[int],
        data: JSONBody[InvitationUpdate],
        db_session: DbSession,
        principal: CurrentCaller,
    ) -> InvitationRead:
        """Mark an invitee opted out or bouncing (e.g. from a bounce report): no more mail goes to them."""
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        invitation = await invitations.get_invitation(db_session, survey, invitation_id)
        return InvitationRead.model_validate(
            await invitations.update_invitation(db_session, invitation, data)
        )

    @get("/{survey_id:int}/results", operation_id="getSurveyResults", raises=[NotFoundException])
    async def results(
        self, survey_id: FromPath[int], db_session: DbSession, principal: CurrentCaller
    ) -> dict[str, Any]:
        survey = await store.get_survey(db_session, principal.org_id, survey_id)
        return await survey_results(db_session, survey)

    @get(
        "/{survey_id:int}/responses.csv",
        operation_id="exportSurveyResponsesCsv",
        raises=[NotFoundException],
        media_type="text/csv",
    )
    async def responses_csv(
        self, survey_id: FromPath[int], db_session: DbSession, principal: CurrentCaller
    ) -> Response[bytes]:
        return _download(await services.export_responses(db_session, principal.org_id, survey_id, "csv"))

    @get(
        "/{survey_id:int}/responses.xlsx",
        operation_id="exportSurveyResponsesXlsx",
        raises=[NotFoundException],
        media_type=services.XLSX,
    )
    async def responses_xlsx(
        self, survey_id: FromPath[int], db_session: DbSession, principal: CurrentCaller
    ) -> Response[bytes]:
        return _download(await services.export_responses(db_session, principal.org_id, survey_id, "xlsx"))


def _download(export: services.Export) -> Response[bytes]:
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


static_router = create_static_files_router(
    path="/static/surveys",
    directories=[STATIC_DIR],
    opt={"exclude_from_auth": True},
    include_in_schema=False,
    name="survey-static",
)

route_handlers = [SurveyController, SurveyFormController, static_router]
