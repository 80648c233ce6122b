"""Records the dashboard's pages show, made directly as rows (the drift pipeline that makes them for real is
exercised by the demo and its browser test); the matrix seeds of the dashboard's own path parameters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar

from service.credentials.models import Competency, CompetencySkill, Credential
from service.db import session_scope
from service.demand.alerts import fingerprint
from service.demand.models import Alert, AlertEvent
from tests.support.factories import Tenant

EVIDENCE_WINDOWS = {
    "current": {"from": "2026-08-26", "to": "2026-11-23"},
    "baseline": {"from": "2025-11-29", "to": "2026-08-25"},
}


async def make_credential(
    app: Litestar,
    tenant: Tenant,
    name: str = "Cloud Support Certificate",
    competency: str = "Configure Linux servers",
) -> tuple[int, int, int]:
    """A credential with one competency and one suggested link: (credential id, competency id, link id)."""
    async with session_scope(app.state.engine) as session:
        credential = Credential(
            org_id=tenant.org_id, name=name, description=f"About {name}", occupations=["15-1232.00"]
        )
        session.add(credential)
        await session.flush()
        comp = Competency(org_id=tenant.org_id, credential_id=credential.id, text=competency, position=0)
        session.add(comp)
        await session.flush()
        link = CompetencySkill(
            org_id=tenant.org_id,
            competency_id=comp.id,
            concept_id="http://example.org/linux",
            concept_label="Linux",
            score=0.9,
            method="concept",
            status="suggested",
        )
        session.add(link)
        await session.flush()
        return credential.id, comp.id, link.id


async def make_alert(
    app: Litestar,
    tenant: Tenant,
    credential_id: int,
    *,
    title: str = "Employers ask for Kubernetes",
    kind: str = "emerging_skill",
    severity: str = "high",
    subject: str = "k8s",
    snippet: str = "You will run Kubernetes clusters in production.",
) -> int:
    start = snippet.find("Kubernetes") if "Kubernetes" in snippet else 0
    evidence = {
        "windows": EVIDENCE_WINDOWS,
        "postings": {"baseline": 1380, "current": 412},
        "counts": {"baseline": 41, "current": 99},
        "shares": {"baseline": 0.0297, "current": 0.2403},
        "q_value": 0.00001,
        "tests": 40,
        "concept": {"id": subject, "label": "Kubernetes"},
        "snippets": [
            {
                "posting_id": 1,
                "title": "Cloud engineer",
                "employer": "Acme",
                "posted_at": "2026-11-01",
                "snippet": snippet,
                "match_start": start,
                "match_end": start + 10,
                "requirement": "required",
            }
        ],
        "survey_quotes": [],
    }
    async with session_scope(app.state.engine) as session:
        alert = Alert(
            org_id=tenant.org_id,
            credential_id=credential_id,
            kind=kind,
            concept_id=subject,
            fingerprint=fingerprint(credential_id, kind, subject),
            severity=severity,
            title=title,
            evidence=evidence,
            opened_at=datetime.now(UTC) - timedelta(days=1),
        )
        session.add(alert)
        await session.flush()
        session.add(
            AlertEvent(
                org_id=tenant.org_id,
                alert_id=alert.id,
                event="opened",
                to_status="open",
                note="raised by a drift run",
            )
        )
        return alert.id


async def seed_alert(app: Litestar, tenant: Tenant) -> int:
    credential_id, _, _ = await make_credential(app, tenant, name="Seeded credential")
    return await make_alert(app, tenant, credential_id)


async def seed_user(app: Litestar, tenant: Tenant) -> int:
    """The tenant's designer (the user admin pages' user_id)."""
    from sqlalchemy import select

    from service.auth.models import User

    async with session_scope(app.state.engine) as session:
        return await session.scalar(select(User.id).where(User.email == tenant.designer_email))


SEEDS = {"alert_id": seed_alert, "user_id": seed_user}
BODIES = {"updateUser": {"role": "viewer"}}


async def seed_script_everywhere(engine, org_id: int, script: str, today) -> dict[str, int]:  # noqa: ANN001
    """A `<script>` in each text field a dashboard page shows: credential name and description, competency
    text, link label, posting text (an alert snippet), alert title and note, survey title, an answer."""
    from service.credentials.survey_source import CREDENTIALS_FOR_SURVEYS
    from service.postings.models import Posting
    from surveys.models import (
        SurveyAnswer,
        SurveyInvitation,
        SurveyQuestion,
        SurveyResponse,
        SurveySkillMention,
    )
    from surveys.schemas import SurveyCreate
    from surveys.store import create_survey
    from surveys.tokens import new_token, token_hash

    posting_text = f"Hiring now. {script} Experience with Kubernetes is required."
    start = posting_text.index("Kubernetes")
    async with session_scope(engine) as session:
        credential = Credential(
            org_id=org_id, name=f"Script credential {script}", description=script, occupations=["15-1232.00"]
        )
        session.add(credential)
        await session.flush()
        comp = Competency(org_id=org_id, credential_id=credential.id, text=f"Competency {script}", position=0)
        session.add(comp)
        await session.flush()
        session.add(
            CompetencySkill(
                org_id=org_id,
                competency_id=comp.id,
                concept_id="urn:x:script",
                concept_label=f"Label {script}",
                score=0.7,
                status="suggested",
            )
        )
        posting = Posting(
            org_id=org_id,
            source="script-test",
            external_id="1",
            title=f"Title {script}",
            employer=f"Employer {script}",
            text=posting_text,
            occupation_code="15-1232.00",
            posted_at=today,
            content_hash="f" * 64,
            extraction_status="done",
        )
        session.add(posting)
        await session.flush()
        evidence = {
            "windows": EVIDENCE_WINDOWS,
            "postings": {"baseline": 100, "current": 50},
            "shares": {"baseline": 0.02, "current": 0.3},
            "q_value": 0.001,
            "tests": 5,
            "concept": {"id": "k8s", "label": f"Kubernetes {script}"},
            "snippets": [
                {
                    "posting_id": posting.id,
                    "title": posting.title,
                    "employer": posting.employer,
                    "posted_at": today.isoformat(),
                    "snippet": posting_text,
                    "match_start": start,
                    "match_end": start + 10,
                    "requirement": "required",
                }
            ],
            "survey_quotes": [{"text": f"Quote {script}", "employer": f"Employer {script}"}],
        }
        alert = Alert(
            org_id=org_id,
            credential_id=credential.id,
            kind="emerging_skill",
            concept_id="k8s",
            fingerprint=fingerprint(credential.id, "emerging_skill", "k8s-script"),
            severity="high",
            title=f"Alert {script}",
            evidence=evidence,
        )
        session.add(alert)
        await session.flush()
        session.add(
            AlertEvent(
                org_id=org_id,
                alert_id=alert.id,
                event="note",
                from_status="open",
                to_status="open",
                note=f"Note {script}",
            )
        )
        survey, questions = await create_survey(
            session, org_id, SurveyCreate(credential_id=credential.id), CREDENTIALS_FOR_SURVEYS
        )
        survey.status = "open"
        missing = next(q for q in questions if q.role == "missing")
        invitation = SurveyInvitation(
            org_id=org_id,
            survey_id=survey.id,
            employer=f"Employer {script}",
            token_hash=token_hash(new_token()),
            status="submitted",
        )
        session.add(invitation)
        await session.flush()
        response = SurveyResponse(
            org_id=org_id,
            survey_id=survey.id,
            invitation_id=invitation.id,
            status="submitted",
            submitted_at=datetime.now(UTC),
            extraction_status="done",
        )
        session.add(response)
        await session.flush()
        answer = f"Graduates lack Kubernetes. {script}"
        session.add(
            SurveyAnswer(org_id=org_id, response_id=response.id, question_id=missing.id, value=answer)
        )
        session.add(
            SurveySkillMention(
                org_id=org_id,
                survey_id=survey.id,
                response_id=response.id,
                question_id=missing.id,
                start=16,
                end=26,
                text="Kubernetes",
                concept_id="k8s",
                concept_label=f"Kubernetes {script}",
            )
        )
        return {
            "credential_id": credential.id,
            "alert_id": alert.id,
            "survey_id": survey.id,
            "posting_id": posting.id,
            "question_id": SurveyQuestion.__tablename__ and missing.id,
        }
