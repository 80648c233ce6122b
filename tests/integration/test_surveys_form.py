"""The public form over HTTP as a browser without JavaScript uses it: pages, errors, save and resume,
CSRF, idempotent submit, one page for unusable links, languages, rate limits, opt-out."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import func, select, update

from service.app import create_app
from service.db import session_scope
from surveys.models import OutboxEmail, Survey, SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.support.clients import app_client, suite_settings
from tests.support.seeds_surveys import (  # noqa: F401 - fresh_survey_rate_limits is an autouse fixture
    answer_all,
    answers_for,
    create_open_survey,
    form_body,
    fresh_survey_rate_limits,
    invite,
    path_of,
    question_codes,
)


def fresh_client(app) -> httpx.AsyncClient:  # noqa: ANN001
    """Another device: no cookies shared with the test's client."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def _link(api, app, tenant, **kw):  # noqa: ANN001, ANN003
    survey = await create_open_survey(api, app, tenant, **kw)
    issued = (
        await invite(api, survey["id"], 1, language=kw.get("language", "en"))
        if "language" not in kw
        else None
    )
    return survey, path_of(issued[0]["url"]), issued[0]


async def _post_page(client, path, html, survey, action, choose=None, only=None):  # noqa: ANN001
    codes = only if only is not None else question_codes(html)
    return await client.post(path, data=form_body(html, answers_for(codes, survey, choose), action))


async def test_save_on_one_device_resume_on_another_then_submit(api, app, tenant, client):
    survey, path, _ = await _link(api, app, tenant)
    first = await client.get(path)
    assert first.status_code == 200 and "Page 1 of 5" in first.text
    first_code = question_codes(first.text)[0]
    moved = await _post_page(client, path, first.text, survey, "next", choose={first_code: "important"})
    assert moved.status_code == 303 and moved.headers["location"].endswith("page=2&lang=en")
    second = await client.get(moved.headers["location"])
    assert "Page 2 of 5" in second.text
    codes = question_codes(second.text)
    saved = await _post_page(
        client, path, second.text, survey, "save", only=codes[:1], choose={codes[0]: "useful"}
    )
    assert saved.status_code == 200 and "Your answers are saved" in saved.text
    async with fresh_client(app) as phone:
        resumed = await phone.get(path)
        assert resumed.status_code == 200 and "Page 2 of 5" in resumed.text
        tree = LexborHTMLParser(resumed.text)
        assert "checked" in tree.css_first(f'input[name="q_{codes[0]}"][value="useful"]').attributes
        back = await phone.get(path + "?page=1")
        assert (
            "checked"
            in LexborHTMLParser(back.text)
            .css_first(f'input[name="q_{first_code}"][value="important"]')
            .attributes
        )
        final = await answer_all(phone, path, survey)
        assert final.status_code == 200 and "Thank you" in final.text
    async with session_scope(app.state.engine) as session:
        response = await session.scalar(
            select(SurveyResponse).where(SurveyResponse.survey_id == survey["id"])
        )
        assert response.status == "submitted" and response.submitted_at is not None
        answers = dict(
            (
                await session.execute(
                    select(SurveyAnswer.question_id, SurveyAnswer.value).where(
                        SurveyAnswer.response_id == response.id
                    )
                )
            ).all()
        )
        assert len(answers) == len(survey["questions"])
        assert (
            await session.scalar(
                select(SurveyInvitation.status).where(SurveyInvitation.survey_id == survey["id"])
            )
        ) == "submitted"


async def test_errors_are_tied_to_fields_and_focus_goes_to_the_summary(api, app, tenant, client):
    survey, path, _ = await _link(api, app, tenant, competencies=2)
    page = await client.get(path + "?page=2")
    assert 'value="recognition"' not in page.text and "q_recognition" in page.text
    bad = await client.post(path, data=form_body(page.text, {"missing_skills": "SQL"}, "next"))
    assert bad.status_code == 400
    tree = LexborHTMLParser(bad.text)
    assert tree.css_first("title").text().startswith("Error: ")
    summary = tree.css_first(".error-summary")
    assert summary.attributes["role"] == "alert"
    link = summary.css_first("a")
    assert link.attributes["href"] == "#q_recognition" and "autofocus" in link.attributes
    target = tree.css_first("#q_recognition")
    assert target.attributes["type"] == "radio" and target.attributes["aria-invalid"] == "true"
    fieldset = target.parent.parent.parent
    assert fieldset.tag == "fieldset" and "q_recognition-error" in fieldset.attributes["aria-describedby"]
    assert tree.css_first("#q_recognition-error").text().endswith("Answer this question.")
    assert tree.css_first("#q_missing_skills").text() == "SQL"  # what was typed is kept
    number_page = await client.get(path + "?page=3")
    bad_number = await client.post(
        path, data=form_body(number_page.text, {"expected_hires": "a dozen"}, "next")
    )
    assert bad_number.status_code == 400 and "Enter a whole number" in bad_number.text
    assert 'value="a dozen"' in bad_number.text
    field = LexborHTMLParser(bad_number.text).css_first("#q_expected_hires")
    assert field.attributes["aria-describedby"] == "q_expected_hires-error"


async def test_every_control_is_labelled_and_pages_have_no_inline_code(api, app, tenant, client):
    survey, path, _ = await _link(api, app, tenant)
    for number in range(1, 6):
        page = await client.get(f"{path}?page={number}")
        html = page.text
        assert "<script" not in html and " style=" not in html and "onclick" not in html
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert (
            page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
        )
        tree = LexborHTMLParser(html)
        assert tree.css_first("html").attributes["lang"] == "en"
        for control in tree.css("form input:not([type=hidden]), form select, form textarea"):
            assert tree.css_first(f'label[for="{control.attributes["id"]}"]') is not None, control.html
        for radio in tree.css("input[type=radio], input[type=checkbox]"):
            node = radio
            while node is not None and node.tag != "fieldset":
                node = node.parent
            assert node is not None and node.css_first("legend") is not None
        assert tree.css_first("progress").attributes["aria-labelledby"] == "progress-label"
    css = await client.get("/static/surveys/form.css")
    assert css.status_code == 200 and ":focus" in css.text


async def test_spanish_invitation_gets_spanish_form_and_can_switch(api, app, tenant, client):
    survey = await create_open_survey(api, app, tenant, competencies=1)
    issued = await invite(api, survey["id"], 1, language="es")
    path = path_of(issued[0]["url"])
    page = await client.get(path)
    tree = LexborHTMLParser(page.text)
    assert tree.css_first("html").attributes["lang"] == "es" and "Página 1 de 4" in page.text
    assert "Guardar y terminar más tarde" in page.text and "Esencial" in page.text
    english = await client.get(path + "?lang=en")
    assert "Page 1 of 4" in english.text and "Essential" in english.text


async def test_submit_is_idempotent_under_double_click(api, app, tenant, client):
    survey, path, _ = await _link(api, app, tenant, competencies=1)
    html = (await client.get(path)).text
    for _ in range(3):
        step = await _post_page(client, path, html, survey, "next")
        html = (await client.get(step.headers["location"])).text
    final_html = html
    assert 'value="submit"' in final_html
    body = form_body(final_html, answers_for(question_codes(final_html), survey), "submit")
    results = await asyncio.gather(*(client.post(path, data=body) for _ in range(4)))
    assert all(r.status_code == 200 and "Thank you" in r.text for r in results), [
        r.status_code for r in results
    ]
    again = await client.post(path, data=body)
    assert again.status_code == 200 and "Thank you" in again.text
    async with session_scope(app.state.engine) as session:
        responses = list(
            await session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey["id"]))
        )
        assert len(responses) == 1 and responses[0].status == "submitted"
        count = await session.scalar(
            select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.response_id == responses[0].id)
        )
        assert count == len(survey["questions"])


async def test_unknown_expired_and_used_links_get_one_identical_page(api, app, tenant, client):
    used_survey, used_path, _ = await _link(api, app, tenant, competencies=1)
    assert "Thank you" in (await answer_all(client, used_path, used_survey)).text
    expired_survey, expired_path, _ = await _link(api, app, tenant, competencies=1)
    async with session_scope(app.state.engine) as session:
        await session.execute(
            update(Survey)
            .where(Survey.id == expired_survey["id"])
            .values(closes_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    closed_survey, closed_path, _ = await _link(api, app, tenant, competencies=1)
    await api.post(f"/api/v1/surveys/{closed_survey['id']}/close")
    draft = await create_open_survey(api, app, tenant, competencies=1, open_it=False)
    draft_path = path_of((await invite(api, draft["id"], 1))[0]["url"])
    pages = [
        await client.get(p)
        for p in (
            used_path,
            expired_path,
            closed_path,
            draft_path,
            "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "/s/short",
        )
    ]
    assert {p.status_code for p in pages} == {404}
    assert len({p.text for p in pages}) == 1, "the pages must not tell unknown, expired and used links apart"
    assert "cannot be used" in pages[0].text
    # a POST after the grace period of a used link: same page
    async with session_scope(app.state.engine) as session:
        await session.execute(
            update(SurveyResponse)
            .where(SurveyResponse.survey_id == used_survey["id"])
            .values(submitted_at=datetime.now(UTC) - timedelta(hours=2))
        )
    page = await client.get("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    late = await client.post(
        used_path,
        data=form_body(
            '<input type="hidden" name="_csrf_token" value="'
            + client.cookies.get("skillpulse_csrf", "")
            + '">',
            {},
            "submit",
        ),
    )
    assert late.status_code == 404 and late.text == page.text


async def test_form_needs_csrf_token(api, app, tenant):
    survey, path, _ = await _link(api, app, tenant, competencies=1)
    async with fresh_client(app) as other:
        no_token = await other.post(path, data={"action": "save", "page": "1"})
        assert no_token.status_code == 403
        page = await other.get(path)
        body = form_body(page.text, {}, "save")
        body["_csrf_token"] = "0" * 64
        assert (await other.post(path, data=body)).status_code == 403
        assert (await other.post(path, data=form_body(page.text, {}, "save"))).status_code == 200


async def test_show_if_skips_questions_and_pages(api, app, tenant, client):
    survey = await create_open_survey(api, app, tenant, competencies=1, open_it=False)
    sid = survey["id"]
    await api.post(
        f"/api/v1/surveys/{sid}/questions",
        json={
            "code": "uses_cloud",
            "kind": "single",
            "text": "Cloud?",
            "page": 1,
            "required": True,
            "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
        },
    )
    await api.post(
        f"/api/v1/surveys/{sid}/questions",
        json={
            "code": "cloud_detail",
            "kind": "text",
            "text": "Which cloud platforms?",
            "page": 9,
            "required": True,
            "show_if": {"code": "uses_cloud", "in": ["yes"]},
        },
    )
    survey = (await api.post(f"/api/v1/surveys/{sid}/open")).json()
    yes_path = path_of((await invite(api, sid, 1))[0]["url"])
    no_path = path_of((await invite(api, sid, 1))[0]["url"])
    first = await client.get(no_path)
    assert "Page 1 of 4" in first.text  # page 9 holds only a question hidden until "yes"
    final = await answer_all(client, no_path, survey, choose={"uses_cloud": "no"})
    assert "Thank you" in final.text
    first_yes = await client.get(yes_path)
    step = await _post_page(client, yes_path, first_yes.text, survey, "next", choose={"uses_cloud": "yes"})
    later = await client.get(yes_path + "?page=9")
    assert "Which cloud platforms?" in later.text and "Page 5 of 5" in later.text
    assert step.status_code == 303


@pytest.fixture
async def strict_app(settings):  # noqa: ANN001
    limited = suite_settings(
        settings.database.url,
        {"trusted_proxies": ["127.0.0.1", "10.0.0.0/8"]},  # the test client's peer, and a proxy tier
        surveys={"rate_per_token": 5, "rate_per_address": 9},
    )
    app = create_app(limited)
    async with app_client(app) as limited_client:
        yield app, limited_client


async def test_rate_limit_per_token_and_per_address(api, app, tenant, strict_app):
    survey = await create_open_survey(api, app, tenant, competencies=1)
    paths = [path_of(i["url"]) for i in await invite(api, survey["id"], 3)]
    limited_app, limited = strict_app
    # the limiter counts in fixed windows (surveys/ratelimit.py): start the burst where it cannot straddle two
    window = limited_app.state.settings.surveys.rate_window_seconds
    left = window - time.monotonic() % window
    if left < 15:
        await asyncio.sleep(left + 0.05)
    statuses = [(await limited.get(paths[0])).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    blocked = await limited.get(paths[0])
    assert int(blocked.headers["retry-after"]) >= 1 and "Too many requests" in blocked.text
    assert (await limited.get(paths[1])).status_code == 200
    assert (await limited.get(paths[2])).status_code == 200
    assert (await limited.get("/s/" + "B" * 32)).status_code == 429  # the address is over its limit of 9
    # behind a trusted proxy, each client address has its own limit
    other_client = await limited.get(paths[1], headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.1"})
    assert other_client.status_code == 200


async def test_opt_out_stops_mail(api, app, tenant, client):
    survey = await create_open_survey(api, app, tenant, competencies=1)
    issued = await invite(api, survey["id"], 1, email=True)
    path = path_of(issued[0]["url"]) + "/opt-out"
    confirm = await client.get(path)
    assert confirm.status_code == 200 and "Stop emails" in confirm.text
    async with session_scope(app.state.engine) as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(OutboxEmail)
                .where(
                    OutboxEmail.invitation_id == issued[0]["id"], OutboxEmail.status.in_(["pending", "held"])
                )
            )
            == 3
        )
    done = await client.post(path, data=form_body(confirm.text, {}, "save"))
    assert done.status_code == 200 and "no more emails" in done.text
    unknown = await client.post("/s/" + "C" * 32 + "/opt-out", data=form_body(confirm.text, {}, "save"))
    assert unknown.text == done.text
    async with session_scope(app.state.engine) as session:
        invitation = await session.get(SurveyInvitation, issued[0]["id"])
        assert invitation.opted_out
        statuses = set(
            await session.scalars(
                select(OutboxEmail.status).where(OutboxEmail.invitation_id == invitation.id)
            )
        )
        assert statuses == {"cancelled"}


async def _one_page_survey_links(api, app, tenant, client, email: bool = False):  # noqa: ANN001, ANN202
    """An open one-page survey (the very first POST is the final submit), two links, and its form's HTML."""
    survey = await create_open_survey(api, app, tenant, competencies=2, open_it=False)
    for question in survey["questions"]:
        await api.patch(f"/api/v1/surveys/{survey['id']}/questions/{question['id']}", json={"page": 1})
    survey = (await api.post(f"/api/v1/surveys/{survey['id']}/open")).json()
    links = await invite(api, survey["id"], 2, email=email)
    template = (await client.get(path_of(links[1]["url"]))).text  # the form, read on another link
    return survey, links, template


async def _one_complete_response(session, invitation_id: int, questions: int) -> None:  # noqa: ANN001
    responses = list(
        await session.scalars(select(SurveyResponse).where(SurveyResponse.invitation_id == invitation_id))
    )
    assert len(responses) == 1 and responses[0].status == "submitted"
    assert (
        await session.scalar(
            select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.response_id == responses[0].id)
        )
        == questions
    )


async def test_concurrent_first_and_final_submits_on_a_fresh_link_store_one_response(
    api, app, tenant, client
):
    survey, links, template = await _one_page_survey_links(api, app, tenant, client)
    body = form_body(template, answers_for(question_codes(template), survey), "submit")
    path = path_of(links[0]["url"])
    results = await asyncio.gather(*(client.post(path, data=body) for _ in range(5)))
    assert [r.status_code for r in results] == [200] * 5 and all("Thank you" in r.text for r in results)
    async with session_scope(app.state.engine) as session:
        await _one_complete_response(session, links[0]["id"], len(survey["questions"]))


async def test_first_submit_with_an_error_racing_valid_submits_stores_one_complete_response(
    api, app, tenant, client
):
    """A first POST that fails validation keeps a draft (and marks the link started); valid submits of the same
    link at the same moment must still store exactly one response, complete, and cancel the invitee's mail."""
    survey, links, template = await _one_page_survey_links(api, app, tenant, client, email=True)
    answers = answers_for(question_codes(template), survey)
    required = next(q["code"] for q in survey["questions"] if q["required"])
    incomplete = {code: value for code, value in answers.items() if code != required}
    path = path_of(links[0]["url"])
    bodies = [form_body(template, incomplete, "submit")] + [form_body(template, answers, "submit")] * 4
    results = await asyncio.gather(*(client.post(path, data=body) for body in bodies))
    assert {r.status_code for r in results} <= {200, 400}, [r.status_code for r in results]
    assert sum("Thank you" in r.text for r in results) >= 4
    async with session_scope(app.state.engine) as session:
        await _one_complete_response(session, links[0]["id"], len(survey["questions"]))
        invitation = await session.get(SurveyInvitation, links[0]["id"])
        assert invitation.status == "submitted"
        queued = await session.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.invitation_id == links[0]["id"], OutboxEmail.status.in_(["pending", "held"]))
        )
        assert queued == 0
