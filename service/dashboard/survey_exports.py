"""A survey's submitted responses as CSV or XLSX: the same surveys service as the API's
/api/v1/surveys/{id}/responses.csv|xlsx (formula-safe, written by the surveys package)."""

from __future__ import annotations

from litestar import Response, get
from litestar.params import FromPath

from kernel.di import DbSession
from service.dependencies import CurrentPrincipal
from surveys import services
from surveys.services import XLSX


def _download(export: services.Export) -> Response[bytes]:
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


@get("/app/surveys/{survey_id:int}/responses.csv", include_in_schema=False, media_type="text/csv")
async def export_csv(
    survey_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Response[bytes]:
    return _download(await services.export_responses(db_session, principal.org_id, survey_id, "csv"))


@get("/app/surveys/{survey_id:int}/responses.xlsx", include_in_schema=False, media_type=XLSX)
async def export_xlsx(
    survey_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Response[bytes]:
    return _download(await services.export_responses(db_session, principal.org_id, survey_id, "xlsx"))


route_handlers = [export_csv, export_xlsx]
