"""Key rotation as an operator does it: put a new key first in SKILLPULSE_SECRET_KEYS, run `skillpulse secrets
rotate` (a subprocess), then the old key can go: every stored secret reads under the new key alone, plaintext
values left by an older release included, and queued mail still goes out with a working link."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import insert, select, text

from service.app import create_app
from service.crypto import PREFIX
from service.db import session_scope
from service.demand.models import Webhook
from surveys.mail import compose
from surveys.models import OutboxEmail
from surveys.outbox import flush_outbox
from tests.conftest import Api
from tests.integration.test_cli_users import run_cli
from tests.integration.test_surveys_mail import smtp_settings
from tests.support.clients import app_client
from tests.support.databases import create_database, drop_database
from tests.support.factories import make_tenant
from tests.support.seeds_surveys import create_open_survey, invite
from tests.support.smtp import smtp_server

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SECRET = "rotated-webhook-secret-0123456789"
LEGACY_SECRET = "plaintext-secret-from-an-older-release"
API_KEY = "rotated-usajobs-api-key-99"


@pytest.fixture
def own_database(db_kind, postgres_server, tmp_path):  # noqa: ANN001, ANN201
    """A database of its own: rotation rewrites every row, and the suite's other rows use another key."""
    from service.db import upgrade

    if db_kind == "sqlite":
        url, name = f"sqlite+aiosqlite:///{tmp_path / 'rotate.db'}", None
    else:
        name = f"skillpulse_rotate_{uuid.uuid4().hex[:12]}"
        url = create_database(postgres_server, name)
    try:
        upgrade(url)
        yield url
    finally:
        if name:
            drop_database(postgres_server, name)


def _settings(url: str, keys: str):  # noqa: ANN202
    from service.settings import build_settings

    return build_settings(
        database={"url": url},
        server={
            "env": "test",
            "secret_key": "test-secret-key-0123456789",
            "run_worker": False,
            "run_scheduler": False,
        },
        encryption={"secret_keys": keys},
    )


def _only(key: str, stored: str) -> bytes:
    assert stored.startswith(PREFIX), stored
    return Fernet(key.encode()).decrypt(stored[len(PREFIX) :].encode())


async def _raw(app, sql: str) -> list:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        return list(await session.execute(text(sql)))


async def test_rotate_re_encrypts_everything_with_the_new_key(own_database):
    old_app = create_app(_settings(own_database, OLD_KEY))
    async with app_client(old_app) as client:
        tenant = await make_tenant(old_app)
        admin, designer = Api(client, tenant.admin_token), Api(client, tenant.designer_token)
        hook = await admin.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "secret": SECRET})
        assert hook.status_code == 201, hook.text
        source = await designer.post(
            "/api/v1/import-sources",
            json={
                "kind": "usajobs",
                "name": f"rotated {time.monotonic_ns()}",
                "url": "http://127.0.0.1:9/s",
                "config": {"api_key": API_KEY, "email": "ops@college.example"},
            },
        )
        assert source.status_code == 201, source.text
        survey = await create_open_survey(designer, old_app, tenant, competencies=1)
        [queued] = await invite(designer, survey["id"], 1, email=True)
        [legacy] = await invite(designer, survey["id"], 1, email=False)
        async with session_scope(old_app.state.engine) as session:  # rows as an older release wrote them
            await session.execute(
                text(
                    "INSERT INTO webhook (org_id, url, secret, events, enabled, created_at) "
                    "VALUES (:org, 'http://127.0.0.1:9/old', :secret, '[]', true, CURRENT_TIMESTAMP)"
                ),
                {"org": tenant.org_id, "secret": LEGACY_SECRET},
            )
            subject, body = compose(
                "invitation", "en", "Old", "Bo", legacy["url"], legacy["url"] + "/opt-out"
            )
            await session.execute(
                insert(OutboxEmail).values(
                    org_id=tenant.org_id,
                    invitation_id=legacy["id"],
                    kind="invitation",
                    to_address="legacy@employer.example",
                    subject=subject,
                    body=body,
                )
            )
        [(stored_secret,)] = await _raw(old_app, f"SELECT secret FROM webhook WHERE id = {hook.json()['id']}")
        assert _only(OLD_KEY, stored_secret) == SECRET.encode()

    result = run_cli(
        ["secrets", "rotate"],
        own_database,
        SKILLPULSE_ENV="test",
        SKILLPULSE_SECRET_KEY="test-secret-key-0123456789",
        SKILLPULSE_SECRET_KEYS=f"{NEW_KEY},{OLD_KEY}",
    )
    assert result.returncode == 0, result.stderr
    assert "2 webhook secrets" in result.stderr and "sealed 1" in result.stderr, result.stderr

    new_app = create_app(_settings(own_database, NEW_KEY))  # the old key is gone
    async with app_client(new_app):
        secrets = {url: stored for url, stored in await _raw(new_app, "SELECT url, secret FROM webhook")}
        assert _only(NEW_KEY, secrets["http://127.0.0.1:9/hook"]) == SECRET.encode()
        assert _only(NEW_KEY, secrets["http://127.0.0.1:9/old"]) == LEGACY_SECRET.encode()
        with pytest.raises(InvalidToken):
            _only(OLD_KEY, secrets["http://127.0.0.1:9/hook"])
        [(config,)] = await _raw(new_app, "SELECT CAST(config AS TEXT) FROM import_source")
        config = json.loads(config)
        assert (
            json.loads(_only(NEW_KEY, config["api_key"])) == API_KEY
            and config["email"] == "ops@college.example"
        )
        mail_rows = await _raw(new_app, "SELECT body, link_token FROM outbox_email WHERE status = 'pending'")
        assert len(mail_rows) == 2
        for body, link_token in mail_rows:
            assert queued["token"] not in body and legacy["token"] not in body
            assert _only(NEW_KEY, link_token).decode() in (queued["token"], legacy["token"])

        async with session_scope(new_app.state.engine) as session:
            read = await session.scalar(
                select(Webhook.secret).where(Webhook.url == "http://127.0.0.1:9/hook")
            )
        assert read == SECRET
        with smtp_server() as server:
            await flush_outbox(new_app.state.sessionmaker, smtp_settings(server.port), new_app.state.keyring)
            bodies = {m.recipients[0]: m.body for m in server.received}
        assert queued["url"] in bodies[queued["email"]] and legacy["url"] in bodies["legacy@employer.example"]


def test_generate_key_prints_a_fernet_key(own_database):
    result = run_cli(["secrets", "generate-key"], own_database)
    assert result.returncode == 0, result.stderr
    Fernet(result.stdout.strip().encode())


def test_production_without_keys_is_refused_with_one_clear_line(own_database):
    result = run_cli(
        ["db", "upgrade"],
        own_database,
        SKILLPULSE_ENV="production",
        SKILLPULSE_SECRET_KEY="a-private-production-secret-0123456789abcdef",
    )
    assert result.returncode == 2
    assert "SKILLPULSE_SECRET_KEYS" in result.stderr
