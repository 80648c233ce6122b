"""Password sign-in: throttled per account and per client address in the database (so every replica sees the
same count), one argon2 check off the event loop per attempt whether the e-mail is known or not, and no
disclosure of another organisation's e-mail addresses."""

from __future__ import annotations

import asyncio
import threading

import argon2
import pytest

from tests.security.signin_support import app_with, browser_from, forget_failures, fresh_address, running
from tests.support.factories import Tenant

WRONG = "not-the-password"


@pytest.fixture
async def clean_throttle(app):  # noqa: ANN001, ANN201
    yield
    await forget_failures(app)  # the suite's other sign-ins come from 127.0.0.1 and must not be blocked


async def test_fifty_wrong_passwords_get_429_and_the_right_one_works_after_the_block(
    app, client, settings, tenant: Tenant, clean_throttle
):
    limited = app_with(
        settings,
        auth={
            "account_max_failures": 5,
            "address_max_failures": 1000,
            "block_seconds": 6,
            "max_block_seconds": 6,
        },
    )
    async with running(limited), browser_from(limited, fresh_address()) as browser:
        statuses, last = [], None
        for _ in range(50):
            last = await browser.login(tenant.designer_email, password=WRONG)
            statuses.append(last.status_code)
        assert statuses[:5] == [400] * 5
        assert statuses[5:] == [429] * 45, statuses
        assert 1 <= int(last.headers["retry-after"]) <= 6 and "Too many failed sign-ins" in last.text
        # while blocked even the right password is refused (the answer must not tell a guess was right)
        right_too_early = await browser.login(tenant.designer_email)
        assert right_too_early.status_code == 429
        await asyncio.sleep(int(right_too_early.headers["retry-after"]) + 0.2)
        signed_in = await browser.login(tenant.designer_email)
        assert signed_in.status_code == 303, signed_in.text[:300]
        assert (await browser.get("/app/")).status_code == 200
        # success ended the account's streak: one more typo is a plain 400, not a block
        assert (await browser.login(tenant.designer_email, password=WRONG)).status_code == 400


async def test_the_address_limit_holds_across_replicas_e_mails_and_forged_forwarded_for(
    app, client, settings, clean_throttle
):
    auth = {"account_max_failures": 100, "address_max_failures": 6, "block_seconds": 60}
    # two replicas behind one proxy at 127.0.0.1; the client writes whatever X-Forwarded-For it likes and the
    # proxy appends the real address
    replicas = [app_with(settings, auth=auth, trusted_proxies=["127.0.0.1"]) for _ in range(2)]
    real = fresh_address()
    async with running(replicas[0]), running(replicas[1]):
        async with (
            browser_from(replicas[0], "127.0.0.1") as one,
            browser_from(replicas[1], "127.0.0.1") as two,
        ):
            statuses = []
            for i in range(10):
                browser = (one, two)[i % 2]
                browser.client.headers["X-Forwarded-For"] = f"203.0.113.{i}, {real}"
                response = await browser.login(f"nobody-{i}-{real}@example.org", password=WRONG)
                statuses.append(response.status_code)
            assert statuses == [400] * 6 + [429] * 4
            # another client behind the same proxy is not blocked
            one.client.headers["X-Forwarded-For"] = fresh_address()
            assert (await one.login(f"someone-{real}@example.org", password=WRONG)).status_code == 400


async def test_unknown_and_known_e_mails_both_run_argon2_off_the_event_loop(
    app, client, tenant: Tenant, monkeypatch, clean_throttle
):
    calls: list[str] = []
    original = argon2.PasswordHasher.verify

    def spy(self, hash, password):  # noqa: ANN001, ANN202, A002 - argon2's signature
        calls.append(threading.current_thread().name)
        return original(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", spy)
    loop_thread = threading.current_thread().name
    async with browser_from(app, fresh_address()) as browser:
        for email in (tenant.designer_email, "no-such-user-" + tenant.designer_email):
            calls.clear()
            response = await browser.login(email, password=WRONG)
            assert response.status_code == 400 and "do not match" in response.text
            assert len(calls) == 1, (email, calls)
            assert calls[0] != loop_thread and calls[0].startswith("argon2"), calls


async def test_adding_a_user_does_not_tell_that_another_organisation_has_the_address(
    client, tenant: Tenant, other_tenant: Tenant
):
    from tests.conftest import Api

    other_admin = Api(client, other_tenant.admin_token)
    taken = await other_admin.post("/api/v1/users", json={"email": tenant.designer_email, "role": "viewer"})
    assert taken.status_code == 409
    assert "exist" not in taken.text.lower() and "organisation" not in taken.text.lower()
    own_admin = Api(client, tenant.admin_token)
    duplicate = await own_admin.post("/api/v1/users", json={"email": tenant.designer_email, "role": "viewer"})
    assert (
        duplicate.status_code == 409 and "already exists in this organisation" in duplicate.json()["detail"]
    )
