"""A credential's page and its review actions: confirm or reject a suggested skill link, add one by hand."""

from __future__ import annotations

import logging
import re

from litestar import Request, get, post
from litestar.exceptions import ClientException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from kernel.di import DbSession
from service.credentials.editing import (
    UnknownConcept,
    add_link,
    get_competency_row,
    get_link_row,
    review_link,
)
from service.credentials.queries import get_credential_row
from service.dashboard.credential_view import build_credential_view
from service.dashboard.rendering import GUARDS, WRITE, page, read_form, see_other
from service.demand.profile_services import credential_profile_gap
from service.demand.schemas import ProfileGapRead
from service.dependencies import CurrentPrincipal, Nlp, provide_nlp

log = logging.getLogger(__name__)

NOTICES = {
    "confirmed": "Link confirmed: the competency counts as covering this skill.",
    "rejected": "Link rejected: it no longer counts towards coverage.",
    "added": "Skill linked to the competency.",
}


async def _credential_page(
    request: Request, db_session: DbSession, principal: CurrentPrincipal, credential_id: int, **extra: object
) -> Template:
    view = await build_credential_view(
        db_session, request.app.state.settings, principal.org_id, credential_id
    )
    profile_gap = await _profile_gap(request, db_session, principal.org_id, credential_id)
    return page(
        "credential.html",
        principal,
        title=view.credential.name,
        active="credentials",
        view=view,
        profile_gap=profile_gap,
        **extra,
    )


async def _profile_gap(
    request: Request, db_session: DbSession, org_id: int, credential_id: int
) -> ProfileGapRead | None:
    """The standards view of the page (the API's `credential_profile_gap`); None when the NLP pool cannot
    read the occupation data (the section says so rather than failing the page)."""
    row = await get_credential_row(db_session, org_id, credential_id)
    try:
        return await credential_profile_gap(
            db_session, request.app.state.settings.drift, provide_nlp(request), row
        )
    except Exception:  # noqa: BLE001 - no NLP pool (model missing, pool down): the rest of the page still shows
        log.warning("profile gap of credential %s unavailable", credential_id, exc_info=True)
        return None


@get("/app/credentials/{credential_id:int}", include_in_schema=False)
async def credential_page(
    request: Request,
    credential_id: FromPath[int],
    db_session: DbSession,
    principal: CurrentPrincipal,
    done: FromQuery[str | None] = None,
) -> Template:
    return await _credential_page(
        request, db_session, principal, credential_id, notice=NOTICES.get(done or "")
    )


@post("/app/competency-skills/{competency_skill_id:int}", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def review(
    request: Request, competency_skill_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
) -> Redirect:
    """Confirm or reject a suggested link (the credentials part's `review_link`, as the API does)."""
    link = await get_link_row(
        db_session, principal.org_id, competency_skill_id
    )  # 404 before reading the body
    form = await read_form(request)
    status = str(form.get("status") or "")
    if status not in ("confirmed", "rejected"):
        raise ClientException("status must be confirmed or rejected")
    link = await review_link(db_session, principal.org_id, principal.user_id, competency_skill_id, status)
    competency = await get_competency_row(db_session, principal.org_id, link.competency_id)
    return see_other(f"/app/credentials/{competency.credential_id}?done={status}#competency-{competency.id}")


_URI = re.compile(r"^(https?://|urn:)\S+$")


@post("/app/competencies/{competency_id:int}/skills", include_in_schema=False, opt=WRITE, guards=GUARDS)
async def add_skill(
    request: Request,
    competency_id: FromPath[int],
    db_session: DbSession,
    principal: CurrentPrincipal,
    nlp: Nlp,
) -> Template | Redirect:
    """Links a skill typed in words: the taxonomy's closest concept when the linker finds one with confidence,
    else the organisation's own concept with that name (a URI may be pasted directly too)."""
    competency = await get_competency_row(db_session, principal.org_id, competency_id)
    form = await read_form(request)
    phrase = " ".join(str(form.get("skill") or "").split())
    error = None
    if not phrase:
        error = "Type the skill to link, e.g. “Kubernetes”."
    elif len(phrase) > 300:
        error = "The skill is longer than 300 characters."
    if error is None:
        concept_id, label = await _concept_for(phrase, principal.org_id, nlp)
        try:
            await add_link(
                db_session, principal.org_id, principal.user_id, competency.id, concept_id, label, None
            )
        except UnknownConcept as exc:
            error = str(exc)
    if error is not None:
        credential_id = competency.credential_id
        await db_session.rollback()
        return await _credential_page(
            request, db_session, principal, credential_id, error=error, status_code=400
        )
    return see_other(f"/app/credentials/{competency.credential_id}?done=added#competency-{competency.id}")


LINK_CONFIDENCE = 0.8


async def _concept_for(phrase: str, org_id: int, nlp: Nlp) -> tuple[str, str]:
    if _URI.match(phrase):
        return phrase, phrase.rsplit("/", 1)[-1]
    try:
        import nlp as nlp_module

        found = await nlp.run(nlp_module.link, phrase, 1)
    except Exception:  # noqa: BLE001 - no linker (model missing, pool down): the organisation's own concept
        found = []
    if found and found[0][1] >= LINK_CONFIDENCE:
        concept = found[0][0]
        return concept.id, concept.label
    slug = re.sub(r"[^a-z0-9]+", "-", phrase.lower()).strip("-")[:200] or "skill"
    return f"urn:skillpulse:org:{org_id}:skill:{slug}", phrase


route_handlers = [credential_page, review, add_skill]
