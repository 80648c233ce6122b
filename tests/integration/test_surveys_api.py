"""Designers' survey API: generation from a credential, draft editing, open/close, invitations."""

from sqlalchemy import func, select

from service.db import session_scope
from surveys.models import OutboxEmail, SurveyInvitation
from surveys.tokens import token_hash
from tests.support.seeds_surveys import (
    create_open_survey,
    fresh_survey_rate_limits,  # noqa: F401 - autouse fixture
    invite,
    make_credential,
)


async def test_survey_generated_from_credential(api, app, tenant):
    credential_id = await make_credential(app.state.engine, tenant.org_id, 7, name="Network Technician")
    response = await api.post("/api/v1/surveys", json={"credential_id": credential_id})
    assert response.status_code == 201, response.text
    survey = response.json()
    assert survey["status"] == "draft" and "Network Technician" in survey["title"] and survey["title_es"]
    roles = [q["role"] for q in survey["questions"]]
    assert roles.count("importance") == 7
    assert {
        "missing",
        "recognition",
        "outlook_roles",
        "outlook_hires",
        "sector",
        "size",
        "region",
        "partnership",
    } <= set(roles)
    importance = [q for q in survey["questions"] if q["role"] == "importance"]
    assert all(q["competency_id"] for q in importance)
    assert "Configure and troubleshoot local area networks" in importance[0]["text"]
    assert (await api.get(f"/api/v1/surveys/{survey['id']}")).json()["questions"] == survey["questions"]
    assert any(s["id"] == survey["id"] for s in (await api.get("/api/v1/surveys?status=draft")).json())


async def test_unknown_or_foreign_credential_is_404_and_bad_bodies_are_400(api, other_api, app, tenant):
    credential_id = await make_credential(app.state.engine, tenant.org_id, 2)
    assert (await other_api.post("/api/v1/surveys", json={"credential_id": credential_id})).status_code == 404
    assert (await api.post("/api/v1/surveys", json={"credential_id": 99999999})).status_code == 404
    bad = await api.post("/api/v1/surveys", json={"credential_id": credential_id, "org_id": 5})
    assert bad.status_code == 400 and "org_id" in bad.json()["detail"]
    bad = await api.post(
        "/api/v1/surveys", json={"credential_id": credential_id, "closes_at": "2001-01-01T00:00:00Z"}
    )
    assert bad.status_code == 400 and "future" in bad.json()["detail"]
    assert (await api.get("/api/v1/surveys?status=weird")).status_code == 400


async def test_draft_editing_add_edit_reorder_remove(api, app, tenant):
    survey = await create_open_survey(api, app, tenant, competencies=2, open_it=False)
    sid = survey["id"]
    added = await api.post(
        f"/api/v1/surveys/{sid}/questions",
        json={
            "code": "uses_cloud",
            "kind": "single",
            "text": "Do you use cloud services?",
            "text_es": "¿Usa servicios en la nube?",
            "options": [
                {"value": "yes", "label": "Yes", "label_es": "Sí"},
                {"value": "no", "label": "No", "label_es": "No"},
            ],
            "required": True,
            "page": 1,
            "position": 1,
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["position"] == 1
    follow = await api.post(
        f"/api/v1/surveys/{sid}/questions",
        json={
            "code": "which_cloud",
            "kind": "multiple",
            "text": "Which?",
            "page": 2,
            "options": [{"value": "aws", "label": "AWS"}, {"value": "azure", "label": "Azure"}],
            "show_if": {"code": "uses_cloud", "in": ["yes"]},
        },
    )
    assert follow.status_code == 201, follow.text
    for body, words in [
        ({"kind": "rating", "text": "Rate"}, None),
        ({"kind": "number", "text": "How many?", "min_value": 0, "max_value": 10, "integer": True}, None),
        (
            {"kind": "text", "text": "Why?", "show_if": {"code": "uses_cloud", "in": ["yes"]}, "page": 1},
            "earlier page",
        ),
        ({"kind": "single", "text": "One option", "options": [{"value": "a", "label": "A"}]}, "at least 2"),
        (
            {"kind": "text", "text": "x", "show_if": {"code": "nope", "in": ["a"]}, "page": 3},
            "not an earlier question",
        ),
        ({"kind": "essay", "text": "x"}, "kind"),
        ({"code": "uses_cloud", "kind": "text", "text": "dup"}, "already exists"),
    ]:
        response = await api.post(f"/api/v1/surveys/{sid}/questions", json=body)
        if words is None:
            assert response.status_code == 201, response.text
        else:
            assert response.status_code in (400, 409) and words in response.json()["detail"], (
                body,
                response.text,
            )
    qid = added.json()["id"]
    edited = await api.patch(
        f"/api/v1/surveys/{sid}/questions/{qid}",
        json={"text": "Do you rely on cloud services?", "required": False},
    )
    assert (
        edited.status_code == 200
        and edited.json()["text"] == "Do you rely on cloud services?"
        and not edited.json()["required"]
    )
    current = (await api.get(f"/api/v1/surveys/{sid}")).json()["questions"]
    ids = [q["id"] for q in current]
    breaks_show_if = await api.post(
        f"/api/v1/surveys/{sid}/questions/order", json={"question_ids": ids[1:] + ids[:1]}
    )
    assert breaks_show_if.status_code == 400 and "which_cloud" in breaks_show_if.json()["detail"]
    moved = await api.post(
        f"/api/v1/surveys/{sid}/questions/order", json={"question_ids": ids[-1:] + ids[:-1]}
    )
    assert moved.status_code == 200 and [q["id"] for q in moved.json()] == ids[-1:] + ids[:-1]
    bad_order = await api.post(f"/api/v1/surveys/{sid}/questions/order", json={"question_ids": ids[:-1]})
    assert bad_order.status_code == 400
    # which_cloud shows after uses_cloud: uses_cloud cannot go while it depends on it
    assert (await api.delete(f"/api/v1/surveys/{sid}/questions/{qid}")).status_code == 409
    assert (await api.delete(f"/api/v1/surveys/{sid}/questions/{follow.json()['id']}")).status_code == 204
    assert (await api.delete(f"/api/v1/surveys/{sid}/questions/{qid}")).status_code == 204
    after = (await api.get(f"/api/v1/surveys/{sid}")).json()["questions"]
    assert [q["position"] for q in after] == list(range(1, len(after) + 1))
    opened = await api.post(f"/api/v1/surveys/{sid}/open")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    locked = await api.patch(f"/api/v1/surveys/{sid}/questions/{after[0]['id']}", json={"text": "late"})
    assert locked.status_code == 409
    assert (await api.post(f"/api/v1/surveys/{sid}/open")).status_code == 409
    assert (await api.post(f"/api/v1/surveys/{sid}/close")).json()["status"] == "closed"
    assert (await api.post(f"/api/v1/surveys/{sid}/close")).status_code == 409
    assert (
        await api.post(f"/api/v1/surveys/{sid}/invitations", json={"invitees": [{"name": "x"}]})
    ).status_code == 409


async def test_invitations_show_each_link_once_and_store_only_a_hash(api, app, tenant, client):
    survey = await create_open_survey(api, app, tenant, competencies=2)
    issued = await invite(api, survey["id"], 3, email=True)
    assert len({i["token"] for i in issued}) == 3
    for item in issued:
        assert (
            item["url"].endswith("/s/" + item["token"]) and len(item["token"]) >= 32
        )  # ≥ 192 bits, base64url
    listed = (await api.get(f"/api/v1/surveys/{survey['id']}/invitations")).json()
    assert len(listed) == 3 and all("token" not in i and "url" not in i for i in listed)
    async with session_scope(app.state.engine) as session:
        rows = list(
            await session.scalars(select(SurveyInvitation).where(SurveyInvitation.survey_id == survey["id"]))
        )
        assert {r.token_hash for r in rows} == {token_hash(i["token"]) for i in issued}
        assert all(i["token"] not in r.token_hash for r in rows for i in issued)
        mails = await session.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.invitation_id.in_([r.id for r in rows]))
        )
        assert mails == 3 * (1 + survey["max_reminders"])
    bad = await api.post(
        f"/api/v1/surveys/{survey['id']}/invitations", json={"invitees": [{"email": "not-an-address"}]}
    )
    assert bad.status_code == 400 and "email" in bad.json()["detail"]
    assert (
        await api.post(f"/api/v1/surveys/{survey['id']}/invitations", json={"invitees": []})
    ).status_code == 400


async def test_viewer_reads_but_cannot_write(viewer_api, api, app, tenant):
    survey = await create_open_survey(api, app, tenant, competencies=1, open_it=False)
    assert (await viewer_api.get(f"/api/v1/surveys/{survey['id']}")).status_code == 200
    assert (await viewer_api.post(f"/api/v1/surveys/{survey['id']}/open")).status_code == 403
