"""The credential page's recognition section: the API's read in words and a small table, no JavaScript."""

from __future__ import annotations

from datetime import date, timedelta

from selectolax.lexbor import LexborHTMLParser

from tests.integration.test_dashboard_auth import Browser, browser  # noqa: F401 - fixture
from tests.support.demand_data import PlannedPosting, add_postings


async def test_credential_page_says_how_often_postings_ask_for_it(browser: Browser, api, app, tenant):  # noqa: F811
    created = await api.post(
        "/api/v1/credentials",
        json={"name": "Commercial Driver's License Class A", "type": "License", "occupations": ["53-3032"]},
    )
    assert created.status_code == 201, created.text
    credential_id = created.json()["id"]
    await browser.login(tenant.designer_email)
    empty = await browser.get(f"/app/credentials/{credential_id}")
    assert empty.status_code == 200
    assert "Do employers ask for it by name?" in empty.text
    assert "No postings for its occupations in this window yet." in empty.text

    today = date.today()
    texts = [
        "Regional driver. Class A CDL required; clean MVR.",
        "Yard hostler. CDL-A preferred, we train.",
        "Box truck driver. No CDL-A required.",
        "Warehouse associate with forklift experience.",
    ]
    plans = [PlannedPosting(today - timedelta(days=i), "53-3032.00", [], text=t) for i, t in enumerate(texts)]
    await add_postings(app, tenant.org_id, plans)
    api_read = (await api.get(f"/api/v1/credentials/{credential_id}/recognition")).json()
    page = await browser.get(f"/app/credentials/{credential_id}")
    assert page.status_code == 200
    section = LexborHTMLParser(page.text).css_first('section[aria-labelledby="rec-h"]')
    assert section is not None
    words = " ".join(section.text().split())
    assert f"{api_read['asking']} of {api_read['postings']} postings (50%) ask for it" in words
    assert "1 require it, 1 prefer it" in words
    assert "These names come from the credential's name" in words
    rows = [[td.text() for td in tr.css("td")] for tr in section.css("tbody tr")]
    assert sum(int(r[2]) for r in rows) == 2 and sum(int(r[1]) for r in rows) == 4
    quoted = [q.text() for q in section.css("li q")]
    assert quoted[0] == "Regional driver. Class A CDL required; clean MVR."[len("Regional driver. ") :]
    assert section.css_first("li q strong").text() == "Class A CDL"
    assert "No survey answer about it yet." in words
    assert "<script" not in section.html
