"""A survey's submitted responses as CSV or XLSX (the surveys package writes them, formula-safe)."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Response, get
from litestar.params import FromPath

from service.dependencies import CurrentPrincipal, DbSession
from surveys import exports, store
from surveys.results import submitted_responses

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _export(db_session: DbSession, org_id: int, survey_id: int) -> tuple[list[str], list[list[Any]]]:
    survey = await store.get_survey(db_session, org_id, survey_id)
    questions = await store.list_questions(db_session, survey.id)
    definitions = [store.as_definition(q) for q in questions]
    responses = await submitted_responses(db_session, survey, {q.id: q.code for q in questions})
    return exports.header(definitions), exports.rows(definitions, responses)


@get("/app/surveys/{survey_id:int}/responses.csv", include_in_schema=False, media_type="text/csv")
async def export_csv(
    survey_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Response[bytes]:
    head, body = await _export(db_session, principal.org_id, survey_id)
    return Response(
        exports.to_csv(head, body),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}-responses.csv"'},
    )


@get("/app/surveys/{survey_id:int}/responses.xlsx", include_in_schema=False, media_type=XLSX)
async def export_xlsx(
    survey_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Response[bytes]:
    head, body = await _export(db_session, principal.org_id, survey_id)
    return Response(
        await anyio.to_thread.run_sync(exports.to_xlsx, head, body),  # CPU work off the event loop
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}-responses.xlsx"'},
    )


route_handlers = [export_csv, export_xlsx]
