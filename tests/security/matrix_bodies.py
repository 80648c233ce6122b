"""Valid bodies for the write routes of the authorisation matrix that the seeds' BODIES do not give well.

JSON routes: `JSON_BODIES[operationId]` overrides tests/support/seeds_*.BODIES; a value may be an async
function (app, tenant, values) -> body when a valid body names the tenant's own records. Form routes of the
dashboard: `FORM_BODIES[path template]` is the form a browser would send (the CSRF token is added); `{}` for a
button that sends nothing else. Every write route must be known here or in BODIES: a new one fails the matrix until its
author says what a valid request is. BEFORE: what the owner does first so that the request can succeed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import Litestar
from sqlalchemy import select

from service.db import session_scope
from surveys.models import SurveyQuestion
from tests.support.factories import Tenant

Body = dict | Callable[[Litestar, Tenant, dict], Awaitable[dict]]


async def _every_question_in_order(app: Litestar, tenant: Tenant, values: dict) -> dict:
    async with session_scope(app.state.engine) as session:
        ids = await session.scalars(
            select(SurveyQuestion.id)
            .where(SurveyQuestion.org_id == tenant.org_id, SurveyQuestion.survey_id == values["survey_id"])
            .order_by(SurveyQuestion.position.desc())
        )
        return {"question_ids": list(ids)}


async def _open_the_survey(owner_api, values: dict) -> None:  # noqa: ANN001 - tests.conftest.Api
    opened = await owner_api.post(f"/api/v1/surveys/{values['survey_id']}/open")
    assert opened.status_code == 200, opened.text


# What the owner does first so that the route's request is one that succeeds (path template → async fn).
BEFORE: dict[str, Callable[..., Awaitable[None]]] = {
    "/api/v1/surveys/{survey_id:int}/close": _open_the_survey,
    "/app/surveys/{survey_id:int}/close": _open_the_survey,
}

JSON_BODIES: dict[str, Body] = {"reorderSurveyQuestions": _every_question_in_order}

FORM_BODIES: dict[str, dict] = {
    "/app/alerts/{alert_id:int}": {"status": "acknowledged", "note": "seen on the dashboard"},
    "/app/competency-skills/{competency_skill_id:int}": {"status": "confirmed"},
    "/app/competencies/{competency_id:int}/skills": {"skill": "TIG welding"},
    "/app/settings/tokens/{token_id:int}/revoke": {},
    "/app/surveys/{survey_id:int}/edit": {"title": "HVAC technician skills", "intro": "Five minutes."},
    "/app/surveys/{survey_id:int}/open": {},
    "/app/surveys/{survey_id:int}/close": {},
    "/app/surveys/{survey_id:int}/invitations": {
        "invitees": "Acme Heating and Cooling, Ana Ruiz, ana@acme.example"
    },
    "/app/surveys/{survey_id:int}/questions": {"kind": "text", "text": "Which refrigerants do you handle?"},
    "/app/surveys/{survey_id:int}/questions/{question_id:int}": {"text": "Which tools do new hires use?"},
    "/app/surveys/{survey_id:int}/questions/{question_id:int}/delete": {},
    "/app/sources/{source_id:int}/run": {},
    "/app/sources/{source_id:int}": {"name": "Renamed feed", "url": "http://127.0.0.1:9/feed.xml"},
    "/app/sources/{source_id:int}/enabled": {"enabled": "false"},
    "/app/settings/users/{user_id:int}/role": {"role": "viewer"},
    "/app/settings/users/{user_id:int}/active": {"active": "false"},
    "/app/settings/webhooks/{webhook_id:int}/test": {},
    "/app/settings/webhooks/{webhook_id:int}/delete": {},
}
