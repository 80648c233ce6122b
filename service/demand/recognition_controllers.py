"""HTTP: GET /api/v1/credentials/{id}/recognition, how often employers' postings ask for the credential."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Request, get
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery, Parameter, QueryParameter

from kernel.clock import utcnow
from kernel.di import DbSession
from service.credentials.queries import get_credential_row
from service.demand.recognition import credential_recognition
from service.demand.schemas import RecognitionRead
from service.demand.services import WindowError, series_window
from service.dependencies import CurrentPrincipal


class RecognitionController(Controller):
    path = "/api/v1/credentials"
    tags = ["demand"]

    @get(
        "/{credential_id:int}/recognition",
        operation_id="getCredentialRecognition",
        raises=[NotFoundException, ClientException],
    )
    async def recognition(
        self,
        request: Request,
        credential_id: FromPath[int],
        db_session: DbSession,
        principal: CurrentPrincipal,
        from_date: Annotated[date | None, QueryParameter(name="from")] = None,
        to_date: Annotated[date | None, QueryParameter(name="to")] = None,
        in_region: FromQuery[bool | None] = None,
        snippets: Annotated[int, Parameter(ge=0, le=50)] = 10,
    ) -> RecognitionRead:
        """The share of the credential's relevant postings (its occupations; its region when region matching
        is on, or with `in_region=true`; `in_region=false` for every place) that ask for it by one of its
        aliases (set, or proposed from its name and type), by month, required and preferred apart, with the
        sentences that ask (newest first) and the surveys' recognition answers. Default window: the twelve
        months to today."""
        credential = await get_credential_row(db_session, principal.org_id, credential_id)
        try:
            start, end = series_window(from_date, to_date, utcnow().date())
        except WindowError as exc:
            raise ClientException(str(exc)) from None
        return await credential_recognition(
            db_session,
            request.app.state.settings.drift,
            credential,
            start,
            end,
            in_region=in_region,
            snippets=snippets,
        )


route_handlers = [RecognitionController]
