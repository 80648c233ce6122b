"""Alert digests end to end: built from the alerts' history, queued in the outbox, sent to a real SMTP server
on loopback; once per user and period (a second pass, a second app instance at the same time); an empty period
sends nothing; the unsubscribe link works without signing in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from service.app import create_app
from service.crypto import keyring_of
from service.db import session_scope
from service.notifications.jobs import send_digests
from service.notifications.models import AlertDigest, NotificationPreference
from tests.support.clients import app_client
from tests.support.demand_data import make_credential
from tests.support.digests import BASE_URL, alert_with_history, digest_settings
from tests.support.smtp import smtp_server

PREFS = "/api/v1/me/notifications"
NOW = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # a Thursday: the daily digest covers Wednesday 25
DAY = datetime(2026, 11, 25, tzinfo=UTC)


async def _history(app, tenant, api) -> dict:  # noqa: ANN001
    """Two credentials, the designer following one daily; alerts opened, resolved, reopened and one older."""
    welding = await make_credential(app, tenant.org_id, "Welding Certificate", ["51-4121.00"])
    nursing = await make_credential(app, tenant.org_id, "Nursing AAS", ["29-1141.00"])
    followed = await api.request(
        "PUT", PREFS, json={"digest": "daily", "credentials": [welding.credential_id]}
    )
    assert followed.status_code == 200
    at = DAY + timedelta(hours=9)
    ids = {
        "opened": await alert_with_history(
            app, tenant.org_id, welding.credential_id, "Robotic welding", [("opened", None, "open", at, None)]
        ),
        "resolved": await alert_with_history(
            app,
            tenant.org_id,
            welding.credential_id,
            "Blueprint reading",
            [
                ("opened", None, "open", DAY - timedelta(days=20), None),
                (
                    "resolved",
                    "open",
                    "resolved",
                    at,
                    "Resolved by drift run 7 (postings and answers up to 2026-11-25): "
                    "employers no longer ask for \u201cBlueprint reading\u201d significantly more.",
                ),
            ],
        ),
        "reopened": await alert_with_history(
            app,
            tenant.org_id,
            welding.credential_id,
            "TIG welding",
            [
                ("opened", None, "open", DAY - timedelta(days=30), None),
                ("status", "open", "resolved", DAY - timedelta(days=10), "covered in module 4"),
                ("reopened", "resolved", "open", at, "new evidence since it was closed"),
            ],
        ),
        "older": await alert_with_history(
            app,
            tenant.org_id,
            welding.credential_id,
            "Pipe fitting",
            [("opened", None, "open", DAY - timedelta(hours=1), None)],
        ),
        "unfollowed": await alert_with_history(
            app, tenant.org_id, nursing.credential_id, "Telehealth", [("opened", None, "open", at, None)]
        ),
    }
    return {"welding": welding.credential_id, "nursing": nursing.credential_id, **ids}


def _mine(server, address: str) -> list:  # noqa: ANN001
    return [m for m in server.received if address in m.recipients]


async def test_a_daily_digest_tells_the_followed_changes_of_the_day_in_plain_words(
    app, tenant, api, database_url
):
    made = await _history(app, tenant, api)
    with smtp_server() as server:
        settings = digest_settings(database_url, server.port)
        counts = await send_digests(app.state.sessionmaker, settings, app.state.keyring, NOW)
        mails = _mine(server, tenant.designer_email)
    assert len(mails) == 1, [(m.message["Subject"], m.body) for m in mails]
    [mail] = mails
    assert counts["daily queued"] >= 1 and counts["mails sent"] >= 1
    body, message = mail.body, mail.message
    assert message["From"] == "alerts@college.example"
    assert (
        message["Subject"]
        == "skillpulse daily digest, Wednesday 25 November 2026: 1 opened, 1 reopened, 1 resolved"
    )
    assert "Welding Certificate" in body and f"{BASE_URL}/app/credentials/{made['welding']}" in body
    assert "- Opened: Robotic welding" in body and f"{BASE_URL}/app/alerts/{made['opened']}" in body
    assert "- Resolved: Blueprint reading" in body
    assert "Resolved by drift run 7 (postings and answers up to 2026-11-25): employers no longer ask" in body
    assert (
        "- Reopened: TIG welding" in body
        and "Reopened by a drift run: new evidence since it was closed." in body
    )
    assert "Emerging skill, high severity." in body
    for absent in ("Pipe fitting", "Telehealth", "Nursing AAS"):  # before the period / not followed
        assert absent not in body
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{BASE_URL}/app/notifications/unsubscribe/") and unsubscribe in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{BASE_URL}/app/settings/notifications" in body
    async with session_scope(app.state.engine) as session:
        [row] = list(
            await session.scalars(
                select(AlertDigest).where(AlertDigest.org_id == tenant.org_id, AlertDigest.period == "daily")
            )
        )
    assert (row.period, row.period_start, row.alerts) == ("daily", DAY, 3)
    assert row.outbox_email_id is not None


async def test_a_second_pass_sends_nothing_more(app, tenant, api, database_url):
    await _history(app, tenant, api)
    with smtp_server() as server:
        settings = digest_settings(database_url, server.port)
        await send_digests(app.state.sessionmaker, settings, app.state.keyring, NOW)
        again = await send_digests(
            app.state.sessionmaker, settings, app.state.keyring, NOW + timedelta(hours=3)
        )
        assert len(_mine(server, tenant.designer_email)) == 1
    assert again["daily already done"] >= 1


async def test_two_app_instances_at_once_send_one_mail(app, tenant, api, database_url):
    await _history(app, tenant, api)
    with smtp_server() as server:
        settings = digest_settings(database_url, server.port)
        one, two = create_app(settings), create_app(settings)
        async with app_client(one), app_client(two):
            await asyncio.gather(
                send_digests(one.state.sessionmaker, settings, keyring_of(one.state.engine), NOW),
                send_digests(two.state.sessionmaker, settings, keyring_of(two.state.engine), NOW),
            )
        assert len(_mine(server, tenant.designer_email)) == 1
    async with session_scope(app.state.engine) as session:
        rows = list(
            await session.scalars(
                select(AlertDigest).where(AlertDigest.org_id == tenant.org_id, AlertDigest.period == "daily")
            )
        )
    assert len(rows) == 1


async def test_an_empty_period_sends_nothing(app, tenant, api, database_url):
    await _history(app, tenant, api)
    with smtp_server() as server:
        settings = digest_settings(database_url, server.port)
        week_later = NOW + timedelta(days=7)  # nothing happened on the day before
        await send_digests(app.state.sessionmaker, settings, app.state.keyring, week_later, ("daily",))
        assert _mine(server, tenant.designer_email) == []
    async with session_scope(app.state.engine) as session:
        [row] = list(
            await session.scalars(
                select(AlertDigest).where(AlertDigest.org_id == tenant.org_id, AlertDigest.period == "daily")
            )
        )
    assert row.alerts == 0 and row.outbox_email_id is None


async def test_weekly_is_the_default_and_covers_monday_to_sunday(app, tenant, database_url):
    cred = await make_credential(app, tenant.org_id, "Cloud Certificate", ["15-1232.00"])
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    await alert_with_history(
        app,
        tenant.org_id,
        cred.credential_id,
        "Kubernetes",
        [("opened", None, "open", monday + timedelta(days=6), None)],
    )
    with smtp_server() as server:
        settings = digest_settings(database_url, server.port)
        await send_digests(
            app.state.sessionmaker, settings, app.state.keyring, monday + timedelta(days=7, hours=7)
        )
        mails = {m.recipients[0]: m for m in server.received}
    mine = [
        mails.get(f"{role}-{tenant.name.split()[-1]}@example.org") for role in ("admin", "designer", "viewer")
    ]
    assert all(mine), mails.keys()  # every role reads alerts, every one has the default
    assert mine[0].message["Subject"] == "skillpulse weekly digest, 23 to 29 November 2026: 1 opened"


async def test_the_unsubscribe_link_works_without_signing_in(app, tenant, api, client, database_url):
    await _history(app, tenant, api)
    with smtp_server() as server:
        settings = digest_settings(database_url, server.port)
        await send_digests(app.state.sessionmaker, settings, app.state.keyring, NOW)
        [mail] = _mine(server, tenant.designer_email)
    path = mail.message["List-Unsubscribe"].strip("<>").removeprefix(BASE_URL)
    anonymous = httpx.AsyncClient(
        transport=client._transport, base_url="http://testserver"
    )  # no cookie, no token
    async with anonymous:
        confirm = await anonymous.get(path)
        assert (
            confirm.status_code == 200 and tenant.designer_email in confirm.text and "<form" in confirm.text
        )
        assert (await api.get(PREFS)).json()["digest"] == "daily"  # a GET changes nothing
        done = await anonymous.post(
            path, data={"List-Unsubscribe": "One-Click"}
        )  # RFC 8058, as a mail client
        assert done.status_code == 200 and "receives no more alert digests" in done.text
        assert (await api.get(PREFS)).json()["digest"] == "none"
        forged = await anonymous.post(path[:-3] + "AAA")
        assert forged.status_code == 404 and "not valid" in forged.text
        other = await anonymous.get(path.replace(path.rsplit("/", 1)[1].split("-")[0] + "-", "1-", 1))
        assert other.status_code == 404
    async with session_scope(app.state.engine) as session:
        prefs = list(
            await session.scalars(
                select(NotificationPreference).where(NotificationPreference.org_id == tenant.org_id)
            )
        )
    assert [p.digest for p in prefs] == ["none"]


async def test_the_scheduled_job_fires_once_across_two_replicas(app, tenant, api, database_url):
    """Two app instances, each with its scheduler and the digest job registered as `serve` does; both fire
    the same slot: one mail (the claim row lets one firing run; the digest row would stop a second)."""
    from service.app import JOB_REGISTRARS
    from service.notifications.jobs import JOB
    from service.scheduler import Scheduler, _scheduled_at

    cred = await make_credential(app, tenant.org_id, "Solar Installer Certificate", ["47-2231.00"])
    assert (await api.request("PUT", PREFS, json={"digest": "daily"})).status_code == 200
    yesterday = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), UTC) - timedelta(days=1)
    await alert_with_history(
        app, tenant.org_id, cred.credential_id, "Battery storage", [("opened", None, "open", yesterday, None)]
    )
    with smtp_server() as server:
        settings = digest_settings(database_url, server.port)
        one, two = create_app(settings), create_app(settings)
        async with app_client(one), app_client(two):
            jobs = []
            for replica in (one, two):
                scheduler = Scheduler(replica.state.engine)
                for register in JOB_REGISTRARS:
                    register(scheduler, replica)
                assert JOB in scheduler.job_ids()
                jobs.append(scheduler._aps.get_job(JOB).func)
            token = _scheduled_at.set(datetime.now(UTC).replace(second=0, microsecond=0))
            try:
                await asyncio.gather(*(job() for job in jobs))
            finally:
                _scheduled_at.reset(token)
        mine = _mine(server, tenant.designer_email)
    assert len(mine) == 1 and "Battery storage" in mine[0].body
