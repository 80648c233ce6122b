"""The scheduled re-link: credentials imported without linking, or linked by an older model, are linked again
with the packaged model, and every human decision stays as it was."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from service.app import JOB_REGISTRARS
from service.credentials.importing import import_credential_file
from service.credentials.jobs import register, relink_stale
from service.credentials.linking import LINKED_VERSION
from service.credentials.models import Credential
from service.db import session_scope
from service.scheduler import Scheduler

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "credentials"


async def test_job_links_unlinked_and_outdated_credentials_keeping_reviews(app, api, tenant):
    async with session_scope(app.state.engine) as session:  # like `credentials import --no-link`
        report = await import_credential_file(session, tenant.org_id, EXAMPLES / "welding.csv", None, None)
    [result] = report.credentials
    before = (await api.get(f"/api/v1/credentials/{result.id}")).json()
    assert not any(c["links"] for c in before["competencies"])

    assert await relink_stale(app.state.engine, app.state.nlp, org_id=tenant.org_id) == 1
    linked = (await api.get(f"/api/v1/credentials/{result.id}")).json()
    links = [link for c in linked["competencies"] for link in c["links"]]
    assert len(links) >= 3
    assert await relink_stale(app.state.engine, app.state.nlp, org_id=tenant.org_id) == 0  # up to date now

    confirmed, rejected = links[0], links[1]
    await api.patch(f"/api/v1/competency-skills/{confirmed['id']}", json={"status": "confirmed"})
    await api.patch(f"/api/v1/competency-skills/{rejected['id']}", json={"status": "rejected"})
    async with session_scope(app.state.engine) as session:  # as if linked by an older model
        row = await session.get(Credential, result.id)
        current = row.extra[LINKED_VERSION]
        row.extra = {**row.extra, LINKED_VERSION: "older-model"}
    assert await relink_stale(app.state.engine, app.state.nlp, org_id=tenant.org_id) == 1
    after = (await api.get(f"/api/v1/credentials/{result.id}")).json()
    statuses = {link["id"]: link["status"] for c in after["competencies"] for link in c["links"]}
    assert statuses[confirmed["id"]] == "confirmed" and statuses[rejected["id"]] == "rejected"
    async with session_scope(app.state.engine) as session:
        extra = await session.scalar(select(Credential.extra).where(Credential.id == result.id))
    assert extra[LINKED_VERSION] == current


async def test_new_linked_imports_are_up_to_date_and_the_job_is_registered(app, api, tenant):
    response = await api.post(
        "/api/v1/credentials/import",
        content=(EXAMPLES / "data-analytics.jsonld").read_bytes(),
        headers={"Content-Type": "application/ld+json"},
    )
    assert response.status_code == 200
    assert await relink_stale(app.state.engine, app.state.nlp, org_id=tenant.org_id) == 0
    scheduler = Scheduler(app.state.engine)
    register(scheduler, app)
    assert "credentials.relink-stale" in scheduler.job_ids()
    assert register in JOB_REGISTRARS  # `serve` runs it
