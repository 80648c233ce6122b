"""HTTP: posting intake and reading."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import ClientException, NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import FromQuery, JSONBody, QueryParameter

from kernel.di import DbSession
from kernel.schemas import Page
from service.dependencies import CurrentPrincipal
from service.postings import services
from service.postings.intake import store_postings
from service.postings.records import RecordError
from service.postings.schemas import IntakeResult, PostingDetail, PostingId, PostingIntake, PostingRead
from service.postings.sources_controller import ImportSourceController
from service.postings.worker import wake_worker


class PostingController(Controller):
    path = "/api/v1/postings"
    tags = ["postings"]

    @post(
        "/",
        operation_id="createPostings",
        raises=[ClientException],
        responses={
            200: ResponseSpec(data_container=IntakeResult, description="Nothing new: all were stored already")
        },
    )
    async def create(
        self,
        request: Request,
        data: JSONBody[PostingIntake],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> Response[IntakeResult]:
        """Store one posting or a batch (all or nothing); 201 when any was created, else 200."""
        items = data.items()
        try:
            normal = services.normalise_all([services.record_from_create(i) for i in items])
        except RecordError as exc:
            raise ClientException(str(exc), status_code=400) from None
        summary = await store_postings(db_session, principal.org_id, normal)
        # The background task runs after the response, i.e. after the session committed the postings.
        background = BackgroundTask(wake_worker, request.app) if summary.changed_any else None
        return Response(
            services.intake_result(summary),
            status_code=201 if summary.created else 200,
            background=background,
        )

    @get("/", operation_id="listPostings", raises=[ClientException])
    async def list_postings(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        source: FromQuery[str | None] = None,
        occupation: FromQuery[str | None] = None,
        date_from: Annotated[
            date | None, QueryParameter(name="from", description="Posted on or after (YYYY-MM-DD).")
        ] = None,
        date_to: Annotated[
            date | None, QueryParameter(name="to", description="Posted on or before (YYYY-MM-DD).")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> Page[PostingRead]:
        """Newest first (by posted date, then id), filtered by source, occupation code prefix and date."""
        if date_from and date_to and date_from > date_to:
            raise ClientException("`from` is after `to`", status_code=400)
        rows, total = await services.list_postings(
            db_session,
            principal.org_id,
            source=source,
            occupation=occupation,
            date_from=date_from,
            date_to=date_to,
            limit=limit,
            offset=offset,
        )
        return Page(items=[services.posting_read(r) for r in rows], total=total, limit=limit, offset=offset)

    @get("/{posting_id:int}", operation_id="getPosting", raises=[NotFoundException])
    async def get_one(
        self, posting_id: PostingId, db_session: DbSession, principal: CurrentPrincipal
    ) -> PostingDetail:
        detail = await services.posting_detail(db_session, principal.org_id, posting_id)
        if detail is None:
            raise NotFoundException(f"posting {posting_id} not found")
        return detail


route_handlers = [PostingController, ImportSourceController]
