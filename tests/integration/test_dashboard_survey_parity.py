"""The dashboard's survey pages call the surveys service the API calls: closing a survey on the page stops its
queued mail as the API's close does, and the page's exports are the API's files."""

from __future__ import annotations

from sqlalchemy import select

from service.db import session_scope
from surveys.models import OutboxEmail
from tests.integration.test_dashboard_auth import Browser, browser  # noqa: F401 - fixture
from tests.support.seeds_surveys import (
    answer_all,
    create_open_survey,
    fresh_survey_rate_limits,  # noqa: F401 - autouse fixture
    invite,
    path_of,
)


async def _mail_statuses(app, invitation_ids: list[int]) -> set[str]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        rows = await session.scalars(
            select(OutboxEmail.status).where(OutboxEmail.invitation_id.in_(invitation_ids))
        )
        return set(rows)


async def test_closing_on_the_page_cancels_queued_mail_like_the_api(
    browser: Browser,  # noqa: F811 - the fixture
    api,
    app,
    tenant,
):
    by_page = await create_open_survey(api, app, tenant, competencies=1)
    by_api = await create_open_survey(api, app, tenant, competencies=1)
    page_ids = [i["id"] for i in await invite(api, by_page["id"], 2, email=True)]
    api_ids = [i["id"] for i in await invite(api, by_api["id"], 2, email=True)]
    assert await _mail_statuses(app, page_ids) == {"pending", "held"}  # invitations queued, reminders held

    await browser.login(tenant.designer_email)
    await browser.get(f"/app/surveys/{by_page['id']}")
    closed = await browser.post(f"/app/surveys/{by_page['id']}/close")
    assert closed.status_code == 303, closed.text[:300]
    assert (await api.post(f"/api/v1/surveys/{by_api['id']}/close")).status_code == 200

    assert await _mail_statuses(app, page_ids) == {"cancelled"}
    assert await _mail_statuses(app, api_ids) == {"cancelled"}


async def test_the_page_exports_are_the_api_exports(
    browser: Browser,  # noqa: F811 - the fixture
    api,
    app,
    tenant,
    client,
):
    survey = await create_open_survey(api, app, tenant, competencies=2)
    issued = await invite(api, survey["id"], 1)
    done = await answer_all(client, path_of(issued[0]["url"]), survey)
    assert done.status_code == 200
    await browser.login(tenant.designer_email)
    for kind in ("csv", "xlsx"):
        from_api = await api.get(f"/api/v1/surveys/{survey['id']}/responses.{kind}")
        from_page = await browser.client.get(f"/app/surveys/{survey['id']}/responses.{kind}")
        assert from_api.status_code == from_page.status_code == 200
        assert from_page.headers["content-type"] == from_api.headers["content-type"]
        assert from_page.headers["content-disposition"] == from_api.headers["content-disposition"]
        if kind == "csv":
            assert from_page.content == from_api.content and b"Employer 0" in from_page.content
        else:
            assert from_page.content[:2] == from_api.content[:2] == b"PK"
