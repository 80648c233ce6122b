"""HTTP: the demand series, a credential's alignment and drift runs; alerts and webhooks have their
own modules.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy import select

from kernel.clock import utcnow
from kernel.di import DbSession
from service.credentials.models import Credential
from service.credentials.queries import get_credential_row
from service.demand import alert_controllers, recognition_controllers, run_services, webhook_controllers
from service.demand.aggregation import OccupationCodeError, normalise_occupations
from service.demand.breakdowns import SPLIT_KINDS, alignment_place_split, place_split_read
from service.demand.profile_services import credential_profile_gap
from service.demand.run_jobs import queue_drift_run, task_key
from service.demand.schemas import AlignmentRead, DemandSeries, DriftRunCreate, DriftRunRead, ProfileGapRead
from service.demand.services import WindowError, credential_alignment, demand_series, series_window
from service.dependencies import CurrentPrincipal, Nlp
from service.geo import RegionCodeError, parse_region_codes
from service.tasks import tasks_of


def _split(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated query values alike: ?occupation=a&occupation=b or ?occupation=a,b."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


class DemandController(Controller):
    path = "/api/v1/demand"
    tags = ["demand"]

    @get("/", operation_id="getDemand", raises=[ClientException])
    async def demand(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        occupation: FromQuery[list[str]],
        region: FromQuery[list[str] | None] = None,
        from_date: Annotated[date | None, QueryParameter(name="from")] = None,
        to_date: Annotated[date | None, QueryParameter(name="to")] = None,
        interval: FromQuery[str] = "month",
        concept: FromQuery[list[str] | None] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 50,
    ) -> DemandSeries:
        """Monthly distinct postings and, per concept, postings asking for it (required and preferred
        apart). `region`: US codes (state:OH or OH, county:39035 or 39035, cbsa:17410, remote), repeated or
        comma-separated; a posting counts when it lies in any of them.
        """
        if interval != "month":
            raise ClientException(f"interval {interval!r} is not supported; use interval=month")
        try:
            occupations = normalise_occupations(_split(occupation))
            codes = parse_region_codes(_split(region), allow_remote=True)
        except (OccupationCodeError, RegionCodeError) as exc:
            raise ClientException(str(exc)) from None
        if not occupations:
            raise ClientException("give at least one occupation (SOC 15-1232 or O*NET-SOC 15-1232.00)")
        try:
            start, end = series_window(from_date, to_date, utcnow().date())
        except WindowError as exc:
            raise ClientException(str(exc)) from None
        return await demand_series(
            db_session, principal.org_id, occupations, codes, start, end, _split(concept), limit
        )


class AlignmentController(Controller):
    path = "/api/v1/credentials"
    tags = ["demand"]

    @get(
        "/{credential_id:int}/alignment",
        operation_id="getCredentialAlignment",
        raises=[NotFoundException, ClientException],
    )
    async def alignment(
        self,
        request: Request,
        credential_id: FromPath[int],
        db_session: DbSession,
        principal: CurrentPrincipal,
        as_of: FromQuery[date | None] = None,
        days: Annotated[int | None, Parameter(ge=7, le=3650)] = None,
        split: FromQuery[str | None] = None,
    ) -> AlignmentRead:
        """Demanded concepts in the credential's occupations over the window, each covered or not.
        `split=county` or `split=cbsa`: also the window's postings per county or metro area of the service
        region, with the top concepts' shares in each (groups under 3 postings withheld)."""
        credential = await db_session.scalar(
            select(Credential).where(
                Credential.id == credential_id,
                Credential.org_id == principal.org_id,
                Credential.deleted_at.is_(None),
            )
        )
        if credential is None:
            raise NotFoundException(f"credential {credential_id} not found")
        if split is not None and split not in SPLIT_KINDS:
            raise ClientException(f"split {split!r} is not one of: {', '.join(SPLIT_KINDS)}")
        drift = request.app.state.settings.drift
        alignment = await credential_alignment(
            db_session, drift, credential, as_of or utcnow().date(), days or drift.current_days
        )
        if split is not None:
            places = await alignment_place_split(db_session, principal.org_id, alignment, split)
            alignment.split = place_split_read(places)
        return alignment

    @get(
        "/{credential_id:int}/profile-gap", operation_id="getCredentialProfileGap", raises=[NotFoundException]
    )
    async def profile_gap(
        self,
        request: Request,
        credential_id: FromPath[int],
        db_session: DbSession,
        principal: CurrentPrincipal,
        nlp: Nlp,
    ) -> ProfileGapRead:
        """What the standard profiles of the credential's occupations list (O*NET tasks, work activities, hot
        technologies and tools; ESCO essential skills), each item covered by a competency or not."""
        credential = await get_credential_row(db_session, principal.org_id, credential_id)  # else 404
        return await credential_profile_gap(db_session, request.app.state.settings.drift, nlp, credential)


class DriftController(Controller):
    path = "/api/v1/drift"
    tags = ["drift"]

    @post(
        "/run",
        operation_id="runDrift",
        status_code=HTTP_202_ACCEPTED,
        raises=[ClientException],
        response_headers=[
            ResponseHeader(name="Location", description="The run to poll", documentation_only=True)
        ],
    )
    async def run(
        self, request: Request, data: JSONBody[DriftRunCreate], principal: CurrentPrincipal
    ) -> Response[DriftRunRead]:
        """Queue drift detection for every credential of the organisation; answers 202 with the queued run
        and its `Location`: poll it until the status is succeeded or failed.
        """
        if data.as_of and data.as_of > utcnow().date() + timedelta(days=1):
            raise ClientException(f"as_of {data.as_of} is in the future")
        try:
            run = await queue_drift_run(request.app, principal.org_id, data.as_of, "manual")
        except RuntimeError as exc:
            raise ClientException(str(exc), status_code=503) from None
        return Response(
            DriftRunRead.model_validate(run),
            status_code=HTTP_202_ACCEPTED,
            headers={"Location": f"/api/v1/drift/runs/{run.id}"},
        )

    @get("/runs", operation_id="listDriftRuns")
    async def runs(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 20,
    ) -> list[DriftRunRead]:
        """The organisation's drift runs, newest first."""
        rows = await run_services.list_runs(db_session, principal.org_id, limit)
        return [DriftRunRead.model_validate(r) for r in rows]

    @get("/runs/{run_id:int}", operation_id="getDriftRun", raises=[NotFoundException])
    async def get_run(
        self, request: Request, run_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
    ) -> DriftRunRead:
        """One run: queued, running (with `progress` when this replica runs it), succeeded or failed."""
        try:
            run = await run_services.get_run(db_session, principal.org_id, run_id)
        except run_services.DriftRunNotFound as exc:
            raise NotFoundException(str(exc)) from None
        read = DriftRunRead.model_validate(run)
        read.progress = tasks_of(request.app).progress(task_key(run.id))
        return read


route_handlers = [
    DemandController,
    AlignmentController,
    DriftController,
    *alert_controllers.route_handlers,
    *webhook_controllers.route_handlers,
    *recognition_controllers.route_handlers,
]
