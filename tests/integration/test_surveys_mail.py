"""The mail outbox against a real SMTP server on loopback: sending, the server down then back, bounces,
opt-out, reminders only to those who have not submitted, at most the set number."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from service.db import session_scope
from surveys.models import OutboxEmail, SurveyInvitation
from surveys.outbox import flush_outbox
from surveys.reminders import release_reminders
from surveys.settings import SmtpSettings
from tests.support.seeds_surveys import (
    answer_all,
    create_open_survey,
    fresh_survey_rate_limits,  # noqa: F401 - autouse fixture
    invite,
    path_of,
)
from tests.support.smtp import smtp_server


def smtp_settings(port: int, **kw) -> SmtpSettings:  # noqa: ANN003
    return SmtpSettings(
        host="127.0.0.1",
        port=port,
        from_address="surveys@college.example",
        timeout_seconds=5,
        retry_base_seconds=60,
        max_attempts=3,
        **kw,
    )


async def _mails(app, invitation_ids):  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return list(
            await session.scalars(
                select(OutboxEmail)
                .where(OutboxEmail.invitation_id.in_(invitation_ids))
                .order_by(OutboxEmail.id)
            )
        )


async def _due_now(app, invitation_ids):  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        await session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.invitation_id.in_(invitation_ids), OutboxEmail.status == "pending")
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )


async def test_invitations_are_sent_with_personal_link_and_opt_out(api, app, tenant):
    survey = await create_open_survey(api, app, tenant, competencies=1)
    issued = await invite(api, survey["id"], 2, email=True)
    ids = [i["id"] for i in issued]
    with smtp_server() as server:
        result = await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
        mine = [m for m in server.received if m.recipients[0] in {i["email"] for i in issued}]
    assert result.sent >= 2 and len(mine) == 2
    by_to = {m.recipients[0]: m for m in mine}
    for item in issued:
        mail = by_to[item["email"]]
        assert item["url"] in mail.body and item["url"] + "/opt-out" in mail.body
        assert mail.message["List-Unsubscribe"] == f"<{item['url']}/opt-out>"
        assert mail.message["Subject"].startswith("Your views on")
    rows = await _mails(app, ids)
    sent = [m for m in rows if m.kind == "invitation"]
    assert all(m.status == "sent" and m.sent_at and m.attempts == 1 for m in sent)
    assert all(i["token"] not in m.body for m in sent for i in issued)  # no usable link kept after sending
    assert {m.status for m in rows if m.kind == "reminder"} == {"held"}


async def test_server_down_then_back_loses_nothing(api, app, tenant):
    survey = await create_open_survey(api, app, tenant, competencies=1)
    issued = await invite(api, survey["id"], 3, email=True)
    ids = [i["id"] for i in issued]
    with smtp_server(running=False) as server:
        down = await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
        assert down.sent == 0 and down.retried >= 3
        rows = [m for m in await _mails(app, ids) if m.kind == "invitation"]
        assert all(
            m.status == "pending" and m.attempts == 1 and "cannot reach SMTP server" in m.error for m in rows
        )
        assert all(m.next_attempt_at > datetime.now(UTC) + timedelta(seconds=30) for m in rows)  # backed off
        early = await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
        assert early.sent == 0 and early.retried == 0  # not due yet: nothing hammers the server
        server.start()
        await _due_now(app, ids)
        back = await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
        assert back.sent >= 3
        assert {m.recipients[0] for m in server.received} >= {i["email"] for i in issued}
    rows = [m for m in await _mails(app, ids) if m.kind == "invitation"]
    assert all(m.status == "sent" and m.attempts == 2 for m in rows)


async def test_gives_up_after_max_attempts(api, app, tenant):
    survey = await create_open_survey(api, app, tenant, competencies=1)
    issued = await invite(api, survey["id"], 1, email=True)
    with smtp_server(running=False) as server:
        for _ in range(3):
            await _due_now(app, [issued[0]["id"]])
            await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
    invitation_mail = [m for m in await _mails(app, [issued[0]["id"]]) if m.kind == "invitation"][0]
    assert invitation_mail.status == "failed" and invitation_mail.attempts == 3


async def test_permanent_refusal_marks_bounce_and_stops_mail(api, app, tenant):
    survey = await create_open_survey(api, app, tenant, competencies=1)
    issued = await invite(api, survey["id"], 2, email=True)
    with smtp_server() as server:
        server.handler.refuse.add(issued[0]["email"])
        await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
        assert issued[1]["email"] in {m.recipients[0] for m in server.received}
    rows = await _mails(app, [issued[0]["id"]])
    assert {m.status for m in rows} == {"failed", "cancelled"}
    invitations = (await api.get(f"/api/v1/surveys/{survey['id']}/invitations")).json()
    assert next(i for i in invitations if i["id"] == issued[0]["id"])["bounced"] is True
    # a bounce reported later (from a bounce mailbox) through the API stops the other invitee's mail too
    marked = await api.patch(
        f"/api/v1/surveys/{survey['id']}/invitations/{issued[1]['id']}", json={"bounced": True}
    )
    assert marked.status_code == 200 and marked.json()["bounced"] is True
    assert {m.status for m in await _mails(app, [issued[1]["id"]]) if m.kind == "reminder"} == {"cancelled"}


async def test_draft_survey_mail_waits_until_open(api, app, tenant):
    survey = await create_open_survey(api, app, tenant, competencies=1, open_it=False)
    issued = await invite(api, survey["id"], 1, email=True)
    with smtp_server() as server:
        await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
        assert issued[0]["email"] not in {m.recipients[0] for m in server.received}
        await api.post(f"/api/v1/surveys/{survey['id']}/open")
        await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
        assert issued[0]["email"] in {m.recipients[0] for m in server.received}


async def test_reminders_only_to_non_respondents_and_at_most_the_set_number(api, app, tenant, client):
    survey = await create_open_survey(
        api, app, tenant, competencies=1, max_reminders=2, reminder_interval_days=3
    )
    issued = await invite(api, survey["id"], 3, email=True)
    answered, opted, waiting = issued
    with smtp_server() as server:
        settings = smtp_settings(server.port)
        await flush_outbox(app.state.sessionmaker, settings, app.state.keyring)
        assert "Thank you" in (await answer_all(client, path_of(answered["url"]), survey)).text
        opt_out_page = await client.get(path_of(opted["url"]) + "/opt-out")
        from tests.support.seeds_surveys import csrf_token

        await client.post(
            path_of(opted["url"]) + "/opt-out", data={"_csrf_token": csrf_token(opt_out_page.text)}
        )
        now = datetime.now(UTC)
        assert await release_reminders(app.state.sessionmaker, now) == 0  # too early: last mail was just now
        for round_number in (1, 2, 3):
            later = now + timedelta(days=3 * round_number + 1)
            async with session_scope(app.state.engine) as session:  # as if the last mail went out days ago
                await session.execute(
                    update(SurveyInvitation)
                    .where(SurveyInvitation.survey_id == survey["id"])
                    .values(last_mailed_at=later - timedelta(days=3, minutes=1))
                )
            await release_reminders(app.state.sessionmaker, later)
            await flush_outbox(app.state.sessionmaker, settings, app.state.keyring)
        mine = {i["email"] for i in issued}  # other tests' invitees may get reminders in these runs too
        reminders = [
            m
            for m in server.received
            if m.message["Subject"].startswith("Reminder") and m.recipients[0] in mine
        ]
    assert [m.recipients[0] for m in reminders] == [waiting["email"], waiting["email"]]
    assert waiting["url"] in reminders[0].body
    invitations = {i["id"]: i for i in (await api.get(f"/api/v1/surveys/{survey['id']}/invitations")).json()}
    assert invitations[waiting["id"]]["reminders_sent"] == 2
    assert (
        invitations[answered["id"]]["reminders_sent"] == 0
        and invitations[answered["id"]]["status"] == "submitted"
    )
    assert invitations[opted["id"]]["opted_out"] is True


async def test_no_mail_once_the_survey_has_expired(api, app, tenant):
    survey = await create_open_survey(api, app, tenant, competencies=1)
    issued = await invite(api, survey["id"], 1, email=True)
    from surveys.models import Survey

    async with session_scope(app.state.engine) as session:
        await session.execute(
            update(Survey)
            .where(Survey.id == survey["id"])
            .values(closes_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    with smtp_server() as server:
        await flush_outbox(app.state.sessionmaker, smtp_settings(server.port), app.state.keyring)
        assert issued[0]["email"] not in {m.recipients[0] for m in server.received}
    assert [m.status for m in await _mails(app, [issued[0]["id"]]) if m.kind == "invitation"] == ["pending"]


async def test_jobs_are_registered_with_the_scheduler(app):
    from service.scheduler import Scheduler
    from surveys.jobs import register

    scheduler = Scheduler(app.state.engine)
    register(scheduler, app)
    assert {"surveys.outbox", "surveys.reminders", "surveys.extraction"} <= set(scheduler.job_ids())
