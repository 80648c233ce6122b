"""GET|PUT /api/v1/me/notifications: the caller's digest preference, validated; each user their own."""

from __future__ import annotations

from tests.support.demand_data import make_credential

URL = "/api/v1/me/notifications"


async def test_defaults_are_a_weekly_digest_about_every_credential(api, viewer_api):
    assert (await api.get(URL)).json() == {"digest": "weekly", "credentials": "all"}
    assert (await viewer_api.get(URL)).json() == {"digest": "weekly", "credentials": "all"}


async def test_a_user_chooses_how_often_and_which_credentials(app, api, viewer_api, tenant):
    one = await make_credential(app, tenant.org_id, "Welding Certificate", ["51-4121.00"])
    two = await make_credential(app, tenant.org_id, "Nursing AAS", ["29-1141.00"])
    changed = await api.request(
        "PUT", URL, json={"digest": "daily", "credentials": [two.credential_id, one.credential_id]}
    )
    assert changed.status_code == 200
    assert changed.json() == {
        "digest": "daily",
        "credentials": sorted([one.credential_id, two.credential_id]),
    }
    assert (await api.get(URL)).json()["digest"] == "daily"
    kept = await api.request("PUT", URL, json={"digest": "none"})  # what is left out keeps its value
    assert kept.json() == {"digest": "none", "credentials": sorted([one.credential_id, two.credential_id])}
    everything = await api.request("PUT", URL, json={"credentials": "all"})
    assert everything.json() == {"digest": "none", "credentials": "all"}
    assert (await viewer_api.get(URL)).json() == {"digest": "weekly", "credentials": "all"}  # their own
    assert (
        await viewer_api.request("PUT", URL, json={"digest": "daily"})
    ).status_code == 200  # any role sets its own


async def test_bad_preferences_are_400s_that_say_what_is_wrong(app, api, other_api, other_tenant):
    theirs = await make_credential(app, other_tenant.org_id, "Their Certificate", ["15-1232.00"])
    hourly = await api.request("PUT", URL, json={"digest": "hourly"})
    assert hourly.status_code == 400 and "digest" in hourly.text and "weekly" in hourly.text
    empty = await api.request("PUT", URL, json={"credentials": []})
    assert empty.status_code == 400 and "at least one credential" in empty.json()["detail"]
    foreign = await api.request("PUT", URL, json={"credentials": [theirs.credential_id]})
    assert foreign.status_code == 400
    assert f"no such credential in your organisation: {theirs.credential_id}" in foreign.json()["detail"]
    words = await api.request("PUT", URL, json={"credentials": "some"})
    assert words.status_code == 400 and "credentials" in words.text
    extra = await api.request("PUT", URL, json={"digest": "daily", "mobile": True})
    assert extra.status_code == 400 and "mobile" in extra.text
    not_json = await api.request("PUT", URL, content=b"daily", headers={"content-type": "application/json"})
    assert not_json.status_code == 400
    assert (await api.get(URL)).json() == {"digest": "weekly", "credentials": "all"}  # nothing half-stored
    assert (
        await other_api.request("PUT", URL, json={"credentials": [theirs.credential_id]})
    ).status_code == 200
