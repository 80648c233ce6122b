"""A real browser (headless Debian chromium) answers a survey through its personal link: half on one device
with JavaScript off, saved, then finished on a "fresh device"; every page passes an axe-core scan."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.db import session_scope
from surveys.models import SurveyAnswer, SurveyResponse
from tests.support.browser import assert_accessible
from tests.support.seeds_surveys import create_open_survey, invite, path_of

pytestmark = pytest.mark.e2e


async def _choose(page, code: str, label: str) -> None:  # noqa: ANN001
    await page.locator(f"fieldset:has(input[name='q_{code}'])").get_by_label(label, exact=True).check()


async def _focused_id(page) -> str:  # noqa: ANN001
    return await page.evaluate(
        "document.activeElement && (document.activeElement.id || document.activeElement.getAttribute('href'))"
    )


async def test_answer_half_save_resume_elsewhere_submit_once(api, app, tenant, browser, live_server):
    survey = await create_open_survey(api, app, tenant, competencies=7)
    link = live_server + path_of((await invite(api, survey["id"], 1))[0]["url"])
    comps = [q["code"] for q in survey["questions"] if q["role"] == "importance"]

    # Device 1, JavaScript off: page 1 answered, half of page 2, then "save and finish later".
    office = await browser.new_context(java_script_enabled=False)
    page = await office.new_page()
    await page.goto(link)
    assert await page.locator("h1").inner_text() == survey["title"]
    assert "Page 1 of 5" in await page.locator(".progress-text").inner_text()
    for code in comps[:4]:
        await _choose(page, code, "Essential")
    await page.get_by_role("button", name="Save and continue").click()
    assert "Page 2 of 5" in await page.locator(".progress-text").inner_text()
    await _choose(page, comps[4], "Useful")
    await _choose(page, comps[5], "Not needed")
    await page.get_by_role("button", name="Save and finish later").click()
    assert await page.locator("h1").inner_text() == "Your answers are saved"
    await office.close()

    # Device 2 (a fresh browser context, JavaScript on for the axe scans): resume where the draft stopped.
    phone = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = await phone.new_page()
    await page.goto(link)
    assert "Page 2 of 5" in await page.locator(".progress-text").inner_text()
    assert await page.locator(f"input[name='q_{comps[4]}'][value='useful']").is_checked()
    assert await page.locator(f"input[name='q_{comps[5]}'][value='not_needed']").is_checked()
    await assert_accessible(page, "survey-page-2-resumed")
    await page.goto(link + "?page=1")
    assert await page.locator(f"input[name='q_{comps[0]}'][value='essential']").is_checked()
    await assert_accessible(page, "survey-page-1")
    await page.get_by_role("button", name="Save and continue").click()
    await _choose(page, comps[6], "Important")
    await page.get_by_role("button", name="Save and continue").click()

    # Page 3: leave the required question out → the error summary takes focus, its link leads to the field.
    assert "Page 3 of 5" in await page.locator(".progress-text").inner_text()
    await assert_accessible(page, "survey-page-3")
    await page.get_by_label("Which skills do you find missing").fill("Writing SQL queries for reports")
    await page.get_by_role("button", name="Save and continue").click()
    assert (await page.title()).startswith("Error: ")
    assert await _focused_id(page) == "#q_recognition"
    await assert_accessible(page, "survey-page-3-error")
    await page.keyboard.press("Enter")
    assert await _focused_id(page) == "q_recognition"
    await page.keyboard.press("Space")  # keyboard only: the first option of the focused radio group
    assert await page.locator("#q_recognition").is_checked()
    await page.get_by_role("button", name="Save and continue").click()

    assert "Page 4 of 5" in await page.locator(".progress-text").inner_text()
    await assert_accessible(page, "survey-page-4")
    await page.get_by_label("For which roles").fill("Help desk technician")
    await page.get_by_label("How many people do you expect to hire").fill("4")
    await page.get_by_role("button", name="Save and continue").click()

    assert "Page 5 of 5" in await page.locator(".progress-text").inner_text()
    await assert_accessible(page, "survey-page-5")
    await page.get_by_label("Which sector is your organisation in?").select_option("54")
    await _choose(page, "size", "50 to 249 employees")
    await page.get_by_label("In which region").fill("Franklin County")
    await page.get_by_label("Offering internships").check()
    await page.get_by_role("link", name="Español").click()  # answers on this page are not saved by a link…
    assert await page.locator("html").get_attribute("lang") == "es"
    await assert_accessible(page, "survey-page-5-es")
    await page.get_by_role("link", name="English").click()
    await page.get_by_label("Which sector is your organisation in?").select_option(
        "54"
    )  # …so fill them again
    await _choose(page, "size", "50 to 249 employees")
    await page.get_by_label("In which region").fill("Franklin County")
    await page.get_by_label("Offering internships").check()

    # Submit, then submit the very same form again (a double click / retried request).
    form = {
        "_csrf_token": await page.locator("input[name=_csrf_token]").get_attribute("value"),
        "page": await page.locator("input[name=page]").get_attribute("value"),
        "lang": "en",
        "action": "submit",
    }
    await page.get_by_role("button", name="Submit answers").click()
    assert await page.locator("h1").inner_text() == "Thank you"
    await assert_accessible(page, "survey-thanks")
    again = await page.request.post(link, form=form)
    assert again.status == 200 and "Thank you" in await again.text()
    await page.goto(link)
    assert "cannot be used" in await page.locator("h1").inner_text()
    await assert_accessible(page, "survey-link-unavailable")
    await phone.close()

    async with session_scope(app.state.engine) as session:
        responses = list(
            await session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey["id"]))
        )
        assert len(responses) == 1 and responses[0].status == "submitted"
        count = await session.scalar(
            select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.response_id == responses[0].id)
        )
    results = (await api.get(f"/api/v1/surveys/{survey['id']}/results")).json()
    assert results["respondents"] == 1
    assert results["recognition"]["distribution"]["requires"] == 1
    assert results["hiring_outlook"]["expected_hires_total"] == 4
    assert count == len(survey["questions"])
