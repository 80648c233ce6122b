"""The extraction worker: batches of pending postings → mentions, occupation, extractor version."""

from __future__ import annotations

import asyncio
import os
import subprocess

import pytest

import nlp
from service.db import session_scope
from service.nlp_runner import NlpRunner
from service.postings.queue import requeue
from service.postings.worker import ExtractionWorker
from tests.support.clients import app_client
from tests.support.postings import SKILLPULSE, mention_counts, org_postings, posting_body


@pytest.fixture(scope="module")
def runner():
    pool = NlpRunner(1)
    yield pool
    pool.shutdown()


async def test_worker_extracts_codes_and_marks_the_version(api, app, tenant, runner):
    given = posting_body(occupation="15-1212.00", title="Cybersecurity Analyst")
    coded = posting_body(title="IT Support Specialist")
    response = await api.post("/api/v1/postings", json={"postings": [given, coded]})
    assert response.status_code == 201

    worker = ExtractionWorker(app.state.engine, runner, batch_size=1)
    assert await worker.drain() >= 2

    rows = {p.external_id: p for p in await org_postings(app, tenant.org_id)}
    for row in rows.values():
        assert row.extraction_status == "done"
        assert row.extraction_version == nlp.EXTRACTOR_VERSION
        assert row.extracted_at is not None
    assert rows[given["external_id"]].occupation_code == "15-1212.00"
    assert rows[given["external_id"]].occupation_source == "given"
    assert rows[coded["external_id"]].occupation_code == "15-1232.00"
    assert rows[coded["external_id"]].occupation_source == "coded"

    detail = (await api.get(f"/api/v1/postings/{rows[coded['external_id']].id}")).json()
    found = {m["text"].lower() for m in detail["mentions"]}
    assert {"sql", "python"} <= found, found
    text = detail["text"]
    for mention in detail["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    assert any(m["requirement"] == "required" for m in detail["mentions"])
    assert all(m["concept"] is None or m["concept"]["id"] for m in detail["mentions"])


async def test_reextraction_replaces_mentions_instead_of_doubling_them(api, app, tenant, runner):
    await api.post("/api/v1/postings", json={"postings": [posting_body(), posting_body(title="Help Desk")]})
    worker = ExtractionWorker(app.state.engine, runner)
    await worker.drain()
    before = await mention_counts(app, tenant.org_id)
    assert before and all(count > 0 for count in before.values())

    async with session_scope(app.state.engine) as session:
        assert await requeue(session, version=nlp.EXTRACTOR_VERSION, org_id=tenant.org_id) == 0
        assert await requeue(session, version=None, org_id=tenant.org_id) == 2
    assert {p.extraction_status for p in await org_postings(app, tenant.org_id)} == {"pending"}
    await worker.drain()
    assert await mention_counts(app, tenant.org_id) == before


async def test_a_changed_posting_is_extracted_again(api, app, tenant, runner):
    body = posting_body(html="<p>Experience with Python required.</p>")
    posting_id = (await api.post("/api/v1/postings", json=body)).json()["postings"][0]["id"]
    worker = ExtractionWorker(app.state.engine, runner)
    await worker.drain()
    first = {m["text"] for m in (await api.get(f"/api/v1/postings/{posting_id}")).json()["mentions"]}
    assert "Python" in first
    await api.post("/api/v1/postings", json=dict(body, html="<p>Experience with Java required.</p>"))
    await worker.drain()
    detail = (await api.get(f"/api/v1/postings/{posting_id}")).json()
    assert detail["extraction_status"] == "done"
    assert {m["text"] for m in detail["mentions"]} == {"Java"}


async def test_cli_worker_once_drains_the_queue(api, app, tenant, database_url):
    await api.post("/api/v1/postings", json={"postings": [posting_body(), posting_body()]})
    env = dict(os.environ, SKILLPULSE_DATABASE_URL=database_url, SKILLPULSE_ENV="test")
    result = await asyncio.to_thread(
        subprocess.run,
        [SKILLPULSE, "worker", "--once", "--batch-size", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "processed" in result.stderr
    assert {p.extraction_status for p in await org_postings(app, tenant.org_id)} == {"done"}


async def test_serve_runs_an_in_process_worker(settings, tenant, runner):
    from service.app import create_app

    served = create_app(
        settings.model_copy(
            update={
                "server": settings.server.model_copy(update={"run_worker": True}),
            }
        )
    )
    async with app_client(served) as client:
        headers = {"Authorization": f"Bearer {tenant.designer_token}"}
        response = await client.post("/api/v1/postings", json=posting_body(), headers=headers)
        posting_id = response.json()["postings"][0]["id"]
        for _ in range(240):
            detail = (await client.get(f"/api/v1/postings/{posting_id}", headers=headers)).json()
            if detail["extraction_status"] == "done":
                break
            await asyncio.sleep(0.5)
        assert detail["extraction_status"] == "done"
        assert detail["mentions"]


async def test_reposts_take_the_mentions_of_their_twin(api, app, tenant, runner):
    original = posting_body(source="board-a", title="Help Desk Analyst")
    twin_in_batch = posting_body(source="board-b", title="Help Desk Analyst")
    await api.post("/api/v1/postings", json={"postings": [original, twin_in_batch]})
    worker = ExtractionWorker(app.state.engine, runner)
    await worker.drain()
    later = posting_body(source="board-c", title="Help Desk Analyst")
    await api.post("/api/v1/postings", json=later)
    await worker.drain()

    rows = await org_postings(app, tenant.org_id)
    details = [(await api.get(f"/api/v1/postings/{r.id}")).json() for r in rows]
    assert {d["extraction_status"] for d in details} == {"done"}
    spans = [[(m["start"], m["end"], m["text"], m["requirement"]) for m in d["mentions"]] for d in details]
    assert spans[0] and spans[0] == spans[1] == spans[2]
    assert {d["occupation"] for d in details} == {"15-1232.00"}
    assert details[1]["duplicate_of"] == details[0]["id"] == details[2]["duplicate_of"]
