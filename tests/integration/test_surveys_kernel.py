"""What surveys takes from the kernel and the service: the kernel's `Input` (NUL characters dropped on every
survey body) and the `CredentialSource` port a survey reads its credential through (live competencies only,
the organisation's credentials only), over real foreign keys."""

from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from service.credentials.models import Competency, Credential
from service.db import session_scope
from surveys.models import Survey, SurveyInvitation, SurveyQuestion
from tests.support.seeds_surveys import (
    fresh_survey_rate_limits,  # noqa: F401 - autouse fixture
    make_credential,
)


async def test_nul_characters_in_survey_bodies_are_dropped(api, app, tenant):
    credential_id = await make_credential(app.state.engine, tenant.org_id, 2)
    created = await api.post(
        "/api/v1/surveys",
        json={
            "credential_id": credential_id,
            "title": "Weld\u0000ing employers",
            "intro": "Hello\u0000 there",
        },
    )
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert created.json()["title"] == "Welding employers" and created.json()["intro"] == "Hello there"
    patched = await api.patch(f"/api/v1/surveys/{sid}", json={"title_es": "Solda\u0000dura"})
    assert patched.status_code == 200, patched.text
    added = await api.post(
        f"/api/v1/surveys/{sid}/questions",
        json={
            "code": "tools",
            "kind": "single",
            "text": "Which\u0000 tool?",
            "options": [{"value": "a\u0000", "label": "Arc\u0000"}, {"value": "b", "label": "Gas"}],
        },
    )
    assert added.status_code == 201, added.text
    await api.post(f"/api/v1/surveys/{sid}/open")
    invited = await api.post(
        f"/api/v1/surveys/{sid}/invitations",
        json={
            "invitees": [{"employer": "Acme\u0000 Steel", "name": "Pat\u0000", "email": "pat@example.com"}]
        },
    )
    assert invited.status_code == 201, invited.text
    async with session_scope(app.state.engine) as session:
        survey = await session.get(Survey, sid)
        question = await session.scalar(
            select(SurveyQuestion).where(SurveyQuestion.survey_id == sid, SurveyQuestion.code == "tools")
        )
        invitation = await session.scalar(select(SurveyInvitation).where(SurveyInvitation.survey_id == sid))
    assert survey is not None and (survey.title, survey.title_es) == ("Welding employers", "Soldadura")
    assert question is not None and question.text == "Which tool?"
    assert question.options[0]["value"] == "a" and question.options[0]["label"] == "Arc"
    assert invitation is not None and (invitation.employer, invitation.name) == ("Acme Steel", "Pat")


async def test_a_survey_reads_only_live_competencies_of_a_live_credential(api, app, tenant):
    credential_id = await make_credential(app.state.engine, tenant.org_id, 3, name="Welding Certificate")
    async with session_scope(app.state.engine) as session:
        first = await session.scalar(
            select(Competency.id)
            .where(Competency.credential_id == credential_id)
            .order_by(Competency.position)
        )
        await session.execute(
            update(Competency).where(Competency.id == first).values(deleted_at=datetime.now(UTC))
        )
    survey = (await api.post("/api/v1/surveys", json={"credential_id": credential_id})).json()
    importance = [q["competency_id"] for q in survey["questions"] if q["role"] == "importance"]
    assert len(importance) == 2 and first not in importance
    assert "Welding Certificate" in survey["title"]

    assert (await api.delete(f"/api/v1/credentials/{credential_id}")).status_code in (200, 204)
    gone = await api.post("/api/v1/surveys", json={"credential_id": credential_id})
    assert gone.status_code == 404 and f"credential {credential_id}" in gone.json()["detail"]


async def test_the_survey_foreign_keys_are_real(api, app, tenant):
    """Removing a credential's rows for good clears the survey's and its questions' links (ON DELETE SET
    NULL), on PostgreSQL and on SQLite alike."""
    credential_id = await make_credential(app.state.engine, tenant.org_id, 2)
    survey = (await api.post("/api/v1/surveys", json={"credential_id": credential_id})).json()
    assert all(q["competency_id"] for q in survey["questions"] if q["role"] == "importance")
    async with session_scope(app.state.engine) as session:
        await session.execute(delete(Competency).where(Competency.credential_id == credential_id))
        await session.execute(delete(Credential).where(Credential.id == credential_id))
    read = (await api.get(f"/api/v1/surveys/{survey['id']}")).json()
    assert read["credential_id"] is None
    assert all(q["competency_id"] is None for q in read["questions"])
