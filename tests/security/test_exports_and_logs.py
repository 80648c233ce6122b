"""Survey exports never hand a spreadsheet a formula, and no secret or token reaches a log record."""

from __future__ import annotations

import io
import logging
import re

from openpyxl import load_workbook

from service import logredact
from tests.security.support import Browser
from tests.support.seeds_surveys import answer_all, create_open_survey, form_body, path_of, question_codes

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


async def _submitted_with(api, app, tenant, client, employer: str, text: str) -> int:  # noqa: ANN001
    survey = await create_open_survey(api, app, tenant, open_it=False)
    added = await api.post(
        f"/api/v1/surveys/{survey['id']}/questions", json={"kind": "text", "text": "Anything?"}
    )
    assert added.status_code in (200, 201), added.text
    assert (await api.post(f"/api/v1/surveys/{survey['id']}/open")).status_code == 200
    issued = await api.post(
        f"/api/v1/surveys/{survey['id']}/invitations",
        json={"invitees": [{"employer": employer, "name": employer}], "send_email": False},
    )
    path = path_of(issued.json()[0]["url"])
    survey = (await api.get(f"/api/v1/surveys/{survey['id']}")).json()
    text_codes = [q["code"] for q in survey["questions"] if q["kind"] == "text"]
    done = await answer_all(client, path, survey, choose={code: text for code in text_codes})
    assert done.status_code == 200, done.text[:300]
    return survey["id"]


def _csv_cells(body: str) -> list[str]:
    import csv

    return [cell for row in csv.reader(io.StringIO(body)) for cell in row]


async def test_exports_neutralise_formula_cells(app, api, tenant, client, browser: Browser):
    failures = []
    checked = 0
    for formula in FORMULAS:
        survey_id = await _submitted_with(api, app, tenant, client, formula, formula)
        await browser.sign_in(tenant) if not browser.csrf else None
        for url in (f"/api/v1/surveys/{survey_id}/responses.csv", f"/app/surveys/{survey_id}/responses.csv"):
            response = await (api.get(url) if url.startswith("/api") else browser.get(url))
            assert response.status_code == 200, f"{url}: {response.status_code}"
            cells = _csv_cells(response.text)
            assert any(formula.strip() in cell for cell in cells), f"{url}: the answer is not in the export"
            failures += [f"{url}: {cell!r}" for cell in cells if cell.startswith(DANGEROUS)]
            checked += 1
        for url in (
            f"/api/v1/surveys/{survey_id}/responses.xlsx",
            f"/app/surveys/{survey_id}/responses.xlsx",
        ):
            response = await (api.get(url) if url.startswith("/api") else browser.get(url))
            assert response.status_code == 200, f"{url}: {response.status_code}"
            sheet = load_workbook(io.BytesIO(response.content)).active
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f" or (
                        isinstance(cell.value, str) and cell.value.startswith(DANGEROUS)
                    ):
                        failures.append(f"{url}: {cell.coordinate} {cell.value!r} ({cell.data_type})")
            checked += 1
    assert checked == 4 * len(FORMULAS)
    assert not failures, "\n".join(failures)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_secrets_and_tokens_never_reach_the_logs(app, api, admin_api, tenant, client, browser: Browser):
    """A handler is attached as the server's are (before logredact.install runs at start-up), everything logs
    at DEBUG, and the test uses every kind of secret: API tokens (valid and not), a password at sign-in and
    for a new user, a freshly issued token, survey links (GET, POST, opt-out), a webhook secret."""
    collect = _Collect()
    collect.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(exc_text)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(collect)
    root.setLevel(logging.DEBUG)
    logredact.install()
    secrets: list[str] = [tenant.admin_token, tenant.designer_token, tenant.password]
    try:
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {tenant.viewer_token}"})
        secrets.append(tenant.viewer_token)
        forged = "sp_" + "Z" * 43
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
        secrets.append(forged)
        await browser.get("/app/login")
        await browser.post("/app/login", {"email": tenant.admin_email, "password": "wrong-password-here-123"})
        secrets.append("wrong-password-here-123")
        await browser.sign_in(tenant)
        issued = await admin_api.post("/api/v1/tokens", json={"name": "ci"})
        secrets.append(issued.json()["token"])
        user_password = "new-user-password-4567"
        await admin_api.post(
            "/api/v1/users", json={"email": "logs@example.org", "role": "viewer", "password": user_password}
        )
        secrets.append(user_password)
        webhook_secret = "whsec-" + "Q" * 30
        made = await admin_api.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "events": ["alert.opened"], "secret": webhook_secret},
        )
        assert made.status_code in (200, 201), made.text
        secrets.append(webhook_secret)
        bad_hook = await admin_api.post(
            "/api/v1/webhooks", json={"url": "ftp://x", "secret": webhook_secret + "X"}
        )
        assert bad_hook.status_code == 400
        secrets.append(webhook_secret + "X")
        survey = await create_open_survey(api, app, tenant, competencies=1)
        links = await api.post(
            f"/api/v1/surveys/{survey['id']}/invitations",
            json={"invitees": [{"employer": "A"}, {"employer": "B"}], "send_email": False},
        )
        paths = [path_of(item["url"]) for item in links.json()]
        secrets += [p.rsplit("/", 1)[1] for p in paths]
        page = await client.get(paths[0])
        await client.post(
            paths[0], data=form_body(page.text, {question_codes(page.text)[0]: "not-a-choice"}, "next")
        )
        await client.get(paths[1] + "/opt-out")
        await client.post(
            paths[1] + "/opt-out",
            data={"_csrf_token": re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)},
        )
    finally:
        root.removeHandler(collect)
        root.setLevel(old_level)
    text = "\n".join(collect.lines)
    assert len(collect.lines) >= 10, "the handler saw the requests' log records"
    leaked = [s for s in secrets if s in text]
    assert not leaked, (
        f"{len(leaked)} secrets in the logs, e.g. {leaked[0][:12]}…: "
        + next(line for line in collect.lines if leaked[0] in line)[:300]
    )
