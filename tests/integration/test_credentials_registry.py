"""Importing from the Credential Registry (`POST /api/v1/credentials/import {"ctid"}|{"url"}`,
`skillpulse credentials import --ctid|--url`) against a registry on 127.0.0.1 serving the graphs of
tests/support/registry.py and, where ../shared is present, Credential Engine's published ingest examples as a
server would serve them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.credentials.formats.registry_graph import RegistryRequest
from service.credentials.models import Competency, Credential
from service.credentials.registry import fetch_credential
from service.db import session_scope
from service.settings import PostingsSettings
from tests.conftest import Api
from tests.support.clients import app_client
from tests.support.feeds import FeedServer, Reply
from tests.support.reference import shared
from tests.support.registry import Published, base_of, ctid, publish

ROOT = Path(__file__).resolve().parents[2]
FAST = PostingsSettings(
    connect_timeout=1.0, read_timeout=0.5, fetch_deadline=5.0, retries=1, backoff_seconds=0.01
)
EXAMPLES_PREFIX = "https://credentialengine.github.io/credential-registry-ingest-examples"


@pytest.fixture(scope="module")
def registry():
    with FeedServer() as server:
        yield server


@pytest.fixture(scope="module")
def registry_settings(settings, registry):
    credentials = settings.credentials.model_copy(update={"registry_url": base_of(registry).rstrip("/")})
    return settings.model_copy(update={"postings": FAST, "credentials": credentials})


@pytest.fixture(scope="module")
async def registry_client(registry_settings):
    from service.app import create_app

    async with app_client(create_app(registry_settings)) as client:
        yield client


@pytest.fixture
def rapi(registry_client, tenant) -> Api:
    return Api(registry_client, tenant.designer_token)


async def import_ctid(rapi: Api, value: str):
    return await rapi.post("/api/v1/credentials/import", json={"ctid": value})


async def stored(app, org_id: int) -> tuple[int, int]:
    async with session_scope(app.state.engine) as session:
        credentials = await session.scalar(
            select(func.count()).select_from(Credential).where(Credential.org_id == org_id)
        )
        competencies = await session.scalar(
            select(func.count())
            .select_from(Competency)
            .join(Credential, Credential.id == Competency.credential_id)
            .where(Credential.org_id == org_id)
        )
    return credentials or 0, competencies or 0


def concepts_by_text(credential: dict) -> dict[str, list[str]]:
    return {c["text"]: sorted(link["concept_id"] for link in c["links"]) for c in credential["competencies"]}


async def test_a_credential_with_two_frameworks_imports_links_and_reimports(
    rapi, other_api, registry, app, tenant
):
    published = Published(base_of(registry).rstrip("/"))
    publish(registry, published)

    first = await import_ctid(rapi, published.credential.upper())  # CTIDs are case-insensitive
    assert first.status_code == 200, first.text
    [result] = first.json()["credentials"]
    assert result["created"] and result["competencies_added"] == 40 and result["links_suggested"] > 0
    # one request per graph: the frameworks' graphs brought every competency the alignments name
    assert [len(registry.hits(f"/graph/{key}")) for key in published.documents()] == [1, 1, 1, 1]

    credential = (await rapi.get(f"/api/v1/credentials/{result['id']}")).json()
    assert credential["ctid"] == published.credential and credential["name"] == published.name
    assert credential["type"] == "Certificate" and credential["occupations"] == ["15-1212.00"]
    competencies = credential["competencies"]
    assert sorted(c["ext_id"] for c in competencies) == sorted(
        published.competencies_a + published.competencies_b
    )
    linked = [c for c in competencies if c["links"]]
    assert len(linked) >= 2 and all(link["concept_id"] for c in linked for link in c["links"])
    # linked exactly as the same graph imported as a file (in another organisation) is
    documents = list(published.documents().values())
    as_file = {
        "@context": documents[0]["@context"],
        "@graph": [n for d in documents[:3] for n in d["@graph"]],
    }
    filed = await other_api.post(
        "/api/v1/credentials/import",
        content=json.dumps(as_file),
        headers={"Content-Type": "application/ld+json"},
    )
    assert filed.status_code == 200, filed.text
    file_credential = (
        await other_api.get(f"/api/v1/credentials/{filed.json()['credentials'][0]['id']}")
    ).json()
    assert concepts_by_text(file_credential) == concepts_by_text(credential)

    confirmed, rejected = linked[0]["links"][0], linked[1]["links"][0]
    for link, status in ((confirmed, "confirmed"), (rejected, "rejected")):
        response = await rapi.patch(f"/api/v1/competency-skills/{link['id']}", json={"status": status})
        assert response.status_code == 200, response.text

    again = await import_ctid(rapi, published.credential)
    assert again.status_code == 200, again.text
    [second] = again.json()["credentials"]
    assert second["id"] == result["id"] and not second["created"]
    assert second["competencies_unchanged"] == 40 and second["competencies_added"] == 0
    after = (await rapi.get(f"/api/v1/credentials/{result['id']}")).json()
    assert sorted(c["id"] for c in after["competencies"]) == sorted(c["id"] for c in competencies)
    statuses = {link["id"]: link["status"] for c in after["competencies"] for link in c["links"]}
    assert statuses[confirmed["id"]] == "confirmed" and statuses[rejected["id"]] == "rejected"
    assert await stored(app, tenant.org_id) == (1, 40)


FAILURES = [
    (
        "404",
        Reply(status=404, body='{"errors": ["Not found"]}'),
        404,
        "the Credential Registry has no resource",
    ),
    ("500", Reply(status=500, body="oops"), 502, "HTTP 500"),
    ("slow", Reply(body="{}", delay=1.5), 502, "timed out"),
    ("garbage", Reply(body="<html>maintenance</html>", content_type="text/html"), 502, "not JSON"),
    ("not-ctdl", Reply(body='{"data": [1, 2]}'), 502, "not CTDL JSON-LD"),
]


@pytest.mark.parametrize(
    ("answer", "status", "reason"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES]
)
async def test_a_registry_failing_gives_a_clear_reason_and_stores_nothing(
    rapi, registry, app, tenant, answer, status, reason
):
    published = Published(base_of(registry).rstrip("/"))
    publish(registry, published, **{published.credential: answer})
    response = await import_ctid(rapi, published.credential)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert reason in detail and published.credential in detail
    assert await stored(app, tenant.org_id) == (0, 0)


@pytest.mark.parametrize(
    ("which", "answer", "status", "reason"),
    [
        ("framework_b", Reply(status=500), 502, "HTTP 500"),
        ("framework_a", Reply(body="not json at all"), 502, "not JSON"),
        ("program", Reply(status=404), 422, "is not there"),
    ],
)
async def test_a_referenced_resource_failing_stores_nothing(
    rapi, registry, app, tenant, which, answer, status, reason
):
    published = Published(base_of(registry).rstrip("/"))
    failing = getattr(published, which)
    publish(registry, published, **{failing: answer})
    response = await import_ctid(rapi, published.credential)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert reason in detail and failing in detail and published.credential in detail
    assert await stored(app, tenant.org_id) == (0, 0)


async def test_a_resource_that_is_no_credential_is_refused(rapi, registry, app, tenant):
    framework = Published(base_of(registry).rstrip("/"))
    publish(registry, framework)
    response = await import_ctid(rapi, framework.framework_a)
    assert response.status_code == 422, response.text
    assert "is not a credential (ceasn:Competency, ceasn:CompetencyFramework)" in response.json()["detail"]
    assert await stored(app, tenant.org_id) == (0, 0)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"ctid": "ce-not-a-uuid"}, "is not a CTID: ce- followed by a UUID"),
        ({"ctid": 12}, "ctid must be a non-empty string"),
        ({"url": "ftp://registry.example/ce-1"}, "is not an http(s) URL"),
        ({"url": "javascript:alert(1)"}, "is not an http(s) URL"),
        ({"ctid": "ce-edc318c1-aa67-47e2-9638-a8529e6612d4", "url": "https://x.example/"}, "not both"),
    ],
)
async def test_a_bad_request_is_a_400_naming_the_field(rapi, body, reason):
    response = await rapi.post("/api/v1/credentials/import", json=body)
    assert response.status_code == 400, response.text
    assert reason in response.json()["detail"]


async def test_a_json_document_with_other_keys_still_goes_to_the_case_reader(rapi):
    response = await rapi.post("/api/v1/credentials/import", json={"ctid": ctid(), "CFItems": []})
    assert response.status_code == 400 and "CFPackage: CFDocument is required" in response.json()["detail"]


def _example(name: str, base: str) -> str:
    """A published example as a server of ours would serve it: its links pointing at that server."""
    path = shared("ctdl", "registry-ingest-examples", *name.split("/"))
    return path.read_text().replace(EXAMPLES_PREFIX, base + "/examples")


async def test_a_url_to_credential_engines_published_example(rapi, registry, app, tenant):
    base = base_of(registry).rstrip("/")
    for name in ("Credential/1/Credential-1.json", "LearningProgram/2/LearningProgram-2.json"):
        registry.route(
            f"/examples/{name}", Reply(body=_example(name, base), content_type="application/ld+json")
        )
    response = await rapi.post(
        "/api/v1/credentials/import", json={"url": f"{base}/examples/Credential/1/Credential-1.json"}
    )
    assert response.status_code == 200, response.text
    [result] = response.json()["credentials"]
    credential = (await rapi.get(f"/api/v1/credentials/{result['id']}")).json()
    assert (
        credential["name"] == "Bachelor of Science in Cybersecurity"
        and credential["type"] == "BachelorDegree"
    )
    assert credential["ctid"] == "ce-edc318c1-aa67-47e2-9638-a8529e6612d4"
    assert credential["competencies"] == []  # the example requires a program that lists no competencies
    assert len(registry.hits("/examples/LearningProgram/2/LearningProgram-2.json")) >= 1


async def test_credential_engines_organization_example_is_not_a_credential(rapi, registry, app, tenant):
    base = base_of(registry).rstrip("/")
    name = "Organization/1/Organization-1.json"
    registry.route(f"/examples/{name}", Reply(body=_example(name, base)))
    response = await rapi.post("/api/v1/credentials/import", json={"url": f"{base}/examples/{name}"})
    assert response.status_code == 422, response.text
    assert "is not a credential (ceterms:Organization)" in response.json()["detail"]
    assert await stored(app, tenant.org_id) == (0, 0)


async def test_a_url_to_a_private_address_is_refused_when_the_guard_is_on(registry_settings):
    guarded = registry_settings.model_copy(
        update={"postings": FAST.model_copy(update={"allow_private_addresses": False})}
    )
    with pytest.raises(Exception, match="SKILLPULSE_POSTINGS_ALLOW_PRIVATE_ADDRESSES") as raised:
        await fetch_credential(guarded, RegistryRequest(url="http://127.0.0.1:9/ce.json"))
    assert "loopback" in str(raised.value)
    # a CTID goes to the configured registry (here on loopback) through the same guard
    with pytest.raises(Exception, match="refusing to fetch"):
        await fetch_credential(guarded, RegistryRequest(ctid=ctid()))


def run_cli(database_url: str, registry_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "SKILLPULSE_DATABASE_URL": database_url,
        "SKILLPULSE_SECRET_KEY": "test-secret-key-0123456789",
        "SKILLPULSE_ENV": "test",
        "SKILLPULSE_CREDENTIALS_REGISTRY_URL": registry_url,
        "SKILLPULSE_POSTINGS_RETRIES": "0",
        "COLUMNS": "200",
    }
    command = [sys.executable, "-c", "from service.cli import main; main()", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603


def test_cli_imports_by_ctid_from_the_registry(database_url, registry):
    base = base_of(registry).rstrip("/")
    published = Published(base)
    publish(registry, published)
    org = f"Registry College {uuid.uuid4().hex[:8]}"
    made = run_cli(
        database_url, base, "users", "create", "--org", org, "--email", f"{uuid.uuid4().hex[:8]}@r.example"
    )
    assert made.returncode == 0, made.stderr

    first = run_cli(
        database_url, base, "credentials", "import", "--ctid", published.credential, "--org", org, "--no-link"
    )
    assert first.returncode == 0, first.stderr
    assert "created credential" in first.stderr and "40 competencies added" in first.stderr
    again = run_cli(
        database_url, base, "credentials", "import", "--ctid", published.credential, "--org", org, "--no-link"
    )
    assert again.returncode == 0 and "updated credential" in again.stderr and "40 unchanged" in again.stderr

    listed = run_cli(database_url, base, "credentials", "list", "--org", org, "--json")
    [item] = json.loads(listed.stdout)
    assert item["name"] == published.name and item["competency_count"] == 40

    missing = ctid()
    failed = run_cli(
        database_url, base, "credentials", "import", "--ctid", missing, "--org", org, "--no-link"
    )
    assert failed.returncode == 1
    assert (
        f"the Credential Registry has no resource {missing}" in failed.stderr
        and "nothing was stored" in failed.stderr
    )
    both = run_cli(
        database_url, base, "credentials", "import", "--ctid", missing, "--url", base, "--org", org
    )
    assert both.returncode == 2 and "exactly one of FILE, --ctid and --url" in both.stderr
