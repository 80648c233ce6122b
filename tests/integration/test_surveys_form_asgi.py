"""The form's raw ASGI submit (`surveys.respond_asgi`, PostgreSQL): it answers the usual final submit as the
handler would (same page, headers and stored rows), keeps the form's CSRF check and rate limits (each request
counted once), and hands every other request to the handler with its body intact."""

from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select

from service.app import create_app
from service.db import session_scope
from surveys.models import SurveyAnswer, SurveyResponse
from surveys.respond_asgi import SurveySubmitRoute
from tests.support.clients import app_client, suite_settings
from tests.support.seeds_surveys import (  # noqa: F401 - fresh_survey_rate_limits is an autouse fixture
    answers_for,
    create_open_survey,
    form_body,
    fresh_survey_rate_limits,
    invite,
    path_of,
    question_codes,
)

pytestmark = (
    pytest.mark.postgres_only
)  # the route is mounted on PostgreSQL only; SQLite has the handler alone


def _route(app) -> SurveySubmitRoute:  # noqa: ANN001
    handler = app.asgi_handler
    while not isinstance(handler, SurveySubmitRoute):
        handler = handler.app
    return handler


async def _one_page_links(api, app, tenant, count: int):  # noqa: ANN001, ANN202
    survey = await create_open_survey(api, app, tenant, competencies=2, open_it=False)
    for question in survey["questions"]:
        await api.patch(f"/api/v1/surveys/{survey['id']}/questions/{question['id']}", json={"page": 1})
    survey = (await api.post(f"/api/v1/surveys/{survey['id']}/open")).json()
    links = await invite(api, survey["id"], count)
    return survey, [path_of(link["url"]) for link in links]


async def _stored(app, survey_id: int) -> tuple[int, int]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        responses = await session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey_id, SurveyResponse.status == "submitted")
        )
        answers = await session.scalar(
            select(func.count())
            .select_from(SurveyAnswer)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyResponse.survey_id == survey_id)
        )
    return responses, answers


async def test_the_raw_submit_answers_and_stores_as_the_handler_does(api, app, tenant, client):
    survey, paths = await _one_page_links(api, app, tenant, 2)
    route = _route(app)
    page = await client.get(paths[0])  # reads the survey's questions into the process's cache
    body = form_body(page.text, answers_for(question_codes(page.text), survey), "submit")
    app.state["survey_question_cache"].clear()  # so the first submit is the handler's: it reads them again
    before = route.answered
    by_handler = await client.post(paths[0], data=body)
    assert route.answered == before
    by_route = await client.post(paths[1], data=body)  # same answers, another link; questions now cached
    assert route.answered == before + 1
    assert by_handler.status_code == by_route.status_code == 200 and "Thank you" in by_route.text
    assert by_route.text == by_handler.text
    assert dict(by_route.headers) == dict(by_handler.headers)  # the form's policy, no-store, gzip, length
    assert by_route.headers["content-security-policy"].startswith("default-src 'none'")
    assert await _stored(app, survey["id"]) == (2, 2 * len(survey["questions"]))
    again = await client.post(paths[1], data=body)  # a double click: the handler's thank-you, nothing new
    assert again.status_code == 200 and route.answered == before + 1
    assert await _stored(app, survey["id"]) == (2, 2 * len(survey["questions"]))


async def test_the_raw_submit_keeps_the_forms_csrf_check(api, app, tenant, client):
    survey, paths = await _one_page_links(api, app, tenant, 1)
    page = await client.get(paths[0])
    body = form_body(page.text, answers_for(question_codes(page.text), survey), "submit")
    forged = {**body, "_csrf_token": "0" * 64}
    assert (await client.post(paths[0], data=forged)).status_code == 403
    transport = httpx.ASGITransport(app=app)  # the suite's app, without running its lifespan again
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as stranger:  # no cookie
        assert (await stranger.post(paths[0], data=body)).status_code == 403
    assert await _stored(app, survey["id"]) == (0, 0)
    assert (await client.post(paths[0], data=body)).status_code == 200
    assert await _stored(app, survey["id"]) == (1, len(survey["questions"]))


async def test_each_submit_counts_once_against_the_links_limit(api, app, tenant, settings):
    limited = suite_settings(settings.database.url, surveys={"rate_per_token": 3, "rate_per_address": 100})
    own = create_app(limited)
    async with app_client(own) as client:
        survey, paths = await _one_page_links(api, own, tenant, 1)
        page = await client.get(paths[0])  # 1 of 3
        body = form_body(page.text, answers_for(question_codes(page.text), survey), "submit")
        first = await client.post(paths[0], data=body)  # 2: stored by the route
        second = await client.post(paths[0], data=body)  # 3: the route hands it on, the handler thanks
        third = await client.post(paths[0], data=body)  # 4: over the limit
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert _route(own).answered == 1 and "Thank you" in second.text
    assert int(third.headers["retry-after"]) >= 1
    assert await _stored(own, survey["id"]) == (1, len(survey["questions"]))


async def test_what_the_route_does_not_answer_reaches_the_handler_intact(api, app, tenant, client):
    survey, paths = await _one_page_links(api, app, tenant, 2)
    route = _route(app)
    page = await client.get(paths[0])
    answers = answers_for(question_codes(page.text), survey)
    before = route.answered
    missing = form_body(page.text, {code: "" for code in answers}, "submit")  # every answer left out
    with_errors = await client.post(paths[0], data=missing)
    assert with_errors.status_code == 400 and "There is a problem" in with_errors.text
    saved = await client.post(paths[1], data=form_body(page.text, answers, "save"))  # another action
    assert saved.status_code == 200 and "saved" in saved.text.lower()
    final = await client.post(paths[1], data=form_body(page.text, answers, "submit"))  # a link with a draft
    assert final.status_code == 200 and "Thank you" in final.text
    oversized = urlencode({**form_body(page.text, answers, "submit"), "q_extra": "x" * (11 * 1024 * 1024)})
    too_big = await client.post(
        paths[0], content=oversized, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert too_big.status_code == 413
    assert route.answered == before  # every one of these was the handler's
    assert await _stored(app, survey["id"]) == (1, len(survey["questions"]))
