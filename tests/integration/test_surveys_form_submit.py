"""The form's first and final submit as one POST: what it stores (the same on the PostgreSQL fast path,
`surveys.respond_fast`, as on the general path), the invitee's queued mail, the thank-you page rendered once per
language, and two submits of one link racing on the fast path's statement itself."""

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from service.db import session_scope
from surveys import respond_fast
from surveys.answers import read_page
from surveys.models import OutboxEmail, SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.support.seeds_surveys import (  # noqa: F401 - fresh_survey_rate_limits is an autouse fixture
    answers_for,
    create_open_survey,
    csrf_token,
    form_body,
    fresh_survey_rate_limits,
    invite,
    path_of,
    question_codes,
)


async def _one_page_survey(api, tenant, app, email: bool, count: int = 2, language: str = "en"):  # noqa: ANN001, ANN202
    survey = await create_open_survey(api, app, tenant, competencies=2, open_it=False)
    for question in survey["questions"]:
        await api.patch(f"/api/v1/surveys/{survey['id']}/questions/{question['id']}", json={"page": 1})
    survey = (await api.post(f"/api/v1/surveys/{survey['id']}/open")).json()
    return survey, await invite(api, survey["id"], count, email=email, language=language)


async def test_one_post_stores_the_response_its_answers_and_stops_the_invitees_mail(api, app, tenant, client):
    survey, links = await _one_page_survey(api, tenant, app, email=True)
    path = path_of(links[0]["url"])
    page = await client.get(path)
    assert page.status_code == 200
    answers = answers_for(question_codes(page.text), survey)
    done = await client.post(path, data=form_body(page.text, answers, "submit"))
    assert done.status_code == 200 and "Thank you" in done.text
    assert done.headers["cache-control"] == "no-store" and done.headers["referrer-policy"] == "no-referrer"
    by_id = {q["id"]: q for q in survey["questions"]}
    async with session_scope(app.state.engine) as session:
        response = await session.scalar(
            select(SurveyResponse).where(SurveyResponse.invitation_id == links[0]["id"])
        )
        assert response.status == "submitted" and response.submitted_at is not None
        assert (response.page, response.language, response.extraction_status) == (1, "en", "pending")
        stored = {
            by_id[a.question_id]["code"]: a.value
            for a in await session.scalars(
                select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)
            )
        }
        invitation = await session.get(SurveyInvitation, links[0]["id"])
        mail = set(
            await session.scalars(
                select(OutboxEmail.status).where(OutboxEmail.invitation_id == links[0]["id"])
            )
        )
        other_mail = set(
            await session.scalars(
                select(OutboxEmail.status).where(OutboxEmail.invitation_id == links[1]["id"])
            )
        )
    assert set(stored) == set(answers)
    for code, posted in answers.items():  # numbers and ratings are stored as numbers, choices as sent
        assert stored[code] == posted or str(stored[code]) == str(posted), (code, stored[code], posted)
    assert invitation.status == "submitted"
    assert mail == {"cancelled"} and other_mail and "cancelled" not in other_mail
    again = await client.get(path)
    assert again.status_code == 404  # a used link


async def test_the_thank_you_page_is_in_each_respondents_language(api, app, tenant, client):
    for language, thanks in (("en", "Thank you"), ("es", "Gracias"), ("en", "Thank you")):
        survey, links = await _one_page_survey(api, tenant, app, email=False, count=1, language=language)
        path = path_of(links[0]["url"])
        page = await client.get(path)
        done = await client.post(
            path, data=form_body(page.text, answers_for(question_codes(page.text), survey), "submit")
        )
        assert done.status_code == 200 and thanks in done.text and f'lang="{language}"' in done.text


@pytest.mark.postgres_only  # the fast path is PostgreSQL's; SQLite takes the general path, tested above
async def test_racing_fast_submits_of_one_link_store_it_once(api, app, tenant, client):
    """The fast path's one statement is the guarantee: eight sessions read one fresh link (all see it pending),
    then submit it at once; one stores it, the others get False and store nothing."""
    survey, links = await _one_page_survey(api, tenant, app, email=True)
    page = await client.get(path_of(links[1]["url"]))
    body = form_body(page.text, answers_for(question_codes(page.text), survey), "submit")
    fields = {key: value if isinstance(value, list) else [str(value)] for key, value in body.items()}
    token = links[0]["url"].rsplit("/", 1)[-1]
    all_read = asyncio.Barrier(8)

    async def one_submit() -> bool:
        async with session_scope(app.state.engine) as session:
            link = await respond_fast.read_link(session, token, {})
            assert link is not None and respond_fast.can_submit_first(link)
            values, errors = read_page(link.questions, fields, {}, "en", check_required=True)
            assert not errors
            await all_read.wait()
            return await respond_fast.submit_first(session, link, values, 1, "en")

    results = await asyncio.gather(*(one_submit() for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]
    async with session_scope(app.state.engine) as session:
        responses = list(
            await session.scalars(
                select(SurveyResponse).where(SurveyResponse.invitation_id == links[0]["id"])
            )
        )
        assert len(responses) == 1 and responses[0].status == "submitted"
        count = await session.scalar(
            select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.response_id == responses[0].id)
        )
        assert count == len(survey["questions"])
        queued = await session.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.invitation_id == links[0]["id"], OutboxEmail.status.in_(["pending", "held"]))
        )
        assert queued == 0


async def test_fresh_form_pages_are_each_respondents_own(api, app, tenant, client):
    """The page of a link without a draft is rendered once per survey, page and language: each respondent's
    copy still carries only their own link and their own CSRF token, and each submits."""
    survey, links = await _one_page_survey(api, tenant, app, email=False, count=2)
    paths = [path_of(link["url"]) for link in links]
    first = client  # and another browser, with no cookies shared:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as second:
        pages = [
            await first.get(paths[0]),
            await second.get(paths[1]),
            await first.get(paths[0] + "?lang=es"),
        ]
        assert [p.status_code for p in pages] == [200, 200, 200]
        assert f'action="{paths[0]}"' in pages[0].text and paths[1] not in pages[0].text
        assert f'action="{paths[1]}"' in pages[1].text and paths[0] not in pages[1].text
        assert csrf_token(pages[0].text) != csrf_token(pages[1].text)
        assert 'lang="es"' in pages[2].text and f'action="{paths[0]}"' in pages[2].text
        assert "\ue000" not in "".join(p.text for p in pages)
        for client, path, page in ((first, paths[0], pages[0]), (second, paths[1], pages[1])):
            body = form_body(page.text, answers_for(question_codes(page.text), survey), "submit")
            done = await client.post(path, data=body)
            assert done.status_code == 200 and "Thank you" in done.text
