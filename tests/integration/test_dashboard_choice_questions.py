"""Choice questions in the survey editor: added with their choices typed one per line, choices edited (a
choice left as it was keeps its stored value), removed; refused as the API refuses them (400 with why)."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.db import session_scope
from surveys.models import SurveyQuestion
from tests.integration.test_dashboard_auth import Browser, browser, viewer_email  # noqa: F401 - fixture
from tests.support.seeds_dashboard import make_credential


async def _draft(browser: Browser, app, tenant) -> int:  # noqa: ANN001, F811
    credential_id, _, _ = await make_credential(app, tenant)
    await browser.login(tenant.designer_email)
    created = await browser.post("/app/surveys", {"credential_id": str(credential_id)})
    await browser.get(created.headers["location"])
    return int(re.search(r"/app/surveys/(\d+)", created.headers["location"]).group(1))


async def _question(app, survey_id: int, text: str) -> SurveyQuestion | None:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return await session.scalar(
            select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id, SurveyQuestion.text == text)
        )


async def _count(app, survey_id: int) -> int:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return len(
            list(
                await session.scalars(select(SurveyQuestion.id).where(SurveyQuestion.survey_id == survey_id))
            )
        )


async def test_add_edit_and_remove_a_choice_question(browser: Browser, tenant, app):  # noqa: F811
    survey_id = await _draft(browser, app, tenant)
    added = await browser.post(
        f"/app/surveys/{survey_id}/questions",
        {
            "text": "Which clouds do you use?",
            "kind": "multiple",
            "options": "AWS\n\n  Microsoft   Azure \ngcp | Google Cloud\n",
        },
    )
    assert added.status_code == 303, added.text[:400]
    question = await _question(app, survey_id, "Which clouds do you use?")
    assert question.kind == "multiple"
    assert question.options == [
        {"value": "aws", "label": "AWS", "label_es": None},
        {"value": "microsoft_azure", "label": "Microsoft Azure", "label_es": None},
        {"value": "gcp", "label": "Google Cloud", "label_es": None},
    ]
    page = await browser.get(f"/app/surveys/{survey_id}")
    assert f'id="qo-{question.id}"' in page.text
    assert "AWS\nMicrosoft Azure\ngcp | Google Cloud</textarea>" in page.text

    edited = await browser.post(
        f"/app/surveys/{survey_id}/questions/{question.id}",
        {"text": "Which clouds?", "options": "Google Cloud\nAWS\nOracle Cloud"},
    )
    assert edited.status_code == 303
    question = await _question(app, survey_id, "Which clouds?")
    assert [(o["value"], o["label"]) for o in question.options] == [
        ("gcp", "Google Cloud"),  # kept its value: answers and conditions naming it still match
        ("aws", "AWS"),
        ("oracle_cloud", "Oracle Cloud"),
    ]

    single = await browser.post(
        f"/app/surveys/{survey_id}/questions",
        {"text": "Do you hire apprentices?", "kind": "single", "options": "Yes\nNo"},
    )
    assert single.status_code == 303
    assert (await _question(app, survey_id, "Do you hire apprentices?")).kind == "single"

    removed = await browser.post(f"/app/surveys/{survey_id}/questions/{question.id}/delete")
    assert removed.status_code == 303
    assert await _question(app, survey_id, "Which clouds?") is None


async def test_choice_questions_are_refused_as_the_api_refuses_them(browser: Browser, tenant, app):  # noqa: F811
    survey_id = await _draft(browser, app, tenant)
    before = await _count(app, survey_id)
    cases = [
        ({"text": "Pick one", "kind": "single", "options": "Only"}, "at least 2 options"),
        ({"text": "Pick one", "kind": "single", "options": ""}, "at least 2 options"),
        ({"text": "Pick", "kind": "multiple", "options": "Yes\nYes"}, "option values must be distinct"),
        ({"text": "Pick", "kind": "single", "options": "a | A\na | B"}, "option values must be distinct"),
        ({"text": "Pick", "kind": "single", "options": "x" * 501 + "\nB"}, "label"),
        ({"text": "", "kind": "single", "options": "A\nB"}, "text"),
        ({"text": "Pick", "kind": "dropdown", "options": "A\nB"}, "the answer must be one of"),
    ]
    for data, words in cases:
        answer = await browser.post(f"/app/surveys/{survey_id}/questions", data)
        assert answer.status_code == 400, (data, answer.status_code)
        assert words in answer.text, (words, re.findall(r'role="alert">([^<]*)', answer.text))
    assert await _count(app, survey_id) == before  # nothing half-stored
    await browser.post(
        f"/app/surveys/{survey_id}/questions", {"text": "Size?", "kind": "single", "options": "Small\nLarge"}
    )
    question = await _question(app, survey_id, "Size?")
    emptied = await browser.post(
        f"/app/surveys/{survey_id}/questions/{question.id}", {"text": "Size?", "options": "Small"}
    )
    assert emptied.status_code == 400 and "at least 2 options" in emptied.text
    assert len((await _question(app, survey_id, "Size?")).options) == 2


async def test_viewers_cannot_add_choice_questions(browser: Browser, tenant, app):  # noqa: F811
    survey_id = await _draft(browser, app, tenant)
    await browser.client.get("/app/logout")
    viewer = Browser(browser.client)
    await viewer.login(viewer_email(tenant))
    page = await viewer.get(f"/app/surveys/{survey_id}")
    assert "Add a question" not in page.text
    answer = await viewer.post(
        f"/app/surveys/{survey_id}/questions", {"text": "Pick", "kind": "single", "options": "A\nB"}
    )
    assert answer.status_code == 403
