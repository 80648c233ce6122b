"""Survey test data: a credential with competencies (written with Core on the service's tables, as the
credentials API would store it), a survey generated from it, and seeds for the authorisation matrix."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from litestar import Litestar
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import service.models  # noqa: F401 - every table on SQLModel.metadata
from service.credentials.survey_source import CREDENTIALS_FOR_SURVEYS
from service.db import session_scope
from surveys import invitations, store
from surveys.models import SurveyInvitation, SurveyQuestion
from surveys.schemas import InvitationsCreate, Invitee, SurveyCreate
from tests.support.factories import Tenant

COMPETENCIES = [
    ("Configure and troubleshoot local area networks", "Networking"),
    ("Write SQL queries to report on relational databases", "Databases"),
    ("Install and secure Windows and Linux workstations", "Systems"),
    ("Explain technical problems to non-technical users", "Communication"),
    ("Document incidents in a ticketing system", "Service management"),
    ("Apply basic cybersecurity hygiene and least privilege", "Security"),
    ("Automate routine tasks with Python scripts", "Scripting"),
]


async def make_credential(
    engine: AsyncEngine, org_id: int, competencies: int | None = None, name: str | None = None
) -> int:
    """A credential with competencies in the credential tables; returns its id."""
    tables = SQLModel.metadata.tables
    now = datetime.now(UTC)
    chosen = COMPETENCIES if competencies is None else (COMPETENCIES * 10)[:competencies]
    async with session_scope(engine) as session:
        credential_id = (
            await session.execute(
                insert(tables["credential"])
                .values(
                    org_id=org_id,
                    name=name or f"IT Support Certificate {uuid.uuid4().hex[:6]}",
                    description="",
                    type="Certificate",
                    occupations=["15-1232.00"],
                    region="Ohio",
                    language="en",
                    source_format="json",
                    extra={},
                    created_at=now,
                    updated_at=now,
                )
                .returning(tables["credential"].c.id)
            )
        ).scalar_one()
        if chosen:
            await session.execute(
                insert(tables["competency"]),
                [
                    {
                        "org_id": org_id,
                        "credential_id": credential_id,
                        "text": text,
                        "label": label,
                        "position": i,
                        "text_hash": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i, (text, label) in enumerate(chosen)
                ],
            )
    return credential_id


_surveys: dict[int, int] = {}


async def seed_survey(app: Litestar, tenant: Tenant) -> int:
    if tenant.org_id not in _surveys:
        credential_id = await make_credential(app.state.engine, tenant.org_id, 3)
        async with session_scope(app.state.engine) as session:
            survey, _ = await store.create_survey(
                session, tenant.org_id, SurveyCreate(credential_id=credential_id), CREDENTIALS_FOR_SURVEYS
            )
            _surveys[tenant.org_id] = survey.id
    return _surveys[tenant.org_id]


async def seed_question(app: Litestar, tenant: Tenant) -> int:
    survey_id = await seed_survey(app, tenant)
    async with session_scope(app.state.engine) as session:
        return (
            await session.scalars(select(SurveyQuestion.id).where(SurveyQuestion.survey_id == survey_id))
        ).first()


async def seed_invitation(app: Litestar, tenant: Tenant) -> int:
    survey_id = await seed_survey(app, tenant)
    async with session_scope(app.state.engine) as session:
        existing = (
            await session.scalars(select(SurveyInvitation.id).where(SurveyInvitation.survey_id == survey_id))
        ).first()
        if existing:
            return existing
        survey = await store.get_survey(session, tenant.org_id, survey_id)
        issued = await invitations.create_invitations(
            session,
            survey,
            InvitationsCreate(invitees=[Invitee(employer="Seed Co")], send_email=False),
            "http://x",
            app.state.keyring,
        )
        return issued[0].id


SEEDS = {"survey_id": seed_survey, "question_id": seed_question, "invitation_id": seed_invitation}
BODIES = {
    "updateSurvey": {"title": "Renamed"},
    "addSurveyQuestion": {"kind": "text", "text": "Anything else?"},
    "updateSurveyQuestion": {"text": "Changed"},
    "reorderSurveyQuestions": {"question_ids": [1]},
    "createSurveyInvitations": {
        "invitees": [{"employer": "Acme", "name": "Ana", "email": "ana@example.org"}]
    },
    "updateSurveyInvitation": {"bounced": True},
}


# --- The public form driven over HTTP, as a browser without JavaScript would -------------------------------

import re  # noqa: E402

from selectolax.lexbor import LexborHTMLParser as HTMLParser  # noqa: E402

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def hidden(html: str, name: str) -> str | None:
    node = HTMLParser(html).css_first(f'input[type=hidden][name="{name}"]')
    return node.attributes.get("value") if node else None


def question_codes(html: str) -> list[str]:
    """Codes of the questions on a rendered page, in order."""
    seen: list[str] = []
    for node in HTMLParser(html).css("form.survey-form [name^='q_']"):
        code = node.attributes["name"][2:]
        if code not in seen:
            seen.append(code)
    return seen


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3] if url.startswith("http") else url


async def create_open_survey(api, app, tenant, competencies: int = 7, open_it: bool = True, **extra) -> dict:  # noqa: ANN001
    credential_id = await make_credential(app.state.engine, tenant.org_id, competencies)
    created = await api.post("/api/v1/surveys", json={"credential_id": credential_id, **extra})
    assert created.status_code == 201, created.text
    survey = created.json()
    if open_it:
        opened = await api.post(f"/api/v1/surveys/{survey['id']}/open")
        assert opened.status_code == 200, opened.text
        survey = opened.json()
    return survey


async def invite(
    api, survey_id: int, count: int = 1, email: bool = False, language: str = "en"
) -> list[dict]:  # noqa: ANN001
    invitees = [
        {
            "employer": f"Employer {i}",
            "name": f"Person {i}",
            "language": language,
            **({"email": f"person{i}-{uuid.uuid4().hex[:6]}@example.org"} if email else {}),
        }
        for i in range(count)
    ]
    response = await api.post(
        f"/api/v1/surveys/{survey_id}/invitations", json={"invitees": invitees, "send_email": email}
    )
    assert response.status_code == 201, response.text
    return response.json()


def answers_for(codes: list[str], survey: dict, choose: dict | None = None) -> dict[str, object]:
    """A plausible answer for each question code (choose overrides)."""
    by_code = {q["code"]: q for q in survey["questions"]}
    out: dict[str, object] = {}
    for code in codes:
        if choose and code in choose:
            out[code] = choose[code]
            continue
        q = by_code[code]
        if q["kind"] == "text":
            out[code] = "Troubleshooting printers and writing SQL reports"
        elif q["kind"] == "number":
            out[code] = "3"
        elif q["kind"] == "multiple":
            out[code] = [q["options"][0]["value"]]
        elif q["kind"] == "rating":
            out[code] = "4"
        else:
            out[code] = q["options"][0]["value"]
    return out


def form_body(html: str, answers: dict[str, object], action: str) -> dict[str, object]:
    body: dict[str, object] = {
        "_csrf_token": csrf_token(html),
        "page": hidden(html, "page") or "1",
        "lang": hidden(html, "lang") or "en",
        "action": action,
    }
    for code, value in answers.items():
        body[f"q_{code}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return body


async def answer_all(client, path: str, survey: dict, choose: dict | None = None):  # noqa: ANN001, ANN201
    """Walk every page of the form and submit; returns the final response."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    for _ in range(50):
        html = page.text
        codes = question_codes(html)
        action = "submit" if 'value="submit"' in html else "next"
        page = await client.post(path, data=form_body(html, answers_for(codes, survey, choose), action))
        if page.status_code == 303:
            page = await client.get(page.headers["location"])
            continue
        return page
    raise AssertionError("the form never ended")


@pytest.fixture(autouse=True)
def fresh_survey_rate_limits(app):  # noqa: ANN001, ANN201
    """Each test starts with empty rate-limit counters: the whole suite shares one client address."""
    app.state["survey_rate_limiter"] = None
    yield
