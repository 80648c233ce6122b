"""Import sources on the dashboard: the form to add one or change one, pause / resume, and "Test this feed",
which fetches the feed once with the form's settings and shows the first postings it would import (storing
nothing). The work is the postings part's (`sources.create_source` / `update_source`, `preview_feed`), so the
API and these forms accept and refuse the same settings; a refused form comes back with the reason (400)."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from kernel.di import DbSession
from service.dashboard.rendering import GUARDS, WRITE, page, read_form, see_other
from service.dashboard.survey_pages import first_error
from service.dependencies import CurrentPrincipal
from service.postings import sources
from service.postings.models import ImportSource
from service.postings.preview import PreviewFailed, preview_feed
from service.postings.schemas import (
    SOURCE_KINDS,
    ImportSourceCreate,
    ImportSourcePreview,
    ImportSourceUpdate,
)

TEXT_FIELDS = ("name", "kind", "url", "board", "schedule", "region", "occupation", "config")


def _values(form: FormMultiDict) -> dict[str, str]:
    return {key: str(form.get(key) or "").strip() for key in TEXT_FIELDS}


def _values_of(source: ImportSource) -> dict[str, str]:
    """A stored source as the form shows it; its config is never shown (it may hold an API key)."""
    return {
        "name": source.name,
        "kind": source.kind,
        "url": "" if source.board else source.url,
        "board": source.board or "",
        "schedule": source.schedule,
        "region": source.region or "",
        "occupation": source.occupation or "",
        "config": "",
    }


def _config(text: str) -> dict | None:
    """The config field: a JSON object, or None when left empty."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise ValueError('config must be a JSON object, e.g. {"max_pages": 3}') from None
    if not isinstance(value, dict):
        raise ValueError('config must be a JSON object, e.g. {"max_pages": 3}')
    return value


def _fields(values: dict[str, str]) -> dict[str, Any]:
    """The form's settings as the API's body would carry them (empty text is "not given")."""
    fields: dict[str, Any] = {k: values[k] or None for k in ("url", "board", "region", "occupation")}
    config = _config(values["config"])
    if config is not None:
        fields["config"] = config
    return fields


def _form_page(principal, values, source=None, *, status_code=200, error=None, preview=None) -> Template:  # noqa: ANN001
    title = f"Change {source.name}" if source is not None else "Add an import source"
    return page(
        "source_form.html",
        principal,
        title=title,
        active="sources",
        status_code=status_code,
        values=values,
        source=source,
        kinds=SOURCE_KINDS,
        error=error,
        preview=preview,
    )


async def _preview(request: Request, principal, values, source=None) -> Template:  # noqa: ANN001
    """The form again, with the first postings its feed would give (or why it gives none)."""
    try:
        fields = _fields(values)
        if source is not None and "config" not in fields:
            fields["config"] = dict(source.config or {})
        kind = source.kind if source is not None else values["kind"]
        data = ImportSourcePreview(kind=kind, **fields)
        found = await preview_feed(request.app.state.settings, data)
    except ValidationError as exc:
        return _form_page(principal, values, source, status_code=400, error=first_error(exc))
    except (ValueError, sources.SourceInvalid) as exc:
        return _form_page(principal, values, source, status_code=400, error=str(exc))
    except PreviewFailed as exc:
        error = f"The feed could not be read: {exc}"
        return _form_page(principal, values, source, status_code=422, error=error)
    return _form_page(principal, values, source, preview=found)


@get("/app/sources/new", include_in_schema=False, opt={"min_role": "designer"})
async def new_source_form(principal: CurrentPrincipal) -> Template:
    return _form_page(
        principal, {key: "" for key in TEXT_FIELDS} | {"kind": "greenhouse", "schedule": "0 3 * * *"}
    )


@post("/app/sources", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def create_source(
    request: Request, db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    form = await read_form(request)
    values = _values(form)
    if form.get("action") == "preview":
        return await _preview(request, principal, values)
    try:
        data = ImportSourceCreate(
            kind=values["kind"],  # type: ignore[arg-type]  # pydantic checks it
            name=values["name"],
            schedule=values["schedule"] or "0 3 * * *",
            enabled=form.get("enabled") == "on",
            **_fields(values),
        )
        created = await sources.create_source(db_session, principal.org_id, data)
    except ValidationError as exc:
        return _form_page(principal, values, status_code=400, error=first_error(exc))
    except (ValueError, sources.SourceInvalid) as exc:
        return _form_page(principal, values, status_code=400, error=str(exc))
    except sources.SourceConflict as exc:
        await db_session.rollback()
        return _form_page(principal, values, status_code=409, error=str(exc))
    return see_other(f"/app/sources?saved={created.id}#source-{created.id}")


async def _source(db_session: DbSession, principal: CurrentPrincipal, source_id: int) -> ImportSource:
    try:
        return await sources.get_source(db_session, principal.org_id, source_id)
    except sources.SourceNotFound as exc:
        raise NotFoundException(str(exc)) from None


@get("/app/sources/{source_id:int}/edit", include_in_schema=False, opt={"min_role": "designer"})
async def edit_source_form(
    source_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template:
    source = await _source(db_session, principal, source_id)
    return _form_page(principal, _values_of(source), source)


@post("/app/sources/{source_id:int}", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def update_source(
    request: Request, source_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Template | Redirect:
    """The fields of the form replace the source's; an empty config keeps the stored one."""
    source = await _source(db_session, principal, source_id)
    form = await read_form(request)
    values = _values(form)
    if form.get("action") == "preview":
        return await _preview(request, principal, values, source)
    try:
        fields = _fields(values)
        changes = ImportSourceUpdate(name=values["name"], schedule=values["schedule"] or None, **fields)
        await sources.update_source(db_session, source, changes)
    except (ValidationError, ValueError, sources.SourceInvalid, sources.SourceConflict) as exc:
        await db_session.rollback()
        source = await _source(db_session, principal, source_id)
        error = first_error(exc) if isinstance(exc, ValidationError) else str(exc)
        status = 409 if isinstance(exc, sources.SourceConflict) else 400
        return _form_page(principal, values, source, status_code=status, error=error)
    return see_other(f"/app/sources?saved={source_id}#source-{source_id}")


@post("/app/sources/{source_id:int}/enabled", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def pause_or_resume(
    request: Request, source_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Redirect:
    """`enabled=false` pauses the source (its schedule no longer runs it), `enabled=true` resumes it."""
    source = await _source(db_session, principal, source_id)
    form = await read_form(request)
    wanted = str(form.get("enabled") or "")
    if wanted not in ("true", "false"):
        raise ClientException("enabled must be true or false")
    try:
        await sources.update_source(db_session, source, ImportSourceUpdate(enabled=wanted == "true"))
    except sources.SourceInvalid as exc:
        raise ClientException(f"{exc}; change the source first") from None
    done = "resumed" if wanted == "true" else "paused"
    return see_other(f"/app/sources?{done}={source_id}#source-{source_id}")


route_handlers = [new_source_form, create_source, edit_source_form, update_source, pause_or_resume]
