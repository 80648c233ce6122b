"""Stored XSS: hostile text through every free-text field of the API and the survey form, then every HTML page
of the dashboard and the form that shows it: the text appears escaped, never as markup."""

from __future__ import annotations

import re

from tests.security.support import Browser, fill, html_routes, path_values, token_link
from tests.support.seeds_surveys import (
    form_body,
    path_of,
    question_codes,
)

SCRIPT = '<script>alert("xss")</script>'
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"Quality {SCRIPT} {IMG} end"
RAW = ('<script>alert("xss")', "<img src=x onerror")
ESCAPED = ("&lt;script&gt;", "&lt;img src=x onerror")


async def _store_everywhere(api, admin_api, app, tenant) -> dict[str, object]:  # noqa: ANN001
    """Send PAYLOAD in each free-text field the API takes; return ids of what was made."""
    ids: dict[str, object] = {}

    async def send(method: str, url: str, body: dict) -> dict:
        response = await admin_api.request(method, url, json=body)
        assert response.status_code in (200, 201), (
            f"{method} {url}: {response.status_code} {response.text[:300]}"
        )
        return response.json()

    credential = await send(
        "POST",
        "/api/v1/credentials",
        {
            "name": PAYLOAD,
            "description": PAYLOAD,
            "type": "Certificate",
            "region": PAYLOAD,
            "language": "en",
            "competencies": [
                {
                    "text": f"Configure networks {PAYLOAD}",
                    "label": PAYLOAD,
                    "category": PAYLOAD,
                    "coded_notation": "X1",
                }
            ],
        },
    )
    ids["credential_id"] = credential["id"]
    competency_id = credential["competencies"][0]["id"]
    ids["competency_id"] = competency_id
    await send("PATCH", f"/api/v1/competencies/{competency_id}", {"label": PAYLOAD})
    link = await send(
        "POST",
        "/api/v1/competency-skills",
        {"competency_id": competency_id, "concept_id": "urn:xss:concept", "concept_label": PAYLOAD},
    )
    ids["competency_skill_id"] = link["id"]
    survey = await send(
        "POST", "/api/v1/surveys", {"credential_id": credential["id"], "title": PAYLOAD, "intro": PAYLOAD}
    )
    await send(
        "POST",
        f"/api/v1/surveys/{survey['id']}/questions",
        {"kind": "text", "text": PAYLOAD, "help": PAYLOAD, "required": False, "page": 1},
    )
    await send("POST", f"/api/v1/surveys/{survey['id']}/open", {})
    issued = await send(
        "POST",
        f"/api/v1/surveys/{survey['id']}/invitations",
        {"invitees": [{"employer": PAYLOAD, "name": PAYLOAD}], "send_email": False},
    )
    ids["survey_id"] = survey["id"]
    ids["token"] = path_of(issued[0]["url"]).rsplit("/", 1)[1]
    await send("POST", "/api/v1/tokens", {"name": PAYLOAD})
    await send(
        "POST",
        "/api/v1/users",
        {
            "email": "xss-user@example.org",
            "role": "viewer",
            "name": PAYLOAD,
            "password": "a-long-enough-password",
        },
    )
    source = await send(
        "POST",
        "/api/v1/import-sources",
        {"kind": "rss", "name": PAYLOAD, "url": "https://feeds.example.org/jobs.rss", "region": PAYLOAD},
    )
    ids["source_id"] = source["id"]
    await send(
        "POST",
        "/api/v1/postings",
        {
            "postings": [
                {
                    "source": "xss",
                    "external_id": "1",
                    "title": PAYLOAD,
                    "employer": PAYLOAD,
                    "region": PAYLOAD,
                    "text": f"We need Kubernetes. {PAYLOAD}",
                }
            ]
        },
    )
    return ids


async def test_hostile_text_is_escaped_on_every_page(app, api, admin_api, tenant, browser: Browser):
    ids = await _store_everywhere(api, admin_api, app, tenant)
    values = {**await path_values(app, tenant, str(ids["token"])), **ids}
    alert_id = values["alert_id"]
    updated = await admin_api.patch(
        f"/api/v1/alerts/{alert_id}", json={"status": "acknowledged", "note": PAYLOAD}
    )
    assert updated.status_code == 200, updated.text

    # the survey form: a text answer saved, shown again to the respondent, then submitted
    form_path = f"/s/{ids['token']}"
    page = await browser.get(form_path)
    assert page.status_code == 200
    free_text = {f"q_{c}": PAYLOAD for c in question_codes(page.text) if f'name="q_{c}" rows=' in page.text}
    assert free_text, "the survey's first page has a free-text question"
    saved = await browser.client.post(form_path, data={**form_body(page.text, {}, "save"), **free_text})
    assert saved.status_code == 200, saved.text[:300]

    pages: dict[str, str] = {form_path: (await browser.get(form_path)).text}
    assert re.search(r"<textarea[^>]*>Quality &lt;script&gt;", pages[form_path]), (
        "the saved answer is shown again"
    )
    await browser.sign_in(tenant)
    for path in html_routes(app, "GET"):
        if token_link(path):
            continue
        url = fill(path, values)
        response = await browser.get(url)
        if response.headers.get("content-type", "").startswith("text/html"):
            pages[url] = response.text
    raw = [f"{url}: {marker}" for url, text in pages.items() for marker in RAW if marker in text]
    assert not raw, "payload rendered as markup:\n" + "\n".join(raw)
    shown = [url for url, text in pages.items() if any(e in text for e in ESCAPED)]
    # the payload is really on the pages (so the check above means something)
    for expected in (
        form_path,
        f"/app/credentials/{ids['credential_id']}",
        f"/app/surveys/{ids['survey_id']}",
        f"/app/alerts/{alert_id}",
        "/app/settings/tokens",
        "/app/settings/users",
        "/app/sources",
    ):
        assert expected in shown, f"{expected} does not show the stored text (shown on: {shown})"


def _ctdl_framework() -> bytes:
    """A CTDL competency framework whose every text is hostile (names, description, competency texts)."""
    import json
    import uuid

    ctid = f"ce-{uuid.uuid4()}"
    fid = f"https://credentialengineregistry.org/resources/{ctid}"
    nodes = [
        {
            "@id": fid,
            "@type": "ceasn:CompetencyFramework",
            "ceterms:ctid": ctid,
            "ceasn:name": {"en": f"Framework {PAYLOAD}"},
            "ceasn:description": {"en": PAYLOAD},
            "ceasn:inLanguage": ["en"],
        }
    ]
    for text in (f"Configure networks {PAYLOAD}", f"Write SQL queries {PAYLOAD}"):
        cid = f"ce-{uuid.uuid4()}"
        nodes.append(
            {
                "@id": f"https://credentialengineregistry.org/resources/{cid}",
                "@type": "ceasn:Competency",
                "ceterms:ctid": cid,
                "ceasn:competencyText": {"en": text},
                "ceasn:isPartOf": [fid],
            }
        )
    return json.dumps(
        {"@context": "https://credreg.net/ctdlasn/schema/context/json", "@graph": nodes}
    ).encode()


async def test_hostile_text_in_an_imported_ctdl_framework_is_escaped(
    app, admin_api, tenant, browser: Browser
):
    imported = await admin_api.post(
        "/api/v1/credentials/import",
        content=_ctdl_framework(),
        headers={"content-type": "application/ld+json"},
    )
    assert imported.status_code in (200, 201), imported.text[:300]
    listed = (await admin_api.get("/api/v1/credentials")).json()
    [credential_id] = [c["id"] for c in listed["items"] if c["name"].startswith("Framework ")]
    await browser.sign_in(tenant)
    for url in (f"/app/credentials/{credential_id}", "/app/"):
        page = await browser.get(url)
        assert page.status_code == 200, f"{url}: {page.status_code}"
        assert not [m for m in RAW if m in page.text], f"{url} renders the imported text as markup"
    shown = await browser.get(f"/app/credentials/{credential_id}")
    assert all(e in shown.text for e in ESCAPED)
