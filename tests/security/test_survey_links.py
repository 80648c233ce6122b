"""Personal survey links: an unknown, a used, a closed-survey and an expired link are indistinguishable (same
status, same page but for the CSRF token), and guessing links from one address is cut off with 429."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from service.app import create_app
from service.db import session_scope
from surveys.models import Survey
from surveys.tokens import new_token
from tests.support.clients import app_client, suite_settings
from tests.support.seeds_surveys import answer_all, create_open_survey, invite, path_of

CSRF_VALUE = re.compile(r'(name="_csrf_token" value=")[^"]+(")')


def _normalised(text: str) -> str:
    return CSRF_VALUE.sub(r"\1…\2", text)


async def _link(api, app, tenant) -> tuple[dict, str]:  # noqa: ANN001
    survey = await create_open_survey(api, app, tenant)
    return survey, path_of((await invite(api, survey["id"], 1))[0]["url"])


async def test_unknown_used_closed_and_expired_links_look_the_same(app, api, tenant, client):
    used_survey, used = await _link(api, app, tenant)
    assert (await answer_all(client, used, used_survey)).status_code == 200
    closed_survey, closed = await _link(api, app, tenant)
    assert (await api.post(f"/api/v1/surveys/{closed_survey['id']}/close")).status_code == 200
    expired_survey, expired = await _link(api, app, tenant)
    async with session_scope(app.state.engine) as session:
        await session.execute(
            update(Survey)
            .where(Survey.id == expired_survey["id"])
            .values(closes_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    links = {
        "unknown": f"/s/{new_token()}",
        "malformed": "/s/x'OR'1'='1",
        "used": used,
        "closed": closed,
        "expired": expired,
    }
    _, fresh = await _link(api, app, tenant)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get(fresh)).text).group(1)
    # "next", not "submit": a repeated submit right after the real one answers "thank you" again by design
    # (a double click), which tells nothing a guesser does not already hold the link for.
    data = {"_csrf_token": csrf, "action": "next", "page": "1"}
    for method in ("GET", "POST"):
        answers = {}
        for label, path in links.items():
            response = await (client.get(path) if method == "GET" else client.post(path, data=data))
            answers[label] = (response.status_code, _normalised(response.text))
        statuses = {label: status for label, (status, _) in answers.items()}
        assert set(statuses.values()) == {404}, f"{method}: {statuses}"
        bodies = {body for _, body in answers.values()}
        assert len(bodies) == 1, f"{method}: the pages differ between " + ", ".join(answers)


async def test_guessing_links_from_one_address_is_rate_limited(app, api, tenant, settings):
    """Each guess is a new token, so only the per-address limit can stop it (an hour-long window here so that
    the     fixed window cannot roll over in the middle of the test)."""
    _, real = await _link(api, app, tenant)
    limit = 40
    guarded = suite_settings(
        settings.database.url, surveys={"rate_per_address": limit, "rate_window_seconds": 3600}
    )
    async with app_client(create_app(guarded)) as guesser:
        statuses = [(await guesser.get(f"/s/{new_token()}")).status_code for _ in range(limit + 5)]
        assert statuses[:limit] == [404] * limit
        assert statuses[limit:] == [429] * 5
        blocked = await guesser.get(
            real
        )  # the address is cut off, real links included, until the window ends
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
