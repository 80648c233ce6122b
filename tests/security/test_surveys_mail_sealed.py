"""Queued mail holds no live survey link: the stored body has a placeholder and the token sits encrypted
beside it; the link is completed at send time, so the mail a real SMTP server on loopback receives opens
the form."""

from __future__ import annotations

from sqlalchemy import insert, select, text

from service.db import session_scope
from surveys.mail import LINK_TOKEN, compose
from surveys.models import OutboxEmail
from surveys.outbox import flush_outbox
from tests.integration.test_surveys_mail import smtp_settings
from tests.support.seeds_surveys import (
    create_open_survey,
    fresh_survey_rate_limits,  # noqa: F401 - autouse fixture
    invite,
    path_of,
)
from tests.support.smtp import smtp_server


async def _raw_rows(app, invitation_id: int) -> list:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return list(
            await session.execute(
                text(
                    "SELECT kind, status, body, link_token FROM outbox_email "
                    "WHERE invitation_id = :id ORDER BY id"
                ),
                {"id": invitation_id},
            )
        )


async def test_stored_mail_has_no_token_and_the_sent_mail_has_a_working_link(api, app, tenant, client):
    survey = await create_open_survey(api, app, tenant, competencies=1, max_reminders=2)
    [issued] = await invite(api, survey["id"], 1, email=True)
    token = issued["token"]

    queued = await _raw_rows(app, issued["id"])
    assert [(r.kind, r.status) for r in queued] == [
        ("invitation", "pending"),
        ("reminder", "held"),
        ("reminder", "held"),
    ]
    for row in queued:
        assert token not in row.body and LINK_TOKEN in row.body
        assert token not in row.link_token and row.link_token.startswith("enc:v1:")

    with smtp_server() as server:
        await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
        [mail] = [m for m in server.received if m.recipients[0] == issued["email"]]
    assert issued["url"] in mail.body and issued["url"] + "/opt-out" in mail.body
    assert LINK_TOKEN not in mail.body
    assert mail.message["List-Unsubscribe"] == f"<{issued['url']}/opt-out>"
    form = await client.get(path_of(issued["url"]))
    assert form.status_code == 200 and "<form" in form.text

    after = await _raw_rows(app, issued["id"])
    assert after[0].status == "sent" and after[0].link_token is None and token not in after[0].body
    assert all(r.status == "held" and r.link_token.startswith("enc:v1:") for r in after[1:])


async def test_mail_queued_before_links_were_sealed_is_still_sent_then_scrubbed(api, app, tenant):
    """A row written by an older release (live link in the body, no link_token) goes out as it was stored."""
    survey = await create_open_survey(api, app, tenant, competencies=1)
    [issued] = await invite(api, survey["id"], 1, email=False)
    subject, body = compose("invitation", "en", "Legacy", "Ana", issued["url"], issued["url"] + "/opt-out")
    async with session_scope(app.state.engine) as session:
        await session.execute(
            insert(OutboxEmail).values(
                org_id=tenant.org_id,
                invitation_id=issued["id"],
                kind="invitation",
                to_address="legacy@employer.example",
                subject=subject,
                body=body,
                status="pending",
            )
        )
    with smtp_server() as server:
        await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
        [mail] = [m for m in server.received if m.recipients[0] == "legacy@employer.example"]
    assert issued["url"] in mail.body
    async with session_scope(app.state.engine) as session:
        row = await session.scalar(select(OutboxEmail).where(OutboxEmail.invitation_id == issued["id"]))
    assert row.status == "sent" and issued["token"] not in row.body
