"""The credential page (review actions) and the surveys pages (create, edit, invite, open, export)."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.credentials.models import CompetencySkill
from service.db import session_scope
from surveys.models import Survey, SurveyInvitation
from tests.integration.test_dashboard_auth import Browser, browser, viewer_email  # noqa: F401 - fixture
from tests.support.seeds_dashboard import make_credential


async def test_confirm_reject_and_add_skill_links(browser: Browser, tenant, app):  # noqa: F811
    credential_id, competency_id, link_id = await make_credential(app, tenant)
    await browser.login(tenant.designer_email)
    page = await browser.get(f"/app/credentials/{credential_id}")
    assert page.status_code == 200
    assert "Configure Linux servers" in page.text and "suggested" in page.text
    confirmed = await browser.post(f"/app/competency-skills/{link_id}", {"status": "confirmed"})
    assert confirmed.status_code == 303
    assert (
        confirmed.headers["location"]
        == f"/app/credentials/{credential_id}?done=confirmed#competency-{competency_id}"
    )
    bad = await browser.post(f"/app/competency-skills/{link_id}", {"status": "maybe"})
    assert bad.status_code == 400
    empty = await browser.post(f"/app/competencies/{competency_id}/skills", {"skill": "  "})
    assert empty.status_code == 400 and "Type the skill to link" in empty.text
    added = await browser.post(
        f"/app/competencies/{competency_id}/skills", {"skill": "https://example.org/skills/ansible"}
    )
    assert added.status_code == 303
    async with session_scope(app.state.engine) as session:
        links = {
            (x.concept_id, x.status, x.method)
            for x in await session.scalars(
                select(CompetencySkill).where(CompetencySkill.competency_id == competency_id)
            )
        }
    assert ("http://example.org/linux", "confirmed", "concept") in links
    assert ("https://example.org/skills/ansible", "confirmed", "manual") in links


async def test_credential_page_of_another_organisation_is_not_found(
    browser: Browser,  # noqa: F811
    tenant,
    other_tenant,
    app,  # noqa: F811
):
    credential_id, _, link_id = await make_credential(app, other_tenant)
    await browser.login(tenant.designer_email)
    assert (await browser.get(f"/app/credentials/{credential_id}")).status_code == 404
    assert (
        await browser.post(f"/app/competency-skills/{link_id}", {"status": "rejected"})
    ).status_code == 404


async def test_survey_from_credential_to_links_and_exports(browser: Browser, tenant, app):  # noqa: F811
    credential_id, _, _ = await make_credential(app, tenant, name="Welding <Level 2>")
    await browser.login(tenant.designer_email)
    listing = await browser.get("/app/surveys")
    assert "Welding &lt;Level 2&gt;" in listing.text
    created = await browser.post("/app/surveys", {"credential_id": str(credential_id)})
    assert created.status_code == 303
    survey_id = int(re.search(r"/app/surveys/(\d+)", created.headers["location"]).group(1))
    page = await browser.get(created.headers["location"])
    assert "Survey created" in page.text and "Configure Linux servers" in page.text
    saved = await browser.post(
        f"/app/surveys/{survey_id}/edit", {"title": "Welding employers 2026", "intro": "Hi"}
    )
    assert saved.status_code == 303
    invited = await browser.post(
        f"/app/surveys/{survey_id}/invitations",
        {"invitees": "Acme Steel, Dana Reyes, dana@acme.example\nBolt & Co\n", "send_email": "yes"},
    )
    assert invited.status_code == 200
    links = re.findall(r"http://[^<\s]+/s/[A-Za-z0-9_\-]+", invited.text)
    assert len(links) == 2
    bad = await browser.post(f"/app/surveys/{survey_id}/invitations", {"invitees": "a,b,c,d"})
    assert bad.status_code == 400 and "Line 1 has 4 fields" in bad.text
    opened = await browser.post(f"/app/surveys/{survey_id}/open")
    assert opened.status_code == 303
    again = await browser.post(f"/app/surveys/{survey_id}/open")
    assert again.status_code == 409 and "only a draft can be opened" in again.text
    locked = await browser.post(f"/app/surveys/{survey_id}/edit", {"title": "Changed"})
    assert locked.status_code == 409
    csv = await browser.client.get(f"/app/surveys/{survey_id}/responses.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    xlsx = await browser.client.get(f"/app/surveys/{survey_id}/responses.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    async with session_scope(app.state.engine) as session:
        survey = await session.get(Survey, survey_id)
        invitations = list(
            await session.scalars(select(SurveyInvitation).where(SurveyInvitation.survey_id == survey_id))
        )
    assert survey.title == "Welding employers 2026" and survey.status == "open"
    assert {i.employer for i in invitations} == {"Acme Steel", "Bolt & Co"}


async def test_viewer_cannot_create_surveys(browser: Browser, tenant, app):  # noqa: F811
    credential_id, _, _ = await make_credential(app, tenant)
    await browser.login(viewer_email(tenant))
    page = await browser.get("/app/surveys")
    assert page.status_code == 200 and "Create survey" not in page.text
    assert (await browser.post("/app/surveys", {"credential_id": str(credential_id)})).status_code == 403


async def test_draft_questions_are_reworded_removed_and_added(browser: Browser, tenant, app):  # noqa: F811
    from surveys.models import SurveyQuestion

    credential_id, _, _ = await make_credential(app, tenant)
    await browser.login(tenant.designer_email)
    created = await browser.post("/app/surveys", {"credential_id": str(credential_id)})
    survey_id = int(re.search(r"/app/surveys/(\d+)", created.headers["location"]).group(1))
    await browser.get(created.headers["location"])
    async with session_scope(app.state.engine) as session:
        questions = list(
            await session.scalars(
                select(SurveyQuestion)
                .where(SurveyQuestion.survey_id == survey_id)
                .order_by(SurveyQuestion.position)
            )
        )
    first, missing = questions[0], next(q for q in questions if q.role == "missing")
    reworded = await browser.post(
        f"/app/surveys/{survey_id}/questions/{first.id}", {"text": "Linux <servers>"}
    )
    assert reworded.status_code == 303
    empty = await browser.post(f"/app/surveys/{survey_id}/questions/{first.id}", {"text": ""})
    assert empty.status_code == 400 and "text" in empty.text
    removed = await browser.post(f"/app/surveys/{survey_id}/questions/{missing.id}/delete")
    assert removed.status_code == 303
    added = await browser.post(
        f"/app/surveys/{survey_id}/questions", {"text": "How many apprentices?", "kind": "number"}
    )
    assert added.status_code == 303
    page = await browser.get(f"/app/surveys/{survey_id}")
    assert "Linux &lt;servers&gt;" in page.text and "How many apprentices?" in page.text
    async with session_scope(app.state.engine) as session:
        kinds = {
            q.text: q.kind
            for q in await session.scalars(
                select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id)
            )
        }
    assert kinds["How many apprentices?"] == "number" and missing.text not in kinds
    await browser.post(f"/app/surveys/{survey_id}/open")
    locked = await browser.post(f"/app/surveys/{survey_id}/questions/{first.id}", {"text": "Changed"})
    assert locked.status_code == 409
