"""The CTDL and CASE exports through the API: which links travel as which alignment, suggested links only on
request, publisher and stable ids, schema validity, and both exports read back by the importers."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_credentials_ctdl import LD, comparable, import_example
from tests.unit.credentials.test_ctdl_write import validate_export

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "credentials"
KINDS = ("exact", "major", "broad", "minor")


def alignments(document: dict) -> dict[str, dict[str, list[str]]]:
    """ctid → kind → concept URIs, for the competencies of a CTDL export."""
    return {
        node["ceterms:ctid"]: {k: node.get(f"ceasn:{k}Alignment", []) for k in KINDS}
        for node in document["@graph"]
        if node["@type"] == "ceasn:Competency"
    }


def expected_kind(link: dict) -> str:
    return "exact" if link["score"] >= 0.9 else "major" if link["score"] >= 0.8 else "broad"


async def test_ctdl_alignments_follow_review_and_strength(api, other_api):
    result = await import_example(api, "cybersecurity.jsonld")
    credential = (await api.get(f"/api/v1/credentials/{result['id']}")).json()
    first, second = credential["competencies"][:2]
    machine = [link for c in credential["competencies"] for link in c["links"]]
    assert len(machine) >= 3
    confirmed, rejected = machine[0], machine[1]
    await api.patch(f"/api/v1/competency-skills/{confirmed['id']}", json={"status": "confirmed"})
    await api.patch(f"/api/v1/competency-skills/{rejected['id']}", json={"status": "rejected"})
    # a designer's own link is the competency itself: an exact alignment
    added = await api.post(
        "/api/v1/competency-skills",
        json={"competency_id": second["id"], "concept_id": rejected["concept_id"]},
    )
    assert added.status_code in (200, 201), added.text
    credential = (await api.get(f"/api/v1/credentials/{result['id']}")).json()
    by_id = {c["id"]: c for c in credential["competencies"]}

    response = await api.get(f"/api/v1/credentials/{result['id']}/ctdl")
    assert response.status_code == 200
    document = response.json()
    validate_export(document)
    found = alignments(document)
    for c in credential["competencies"]:
        want = {k: [] for k in KINDS}
        for link in c["links"]:
            if link["status"] == "confirmed":
                want[expected_kind(link)].append(link["concept_id"])
        assert {k: sorted(v) for k, v in found[c["ext_id"]].items()} == {
            k: sorted(v) for k, v in want.items()
        }
    assert by_id[second["id"]]["ext_id"] and rejected["concept_id"] in found[second["ext_id"]]["exact"]
    assert not any(kinds["minor"] for kinds in found.values())

    # unreviewed links only when asked, as minor alignments; rejected ones never
    response = await api.get(f"/api/v1/credentials/{result['id']}/ctdl", params={"suggested": "true"})
    with_suggested = response.json()
    validate_export(with_suggested)
    minor = {
        (c["ext_id"], link["concept_id"])
        for c in credential["competencies"]
        for link in c["links"]
        if link["status"] == "suggested"
    }
    assert (
        minor
        and {(ctid, uri) for ctid, k in alignments(with_suggested).items() for uri in k["minor"]} == minor
    )
    assert (await api.get(f"/api/v1/credentials/{result['id']}/ctdl?suggested=maybe")).status_code == 400

    # read back elsewhere: the confirmed links are confirmed there, the suggested ones are not
    copied = await other_api.post("/api/v1/credentials/import", content=response.content, headers=LD)
    assert copied.status_code == 200, copied.text
    copy = (await other_api.get(f"/api/v1/credentials/{copied.json()['credentials'][0]['id']}")).json()
    assert comparable(copy) == comparable(credential)
    again = alignments((await other_api.get(f"/api/v1/credentials/{copy['id']}/ctdl")).json())
    assert again == alignments(document)


async def test_imported_major_and_broad_alignments_keep_their_kind(api):
    document = json.loads((EXAMPLES / "welding.jsonld").read_text())
    node = next(n for n in document["@graph"] if n["@type"] == "ceasn:Competency")
    node["ceasn:exactAlignment"] = ["http://data.europa.eu/esco/skill/0a0b0c0d-0000-4000-8000-000000000001"]
    node["ceasn:majorAlignment"] = ["http://data.europa.eu/esco/skill/0a0b0c0d-0000-4000-8000-000000000002"]
    node["ceasn:broadAlignment"] = ["urn:onet:tech:lincoln-electric-welders"]
    response = await api.post("/api/v1/credentials/import", json=document, headers=LD)
    assert response.status_code == 200, response.text
    exported = (await api.get(f"/api/v1/credentials/{response.json()['credentials'][0]['id']}/ctdl")).json()
    validate_export(exported)
    assert alignments(exported)[node["ceterms:ctid"]] == {
        "exact": node["ceasn:exactAlignment"],
        "major": node["ceasn:majorAlignment"],
        "broad": node["ceasn:broadAlignment"],
        "minor": [],
    }
    framework = next(n for n in exported["@graph"] if n["@type"] == "ceasn:CompetencyFramework")
    owner = next(n for n in exported["@graph"] if n["@type"] == "ceterms:Certificate")
    assert framework["ceasn:publisher"] == owner["ceterms:ownedBy"] and owner["ceterms:subjectWebpage"]


async def test_case_export_is_stable_and_reads_back(api, other_api):
    result = await import_example(api, "welding.jsonld")
    credential = (await api.get(f"/api/v1/credentials/{result['id']}")).json()
    links = [link for c in credential["competencies"] for link in c["links"]]
    await api.patch(f"/api/v1/competency-skills/{links[0]['id']}", json={"status": "confirmed"})
    credential = (await api.get(f"/api/v1/credentials/{result['id']}")).json()

    response = await api.get(f"/api/v1/credentials/{result['id']}/case")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    package = response.json()
    assert (await api.get(f"/api/v1/credentials/{result['id']}/case")).json() == package
    assert package["CFDocument"]["identifier"] == credential["framework_ctid"].removeprefix("ce-")
    assert [i["identifier"] for i in package["CFItems"]] == [
        c["ext_id"].removeprefix("ce-") for c in credential["competencies"]
    ]
    exact = [a for a in package["CFAssociations"] if a["associationType"] in ("exactMatchOf", "isRelatedTo")]
    assert [a["destinationNodeURI"]["uri"] for a in exact] == [links[0]["concept_id"]]
    suggested = (await api.get(f"/api/v1/credentials/{result['id']}/case?suggested=true")).json()
    assert len(suggested["CFAssociations"]) > len(package["CFAssociations"])

    imported = await other_api.post("/api/v1/credentials/import", json=suggested)
    assert imported.status_code == 200, imported.text
    assert imported.json()["format"] == "case"
    [made] = imported.json()["credentials"]
    copy = (await other_api.get(f"/api/v1/credentials/{made['id']}")).json()
    assert copy["type"] == "CompetencyFramework" and copy["name"] == package["CFDocument"]["title"]
    fields = ("ext_id", "text", "label", "category", "coded_notation", "level", "domain")
    assert [{k: c[k] for k in fields} for c in copy["competencies"]] == [
        {k: c[k] for k in fields} for c in credential["competencies"]
    ]
    assert [
        sorted(link["concept_id"] for link in c["links"] if link["status"] == "confirmed")
        for c in copy["competencies"]
    ] == [
        sorted(link["concept_id"] for link in c["links"] if link["status"] == "confirmed")
        for c in credential["competencies"]
    ]
    again = (await other_api.post("/api/v1/credentials/import", json=package)).json()["credentials"][0]
    assert again["id"] == made["id"] and again["competencies_unchanged"] == len(package["CFItems"])


async def test_exports_of_unknown_or_foreign_credentials_are_404(api, other_api):
    result = await import_example(api, "it-support.jsonld")
    for kind in ("ctdl", "case"):
        assert (await other_api.get(f"/api/v1/credentials/{result['id']}/{kind}")).status_code == 404
        assert (await api.get(f"/api/v1/credentials/987654321/{kind}?suggested=true")).status_code == 404


async def test_a_case_framework_exported_and_imported_again_is_unchanged(api):
    package = {
        "CFDocument": {
            "identifier": "7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f",
            "title": "State Welding Standards",
            "creator": "State Board",
            "description": "What the state's welding programs teach.",
        },
        "CFItems": [
            {"identifier": "22222222-aaaa-4bbb-8ccc-000000000001", "fullStatement": "Welding processes"},
            {
                "identifier": "22222222-aaaa-4bbb-8ccc-000000000002",
                "fullStatement": "Perform gas metal arc welding on carbon steel",
                "humanCodingScheme": "W.1",
            },
        ],
        "CFAssociations": [
            {
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": "22222222-aaaa-4bbb-8ccc-000000000002"},
                "destinationNodeURI": {"identifier": "22222222-aaaa-4bbb-8ccc-000000000001"},
            }
        ],
    }
    [first] = (await api.post("/api/v1/credentials/import", json=package)).json()["credentials"]
    exported = (await api.get(f"/api/v1/credentials/{first['id']}/case")).json()
    assert exported["CFDocument"]["identifier"] == package["CFDocument"]["identifier"]
    assert exported["CFDocument"]["creator"] == "State Board"
    assert [i["identifier"] for i in exported["CFItems"]] == [i["identifier"] for i in package["CFItems"]]
    response = await api.post("/api/v1/credentials/import", json=exported)
    assert response.status_code == 200, response.text
    [again] = response.json()["credentials"]
    assert again["id"] == first["id"] and again["competencies_unchanged"] == 2 and not again["created"]
    credential = (await api.get(f"/api/v1/credentials/{first['id']}")).json()
    assert credential["competencies"][1]["parent_id"] == credential["competencies"][0]["id"]
