"""Settings → Notifications without JavaScript: plain form posts with the CSRF token, as any browser sends
them; the API and the page read the same preference."""

from __future__ import annotations

from tests.integration.test_dashboard_auth import Browser, browser, viewer_email  # noqa: F401 - fixture
from tests.support.demand_data import make_credential

PAGE = "/app/settings/notifications"


async def test_a_designer_sets_a_daily_digest_for_chosen_credentials(browser: Browser, app, api, tenant):  # noqa: F811
    welding = await make_credential(app, tenant.org_id, "Welding Certificate", ["51-4121.00"])
    await make_credential(app, tenant.org_id, "Nursing AAS", ["29-1141.00"])
    await browser.login(tenant.designer_email)
    shown = await browser.get(PAGE)
    assert shown.status_code == 200
    assert 'value="weekly" checked' in shown.text and 'value="all" checked' in shown.text
    assert "Welding Certificate" in shown.text and "Nursing AAS" in shown.text
    saved = await browser.post(
        PAGE, {"digest": "daily", "follow": "chosen", "credential_id": [str(welding.credential_id)]}
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
    assert (await api.get("/api/v1/me/notifications")).json() == {
        "digest": "daily",
        "credentials": [welding.credential_id],
    }
    again = await browser.get(saved.headers["location"])
    assert "your digest settings are changed" in again.text
    assert 'value="daily" checked' in again.text and 'value="chosen" checked' in again.text
    assert f'value="{welding.credential_id}" checked' in again.text


async def test_bad_form_posts_say_what_is_wrong_and_store_nothing(
    browser: Browser,  # noqa: F811
    app,
    api,
    tenant,
    other_tenant,
):
    theirs = await make_credential(app, other_tenant.org_id, "Their Certificate", ["15-1232.00"])
    await browser.login(tenant.designer_email)
    await browser.get(PAGE)
    none_ticked = await browser.post(PAGE, {"digest": "daily", "follow": "chosen"})
    assert none_ticked.status_code == 400 and "Choose at least one credential" in none_ticked.text
    assert 'value="daily" checked' in none_ticked.text  # the form keeps what was chosen
    hourly = await browser.post(PAGE, {"digest": "hourly"})
    assert hourly.status_code == 400 and "Unknown digest &#39;hourly&#39;" in hourly.text
    foreign = await browser.post(
        PAGE, {"digest": "daily", "follow": "chosen", "credential_id": [str(theirs.credential_id)]}
    )
    assert foreign.status_code == 400 and "No such credential in your organisation" in foreign.text
    junk = await browser.post(PAGE, {"digest": "daily", "follow": "chosen", "credential_id": ["x"]})
    assert junk.status_code == 400 and "not a number" in junk.text
    no_token = await browser.post(PAGE, {"digest": "none"}, csrf=False)
    assert no_token.status_code == 403
    assert (await api.get("/api/v1/me/notifications")).json() == {"digest": "weekly", "credentials": "all"}


async def test_a_viewer_sets_their_own_digest(browser: Browser, tenant, viewer_api):  # noqa: F811
    await browser.login(viewer_email(tenant))
    await browser.get(PAGE)
    saved = await browser.post(PAGE, {"digest": "none", "follow": "all"})
    assert saved.status_code == 303
    assert (await viewer_api.get("/api/v1/me/notifications")).json()["digest"] == "none"
