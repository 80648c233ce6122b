"""Credentials through the HTTP API: native create, CSV and CTDL import with linking, read, patch, delete,
review of links, re-import and re-link keeping human decisions."""

from __future__ import annotations

from sqlalchemy import func, select

from service.credentials.models import Competency, CompetencySkill, Credential
from service.db import session_scope

CSV_HEAD = (
    "credential_name,credential_type,credential_url,occupations,region,competency_text,competency_label,"
    "competency_category,competency_level,competency_domain\n"
)
CSV_ROWS = [
    "Help Desk Certificate,Certificate,https://college.example/helpdesk,15-1232.00,Ohio,"
    "Install and configure Windows operating systems on desktop computers,Windows "
    "installation,Systems,3,specialized",
    "Help Desk Certificate,,,,,Write SQL queries to retrieve data from relational databases,SQL "
    "queries,Data,4,specialized",
    "Help Desk Certificate,,,,,Communicate technical information to non-technical "
    "users,Communication,,3,social",
]


def csv_body(rows=CSV_ROWS) -> bytes:
    return (CSV_HEAD + "\n".join(rows) + "\n").encode()


async def import_csv(api, rows=CSV_ROWS):
    return await api.post(
        "/api/v1/credentials/import", content=csv_body(rows), headers={"Content-Type": "text/csv"}
    )


async def test_native_create_links_competencies_and_reads_back(api):
    body = {
        "name": "Data Analytics Certificate",
        "description": "Entry-level data analysis.",
        "url": "https://college.example/data",
        "type": "Certificate",
        "occupations": ["15-2051.01", "43-9111"],
        "region": "Ohio",
        "competencies": [
            {
                "text": "Write SQL queries to join and aggregate data from relational databases",
                "level": 4,
                "domain": "specialized",
                "label": "SQL",
            },
            {"text": "Build dashboards in Tableau to present findings", "category": "Visualisation"},
        ],
    }
    created = await api.post("/api/v1/credentials", json=body)
    assert created.status_code == 201, created.text
    credential = created.json()
    assert credential["name"] == "Data Analytics Certificate"
    assert credential["occupations"] == ["15-2051.01", "43-9111"]
    assert credential["ctid"].startswith("ce-")
    assert [c["text"] for c in credential["competencies"]] == [c["text"] for c in body["competencies"]]
    first = credential["competencies"][0]
    assert (first["level"], first["domain"], first["label"]) == (4, "specialized", "SQL")
    assert first["links"], "the SQL competency should get at least one suggested concept"
    assert all(link["status"] == "suggested" for link in first["links"])
    assert all(link["method"] in ("concept", "fuzzy") for link in first["links"])
    assert any("sql" in link["concept_label"].lower() for link in first["links"])

    again = await api.get(f"/api/v1/credentials/{credential['id']}")
    assert again.status_code == 200
    assert again.json()["competencies"] == credential["competencies"]

    listed = (await api.get("/api/v1/credentials")).json()
    assert listed["total"] == 1
    assert listed["items"][0]["competency_count"] == 2

    duplicate = await api.post("/api/v1/credentials", json=body)
    assert duplicate.status_code == 409
    assert "already exists" in duplicate.json()["detail"]


async def test_create_refuses_bad_fields_with_400(api):
    bad_level = await api.post(
        "/api/v1/credentials", json={"name": "X", "competencies": [{"text": "a", "level": 9}]}
    )
    assert bad_level.status_code == 400
    assert "level" in bad_level.json()["detail"]
    bad_code = await api.post("/api/v1/credentials", json={"name": "X", "occupations": ["welder"]})
    assert bad_code.status_code == 400
    assert "O*NET-SOC" in bad_code.json()["detail"]
    unknown = await api.post("/api/v1/credentials", json={"name": "X", "org_id": 5})
    assert unknown.status_code == 400
    bad_url = await api.post("/api/v1/credentials", json={"name": "X", "url": "javascript:alert(1)"})
    assert bad_url.status_code == 400 and "http(s) URL" in bad_url.json()["detail"]


async def test_csv_import_then_reimport_changes_nothing_and_keeps_reviews(api, app, tenant):
    first = await import_csv(api)
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["format"] == "csv"
    [result] = report["credentials"]
    assert result["created"] is True and result["competencies_added"] == 3
    credential_id = result["id"]
    credential = (await api.get(f"/api/v1/credentials/{credential_id}")).json()
    assert credential["occupations"] == ["15-1232.00"] and credential["region"] == "Ohio"
    kept = credential["competencies"][0]  # unchanged by the third file below
    links = kept["links"] + [link for c in credential["competencies"][1:] for link in c["links"]]
    assert kept["links"] and len(links) >= 2
    confirm, reject = links[0], links[1]
    assert (
        await api.patch(f"/api/v1/competency-skills/{confirm['id']}", json={"status": "confirmed"})
    ).status_code == 200
    rejected = await api.patch(f"/api/v1/competency-skills/{reject['id']}", json={"status": "rejected"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"

    async with session_scope(app.state.engine) as session:
        before_rows = await _snapshot(session, credential_id)

    second = await import_csv(api)
    assert second.status_code == 200
    [again] = second.json()["credentials"]
    assert again["id"] == credential_id and again["created"] is False
    assert again["competencies_unchanged"] == 3 and again["competencies_added"] == 0
    async with session_scope(app.state.engine) as session:
        assert await _snapshot(session, credential_id) == before_rows
        count = await session.scalar(
            select(func.count()).select_from(Credential).where(Credential.org_id == tenant.org_id)
        )
    listed = (await api.get("/api/v1/credentials")).json()
    assert listed["total"] == 1

    # a changed file: one statement edited, one removed, one added; decisions on the unchanged ones survive
    rows = [
        CSV_ROWS[0],
        CSV_ROWS[1].replace("retrieve data", "retrieve and filter data"),
        "Help Desk Certificate,,,,,Troubleshoot network connectivity problems,,,,",
    ]
    third = (await import_csv(api, rows)).json()["credentials"][0]
    # without competency ids a CSV identifies a competency by its statement: an edited one is new
    assert (third["competencies_unchanged"], third["competencies_added"], third["competencies_removed"]) == (
        1,
        2,
        2,
    )
    after = (await api.get(f"/api/v1/credentials/{credential_id}")).json()
    statuses = {link["id"]: link["status"] for c in after["competencies"] for link in c["links"]}
    assert after["competencies"][0]["id"] == kept["id"]
    assert statuses[confirm["id"]] == "confirmed"
    if reject["competency_id"] == kept["id"]:
        assert statuses[reject["id"]] == "rejected"
    assert "Troubleshoot network connectivity problems" in [c["text"] for c in after["competencies"]]
    assert count == 1


async def _snapshot(session, credential_id):
    credential = await session.get(Credential, credential_id)
    await session.refresh(credential)
    comps = (
        await session.scalars(
            select(Competency).where(Competency.credential_id == credential_id).order_by(Competency.id)
        )
    ).all()
    for c in comps:
        await session.refresh(c)
    links = (
        await session.scalars(
            select(CompetencySkill)
            .where(CompetencySkill.competency_id.in_([c.id for c in comps]))
            .order_by(CompetencySkill.id)
        )
    ).all()
    for link in links:
        await session.refresh(link)
    return (
        credential.model_dump(),
        [c.model_dump() for c in comps],
        [link.model_dump() for link in links],
    )


async def test_bad_csv_names_row_and_column_and_stores_nothing(api, app, tenant):
    rows = [CSV_ROWS[0], "Help Desk Certificate,,,,,Fix printers,,,11,"]
    response = await import_csv(api, rows)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "row 3" in detail and "competency_level" in detail
    async with session_scope(app.state.engine) as session:
        n = await session.scalar(
            select(func.count()).select_from(Credential).where(Credential.org_id == tenant.org_id)
        )
    assert n == 0


async def test_unsupported_and_empty_bodies(api):
    response = await api.post(
        "/api/v1/credentials/import", content=b"<xml/>", headers={"Content-Type": "application/xml"}
    )
    assert response.status_code == 415
    assert "unsupported content type" in response.json()["detail"]
    empty = await api.post("/api/v1/credentials/import", content=b"", headers={"Content-Type": "text/csv"})
    assert empty.status_code == 400
    broken = await api.post(
        "/api/v1/credentials/import", content=b"{", headers={"Content-Type": "application/ld+json"}
    )
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["detail"]


async def test_patch_delete_and_other_organisation(api, other_api, viewer_api):
    created = (
        await api.post(
            "/api/v1/credentials",
            json={
                "name": "Welding Certificate",
                "competencies": [{"text": "Perform gas metal arc welding on carbon steel"}],
            },
        )
    ).json()
    cid = created["id"]
    assert (await other_api.get(f"/api/v1/credentials/{cid}")).status_code == 404
    assert (await viewer_api.patch(f"/api/v1/credentials/{cid}", json={"region": "Ohio"})).status_code == 403
    patched = await api.patch(
        f"/api/v1/credentials/{cid}", json={"region": "Ohio", "occupations": ["51-4121.00"]}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["region"] == "Ohio" and patched.json()["occupations"] == ["51-4121.00"]

    comp = created["competencies"][0]
    edited = await api.patch(f"/api/v1/competencies/{comp['id']}", json={"level": 5, "domain": "specialized"})
    assert edited.status_code == 200 and edited.json()["level"] == 5

    # the full competency list through the credential: keep one by id, add one
    replaced = await api.patch(
        f"/api/v1/credentials/{cid}",
        json={
            "competencies": [
                {"id": comp["id"], "text": comp["text"], "level": 5, "domain": "specialized"},
                {"text": "Read welding symbols on blueprints"},
            ]
        },
    )
    assert replaced.status_code == 200
    assert [c["id"] for c in replaced.json()["competencies"]][0] == comp["id"]
    assert len(replaced.json()["competencies"]) == 2
    assert replaced.json()["region"] == "Ohio" and replaced.json()["occupations"] == ["51-4121.00"]
    assert replaced.json()["competencies"][0]["level"] == 5

    assert (await other_api.delete(f"/api/v1/credentials/{cid}")).status_code == 404
    assert (await api.delete(f"/api/v1/credentials/{cid}")).status_code == 204
    assert (await api.get(f"/api/v1/credentials/{cid}")).status_code == 404
    assert (await api.get("/api/v1/credentials")).json()["total"] == 0


async def test_manual_link_and_relink_keep_human_decisions(api, other_api):
    created = (
        await api.post(
            "/api/v1/credentials",
            json={
                "name": "IT Support",
                "competencies": [
                    {"text": "Install and configure Linux operating systems"},
                    {"text": "Write SQL queries against relational databases"},
                ],
            },
        )
    ).json()
    comp = created["competencies"][0]
    links = created["competencies"][1]["links"]
    assert links
    await api.patch(f"/api/v1/competency-skills/{links[0]['id']}", json={"status": "rejected"})
    machine_confirmed = comp["links"][0] if comp["links"] else None
    if machine_confirmed:
        await api.patch(f"/api/v1/competency-skills/{machine_confirmed['id']}", json={"status": "confirmed"})

    unknown = await api.post(
        "/api/v1/competency-skills", json={"competency_id": comp["id"], "concept_id": "urn:nothing:here"}
    )
    assert unknown.status_code == 400 and "not in the skill taxonomy" in unknown.json()["detail"]
    foreign = await other_api.post(
        "/api/v1/competency-skills",
        json={"competency_id": comp["id"], "concept_id": "urn:x:y", "concept_label": "Y"},
    )
    assert foreign.status_code == 404
    scripted = await api.post(
        "/api/v1/competency-skills",
        json={"competency_id": comp["id"], "concept_id": "javascript://x%0aalert(1)", "concept_label": "X"},
    )
    assert scripted.status_code == 400 and "must be a URI" in scripted.json()["detail"]
    sql_concept = links[0]["concept_id"]
    added = await api.post(
        "/api/v1/competency-skills", json={"competency_id": comp["id"], "concept_id": sql_concept}
    )
    assert added.status_code == 201, added.text
    assert added.json()["method"] == "manual" and added.json()["status"] == "confirmed"
    custom = await api.post(
        "/api/v1/competency-skills",
        json={
            "competency_id": comp["id"],
            "concept_id": "https://college.example/skills/imaging",
            "concept_label": "Disk imaging",
        },
    )
    assert custom.status_code == 201

    relinked = await api.post(f"/api/v1/credentials/{created['id']}/relink")
    assert relinked.status_code == 200, relinked.text
    assert relinked.json()["competencies"] == 2
    after = (await api.get(f"/api/v1/credentials/{created['id']}")).json()
    by_id = {link["id"]: link for c in after["competencies"] for link in c["links"]}
    assert by_id[links[0]["id"]]["status"] == "rejected"
    assert (
        by_id[added.json()["id"]]["status"] == "confirmed" and by_id[added.json()["id"]]["method"] == "manual"
    )
    assert by_id[custom.json()["id"]]["concept_label"] == "Disk imaging"
    assert machine_confirmed is not None, "the Linux competency should have a suggested link to confirm"
    kept = by_id[machine_confirmed["id"]]
    assert (kept["status"], kept["method"], kept["concept_id"]) == (
        "confirmed",
        machine_confirmed["method"],
        machine_confirmed["concept_id"],
    )


async def test_review_body_is_strict(api):
    created = (
        await api.post(
            "/api/v1/credentials",
            json={
                "name": "Strict",
                "competencies": [{"text": "Write SQL queries against relational databases"}],
            },
        )
    ).json()
    link = created["competencies"][0]["links"][0]
    bad = await api.patch(f"/api/v1/competency-skills/{link['id']}", json={"status": "suggested"})
    assert bad.status_code == 400
    sneaky = await api.patch(
        f"/api/v1/competency-skills/{link['id']}", json={"status": "confirmed", "method": "manual"}
    )
    assert sneaky.status_code == 400
    missing = await api.patch("/api/v1/competency-skills/99999999", json={"status": "confirmed"})
    assert missing.status_code == 404


async def test_oversized_values_are_refused_not_truncated(api):
    row = "Help Desk Certificate,,,,,Fix printers," + "L" * 600 + ",,,"
    response = await import_csv(api, [row])
    assert response.status_code == 400
    assert "label is 600 characters long; at most 500" in response.json()["detail"]


async def test_openapi_documents_the_credentials_routes(client):
    document = (await client.get("/schema/openapi.json")).json()
    operations = {
        op.get("operationId")
        for path in document["paths"].values()
        for op in path.values()
        if isinstance(op, dict)
    }
    assert {
        "listCredentials",
        "createCredential",
        "importCredentials",
        "getCredential",
        "updateCredential",
        "deleteCredential",
        "exportCredentialCtdl",
        "exportCredentialCase",
        "relinkCredential",
        "reviewCompetencySkill",
        "addCompetencySkill",
        "updateCompetency",
    } <= operations
    importing = document["paths"]["/api/v1/credentials/import"]["post"]
    assert set(importing["requestBody"]["content"]) == {"application/ld+json", "application/json", "text/csv"}
    assert {"400", "415", "503"} <= set(importing["responses"])
    for kind in ("ctdl", "case"):
        export = document["paths"][f"/api/v1/credentials/{{credential_id}}/{kind}"]["get"]
        assert [p["name"] for p in export["parameters"] if p["in"] == "query"] == ["suggested"]
        assert "404" in export["responses"]


async def test_a_published_ctid_is_adopted_by_the_credential_made_without_one(api):
    created = (await import_csv(api)).json()["credentials"][0]
    before = (await api.get(f"/api/v1/credentials/{created['id']}")).json()
    published = "ce-12345678-1234-4234-8234-123456789abc"
    rows = [CSV_ROWS[0].replace("Help Desk Certificate,", f"Help Desk Certificate,{published},", 1)]
    head = CSV_HEAD.replace("credential_name,", "credential_name,credential_ctid,", 1)
    body = head + "\n".join(
        rows + [r.replace("Help Desk Certificate,", "Help Desk Certificate,,", 1) for r in CSV_ROWS[1:]]
    )
    response = await api.post(
        "/api/v1/credentials/import", content=body.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    [result] = response.json()["credentials"]
    assert result["id"] == created["id"] and result["competencies_unchanged"] == 3
    after = (await api.get(f"/api/v1/credentials/{created['id']}")).json()
    assert after["ctid"] == published != before["ctid"]
    # another credential of the same name with its own publisher CTID is a different credential
    other = body.replace(published, "ce-99999999-1234-4234-8234-123456789abc")
    again = (
        await api.post(
            "/api/v1/credentials/import", content=other.encode(), headers={"Content-Type": "text/csv"}
        )
    ).json()
    assert again["credentials"][0]["id"] != created["id"]


async def test_reimport_after_delete_restores_with_its_reviews(api):
    [created] = (await import_csv(api)).json()["credentials"]
    credential = (await api.get(f"/api/v1/credentials/{created['id']}")).json()
    link = next(link for c in credential["competencies"] for link in c["links"])
    await api.patch(f"/api/v1/competency-skills/{link['id']}", json={"status": "rejected"})
    assert (await api.delete(f"/api/v1/credentials/{created['id']}")).status_code == 204
    assert (
        await api.patch(f"/api/v1/competency-skills/{link['id']}", json={"status": "confirmed"})
    ).status_code == 404
    [again] = (await import_csv(api)).json()["credentials"]
    assert again["id"] == created["id"] and again["competencies_unchanged"] == 3
    restored = (await api.get(f"/api/v1/credentials/{created['id']}")).json()
    statuses = {x["id"]: x["status"] for c in restored["competencies"] for x in c["links"]}
    assert statuses[link["id"]] == "rejected"


async def test_csv_export_edit_and_reimport_keeps_the_competency(api, other_api):
    [created] = (await import_csv(api)).json()["credentials"]
    credential = (await api.get(f"/api/v1/credentials/{created['id']}")).json()
    target = credential["competencies"][1]
    link = target["links"][0]
    await api.patch(f"/api/v1/competency-skills/{link['id']}", json={"status": "confirmed"})

    exported = await api.get(f"/api/v1/credentials/{created['id']}/csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="Help-Desk-Certificate.csv"' in exported.headers["content-disposition"]
    assert (await other_api.get(f"/api/v1/credentials/{created['id']}/csv")).status_code == 404

    edited = exported.text.replace("retrieve data from", "retrieve and summarise data from")
    assert edited != exported.text
    response = await api.post(
        "/api/v1/credentials/import", content=edited.encode(), headers={"Content-Type": "text/csv"}
    )
    [result] = response.json()["credentials"]
    assert (result["competencies_updated"], result["competencies_added"], result["competencies_removed"]) == (
        1,
        0,
        0,
    )
    after = (await api.get(f"/api/v1/credentials/{created['id']}")).json()
    same = after["competencies"][1]
    assert same["id"] == target["id"] and "summarise" in same["text"]
    assert {x["id"]: x["status"] for x in same["links"]}[link["id"]] == "confirmed"
