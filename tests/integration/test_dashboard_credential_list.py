"""/app/credentials: search, the four filters, sort and pages, as GET query parameters (no JavaScript)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from service.credentials.models import Credential
from service.db import session_scope
from service.demand.models import DriftRun
from tests.integration.test_dashboard_auth import Browser, browser, viewer_email  # noqa: F401 - fixture
from tests.support.seeds_dashboard import make_alert, make_credential


async def _seed(app, tenant) -> dict[str, int]:  # noqa: ANN001
    """Four credentials: coverage high / medium / low / never checked, one with an open alert."""
    ids = {}
    for name in ("Cloud Support", "Welding Basics", "Medical Assistant", "Data Analytics"):
        ids[name], _, _ = await make_credential(app, tenant, name=name)
    async with session_scope(app.state.engine) as session:
        for name, occupations, region, codes, ctid in (
            ("Cloud Support", ["15-1232.00"], "Northeast Ohio", ["state:OH", "county:39035"], "ce-abc"),
            ("Welding Basics", ["51-4121.06"], "Texas", ["state:TX"], None),
            ("Medical Assistant", ["31-9092.00"], "Toledo", [], None),
            ("Data Analytics", ["15-2051.00"], None, [], None),
        ):
            row = await session.get(Credential, ids[name])
            row.occupations, row.region, row.region_codes, row.ctid = occupations, region, codes, ctid
        summary = {
            "credentials": {
                str(ids["Cloud Support"]): {"coverage": {"baseline": 0.9, "current": 0.85}},
                str(ids["Welding Basics"]): {"coverage": 0.6},
                str(ids["Medical Assistant"]): {"coverage": 0.2},
            }
        }
        session.add(
            DriftRun(org_id=tenant.org_id, as_of=date(2026, 11, 1), status="succeeded", summary=summary)
        )
    await make_alert(app, tenant, ids["Welding Basics"])
    return ids


def names(html: str) -> list[str]:
    return re.findall(r'<a href="/app/credentials/\d+">([^<]+)</a>', html)


async def test_the_list_searches_filters_sorts_and_is_linked(browser: Browser, tenant, app, other_tenant):  # noqa: F811
    await _seed(app, tenant)
    await make_credential(app, other_tenant, name="Cloud Support elsewhere")
    await browser.login(viewer_email(tenant))
    overview = await browser.get("/app/")
    assert 'href="/app/credentials"' in overview.text
    everything = await browser.get("/app/credentials")
    assert everything.status_code == 200
    assert names(everything.text) == [
        "Cloud Support",
        "Data Analytics",
        "Medical Assistant",
        "Welding Basics",
    ]
    assert "4 credentials match." in everything.text and 'aria-current="page">Credentials' in everything.text
    cases = {
        "q=cloud": ["Cloud Support"],
        "q=CE-ABC": ["Cloud Support"],
        "coverage=high": ["Cloud Support"],
        "coverage=medium": ["Welding Basics"],
        "coverage=low": ["Medical Assistant"],
        "coverage=unknown": ["Data Analytics"],
        "alerts=open": ["Welding Basics"],
        "alerts=none": ["Cloud Support", "Data Analytics", "Medical Assistant"],
        "occupation=15-": ["Cloud Support", "Data Analytics"],
        "occupation=51-4121.06": ["Welding Basics"],
        "region=state:oh": ["Cloud Support"],
        "region=toledo": ["Medical Assistant"],
        "region=state:OH&coverage=low": [],
        "sort=coverage&order=desc": [
            "Cloud Support",
            "Welding Basics",
            "Medical Assistant",
            "Data Analytics",
        ],
        "sort=alerts&order=desc&alerts=": [
            "Welding Basics",
            "Cloud Support",
            "Data Analytics",
            "Medical Assistant",
        ],
    }
    for query, expected in cases.items():
        found = await browser.get(f"/app/credentials?{query}")
        assert found.status_code == 200, (query, found.text[:300])
        assert names(found.text) == expected, query
    none = await browser.get("/app/credentials?q=nothing-like-this")
    assert "0 credentials match." in none.text and "Show them all" in none.text


async def test_pages_of_the_list(browser: Browser, tenant, app):  # noqa: F811
    async with session_scope(app.state.engine) as session:
        for i in range(30):
            session.add(Credential(org_id=tenant.org_id, name=f"Credential {i:02d}"))
    await browser.login(tenant.designer_email)
    first = await browser.get("/app/credentials")
    assert len(names(first.text)) == 25 and "Page 1 of 2" in first.text and "Previous" not in first.text
    second = await browser.get("/app/credentials?q=credential&sort=name&order=asc&page=2")
    assert names(second.text) == [f"Credential {i:02d}" for i in range(25, 30)]
    assert "Page 2 of 2" in second.text and "page=1" in second.text
    beyond = await browser.get("/app/credentials?page=9")  # past the end: the last page
    assert "Page 2 of 2" in beyond.text


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("coverage=excellent", "coverage must be one of low, medium, high, unknown"),
        ("alerts=maybe", "alerts must be open or none"),
        ("sort=price", "sort must be one of name, coverage, alerts, competencies"),
        ("order=sideways", "order must be asc or desc"),
        ("page=0", "page must be a whole number from 1"),
        ("page=abc", "page must be a whole number from 1"),
        ("q=" + "x" * 201, "search is longer than 200 characters"),
    ],
)
async def test_bad_filters_are_a_400_that_says_which(browser: Browser, tenant, query: str, words: str):  # noqa: F811
    await browser.login(tenant.designer_email)
    answer = await browser.get(f"/app/credentials?{query}")
    assert answer.status_code == 400
    assert words in answer.text.lower().replace("&#39;", "'")
    assert 'name="q"' in answer.text  # the form is still there to correct it
