"""The Credential Registry's pure part: telling a `{"ctid"}` / `{"url"}` request from a document, where a
reference is fetched, which references a credential has, the assembled graph, and the reader reading what a
required learning opportunity teaches."""

from __future__ import annotations

import json

import pytest

from service.credentials.formats.ctdl_read import read_ctdl
from service.credentials.formats.registry_graph import (
    NotACredential,
    RegistryRequest,
    RegistryRequestError,
    assemble,
    fetch_url,
    graph_url,
    is_known,
    known_ids,
    references,
    registry_request,
    the_credential,
)

BASE = "https://credentialengineregistry.org"
CTID = "ce-edc318c1-aa67-47e2-9638-a8529e6612d4"
FW = f"{BASE}/resources/ce-11111111-1111-4111-8111-111111111111"
C1 = f"{BASE}/resources/ce-22222222-2222-4222-8222-222222222222"
C2 = f"{BASE}/resources/ce-33333333-3333-4333-8333-333333333333"
PROGRAM = "https://college.example/programs/network.json"


def body(document: object) -> bytes:
    return json.dumps(document).encode()


def test_a_one_key_ctid_or_url_object_is_a_registry_request():
    assert registry_request(body({"ctid": CTID.upper()}), "application/json") == RegistryRequest(ctid=CTID)
    url = "https://registry.example/resources/x.json"
    assert registry_request(body({"url": f" {url} "}), "application/json") == RegistryRequest(url=url)


@pytest.mark.parametrize(
    ("document", "media"),
    [
        ({"ctid": CTID}, "application/ld+json"),  # JSON-LD is always a document
        ({"ctid": CTID}, "text/csv"),
        ({"CFDocument": {}, "CFItems": []}, "application/json"),
        ({"ctid": CTID, "name": "x"}, "application/json"),  # other keys: a document for the readers
        ({}, "application/json"),
        ([{"ctid": CTID}], "application/json"),
        ({"@graph": []}, "application/json"),
    ],
)
def test_anything_else_is_a_document_for_the_file_importers(document, media):
    assert registry_request(body(document), media) is None


def test_not_json_and_large_bodies_are_documents():
    assert registry_request(b"ctid,name\n", "application/json") is None
    assert registry_request(body({"url": "https://x.example/" + "a" * 5000}), "application/json") is None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"ctid": "ce-1234"}, "ctid 'ce-1234' is not a CTID: ce- followed by a UUID"),
        ({"ctid": "edc318c1-aa67-47e2-9638-a8529e6612d4"}, "is not a CTID"),
        ({"ctid": None}, "ctid must be a non-empty string"),
        ({"url": ""}, "url must be a non-empty string"),
        ({"url": "file:///etc/passwd"}, "url 'file:///etc/passwd' is not an http(s) URL"),
        ({"url": "registry.example/ce"}, "is not an http(s) URL"),
        ({"ctid": CTID, "url": "https://x.example/"}, 'send either "ctid" or "url", not both'),
    ],
)
def test_a_bad_request_says_what_is_wrong(document, message):
    with pytest.raises(RegistryRequestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        registry_request(body(document), "application/json")


def test_registry_resources_are_fetched_as_graphs_and_other_urls_as_they_are():
    assert graph_url(BASE + "/", CTID) == f"{BASE}/graph/{CTID}"
    assert fetch_url(f"{BASE}/resources/{CTID}", BASE) == f"{BASE}/graph/{CTID}"
    assert fetch_url(CTID.upper(), BASE) == f"{BASE}/graph/{CTID}"
    # another host's /resources/ path is that publisher's, not the registry's
    assert (
        fetch_url(f"https://other.example/resources/{CTID}", BASE)
        == f"https://other.example/resources/{CTID}"
    )
    assert fetch_url(PROGRAM, BASE) == PROGRAM
    assert fetch_url("_:b0", BASE) is None and fetch_url("urn:x:1", BASE) is None


def credential(**extra: object) -> dict:
    return {
        "@id": f"{BASE}/resources/{CTID}",
        "@type": "ceterms:Certificate",
        "ceterms:ctid": CTID,
        "ceterms:name": {"en-US": "Network Certificate"},
        **extra,
    }


REQUIRES = [
    {
        "@type": "ceterms:ConditionProfile",
        "ceterms:targetCompetency": [
            {"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": FW, "ceterms:targetNode": C1},
            {"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": FW, "ceterms:targetNode": C2},
            C2,
        ],
        "ceterms:targetLearningOpportunity": [PROGRAM, "_:blank"],
    },
    "https://registry.example/shared-condition-profile",  # a reference: not followed
]


def test_references_are_frameworks_first_then_targets_then_learning_opportunities():
    assert references(credential(**{"ceterms:requires": REQUIRES})) == [FW, C1, C2, PROGRAM]
    assert references(credential()) == []


def test_known_references_are_not_fetched_again():
    known = known_ids([{"@id": FW, "ceterms:ctid": "ce-11111111-1111-4111-8111-111111111111"}])
    assert is_known(FW, known) and is_known("ce-11111111-1111-4111-8111-111111111111", known)
    assert is_known(f"https://sandbox.example/graph/{FW.rsplit('/', 1)[1]}", known)  # same CTID
    assert not is_known(C1, known) and not is_known(PROGRAM, known)


def test_the_resource_must_be_one_credential():
    assert the_credential([{"@type": "ceterms:Organization"}, credential()], CTID)["ceterms:ctid"] == CTID
    with pytest.raises(NotACredential, match=rf"{CTID} is not a credential \(ceterms:LearningProgram\)"):
        the_credential([{"@type": "ceterms:LearningProgram"}], CTID)
    with pytest.raises(NotACredential, match="holds 2 credentials"):
        the_credential([credential(), credential()], CTID)


def competency(ident: str, text: str) -> dict:
    return {
        "@id": ident,
        "@type": "ceasn:Competency",
        "ceasn:competencyText": {"en-US": text},
        "ceasn:isPartOf": [FW],
    }


def test_the_assembled_graph_reads_as_the_credential_with_its_frameworks_competencies():
    root = [
        credential(**{"ceterms:requires": REQUIRES[:1]}),
        {"@id": "_:org", "@type": "ceterms:Organization"},
    ]
    framework = [
        {"@context": "x", "@id": FW, "@type": "ceasn:CompetencyFramework", "ceasn:name": {"en": "Net"}},
        competency(C1, "Configure routers"),
        competency(C2, "Troubleshoot TCP/IP"),
    ]
    program = [
        {"@id": PROGRAM, "@type": "ceterms:LearningProgram", "ceterms:name": {"en": "Program"}},
        competency(C1, "a second copy: the first seen wins"),
        credential(),  # a credential in a fetched graph is never a second import
    ]
    graph = assemble(root, [framework, program])
    assert [n.get("@id") for n in graph["@graph"]] == [root[0]["@id"], "_:org", FW, C1, C2, PROGRAM]
    assert all("@context" not in n for n in graph["@graph"])
    [parsed] = read_ctdl(graph)
    assert parsed.ctid == CTID and [c.text for c in parsed.competencies] == [
        "Configure routers",
        "Troubleshoot TCP/IP",
    ]
    assert parsed.framework_ctid == "ce-11111111-1111-4111-8111-111111111111"


def test_the_reader_takes_what_a_required_learning_opportunity_teaches():
    teaches = [
        {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": C1},
        {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:targetNode": f"{BASE}/resources/ce-55555555-5555-4555-8555-555555555555",
            "ceterms:targetNodeName": {"en": "Subnetting"},
            "ceterms:targetNodeDescription": {"en": "Design IP subnets for a branch office"},
        },
    ]
    profile = {"@type": "ceterms:ConditionProfile", "ceterms:targetLearningOpportunity": [PROGRAM]}
    nodes = [
        credential(**{"ceterms:requires": [profile]}),
        {"@id": PROGRAM, "@type": "ceterms:LearningProgram", "ceterms:teaches": teaches},
        competency(C1, "Configure routers"),
        competency(C2, "Not taught by the program"),
    ]
    [parsed] = read_ctdl({"@graph": nodes})
    assert [(c.text, c.label, c.ext_id) for c in parsed.competencies] == [
        ("Configure routers", None, "ce-22222222-2222-4222-8222-222222222222"),
        ("Design IP subnets for a branch office", "Subnetting", "ce-55555555-5555-4555-8555-555555555555"),
    ]
    # a required learning opportunity not in the graph (published elsewhere) adds nothing
    [alone] = read_ctdl({"@graph": [nodes[0], nodes[2]]})
    assert [c.text for c in alone.competencies] == ["Configure routers"]  # the lone-credential fallback
