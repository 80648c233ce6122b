"""CTDL JSON-LD reading: graphs, nodes, registry envelopes, competencies, errors naming node and field."""

from __future__ import annotations

import base64
import json

import pytest

from service.credentials.formats import CredentialFormatError, read_credential_document
from service.credentials.formats.ctdl_read import read_ctdl
from tests.support.reference import shared

FRAMEWORK = "https://credentialengineregistry.org/resources/ce-11111111-1111-4111-8111-111111111111"
C1 = "https://credentialengineregistry.org/resources/ce-22222222-2222-4222-8222-222222222222"
C2 = "https://credentialengineregistry.org/resources/ce-33333333-3333-4333-8333-333333333333"


def graph(*nodes: dict) -> dict:
    return {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": list(nodes)}


CREDENTIAL = {
    "@id": "https://credentialengineregistry.org/resources/ce-44444444-4444-4444-8444-444444444444",
    "@type": "ceterms:MicroCredential",
    "ceterms:ctid": "ce-44444444-4444-4444-8444-444444444444",
    "ceterms:name": {"en-US": "Network Basics Micro-credential"},
    "ceterms:description": {"en-US": "Short course."},
    "ceterms:subjectWebpage": "https://college.example/network",
    "ceterms:occupationType": [
        {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:codedNotation": "15-1231.00",
            "ceterms:targetNodeName": {"en": "Computer Network Support Specialists"},
        },
        {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:targetNode": "https://www.onetonline.org/link/summary/15-1244.00",
        },
        {
            "@type": "ceterms:CredentialAlignmentObject",
            "ceterms:targetNodeName": {"en": "Help desk technician"},
        },
    ],
    "ceterms:requires": [
        {
            "@type": "ceterms:ConditionProfile",
            "ceterms:description": {"en": "Competencies"},
            "ceterms:targetCompetency": [
                {
                    "@type": "ceterms:CredentialAlignmentObject",
                    "ceterms:targetNode": C1,
                    "ceterms:targetNodeName": {"en": "Subnetting"},
                    "ceterms:framework": FRAMEWORK,
                },
                {
                    "@type": "ceterms:CredentialAlignmentObject",
                    "ceterms:targetNode": C2,
                    "ceterms:framework": FRAMEWORK,
                },
            ],
        }
    ],
    "ceterms:isPartOf": [
        "https://credentialengineregistry.org/resources/ce-55555555-5555-4555-8555-555555555555"
    ],
    "ceterms:region": [{"@type": "ceterms:Place", "ceterms:name": {"en": "Ohio"}}],
}
FRAMEWORK_NODE = {
    "@id": FRAMEWORK,
    "@type": "ceasn:CompetencyFramework",
    "ceterms:ctid": "ce-11111111-1111-4111-8111-111111111111",
    "ceasn:name": {"en": "Network Basics Framework"},
    "ceasn:description": {"en": "Framework."},
    "ceasn:inLanguage": ["en"],
}
COMPETENCY_1 = {
    "@id": C1,
    "@type": "ceasn:Competency",
    "ceterms:ctid": "ce-22222222-2222-4222-8222-222222222222",
    "ceasn:competencyText": {"en-US": "Divide an IPv4 network into subnets"},
    "ceasn:isPartOf": [FRAMEWORK],
    "ceasn:competencyCategory": [{"en": "Addressing"}],
    "ceasn:codedNotation": "NB.1",
    "ceasn:complexityLevel": [
        {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNodeName": {"en": "Level 4"}}
    ],
    "ceasn:exactAlignment": ["http://data.europa.eu/esco/skill/abc"],
}
COMPETENCY_2 = {
    "@id": C2,
    "@type": "ceasn:Competency",
    "ceterms:ctid": "ce-33333333-3333-4333-8333-333333333333",
    "ceasn:competencyText": {"es": "Configurar enrutadores", "en": "Configure routers"},
    "ceasn:isPartOf": [FRAMEWORK],
    "ceasn:isChildOf": [C1],
    "ceasn:conceptTerm": [
        "urn:connecting-credentials:level:5",
        "urn:connecting-credentials:domain:specialized",
    ],
    "ceasn:broadAlignment": ["urn:onet:tech:cisco-ios"],
}


def test_credential_with_framework_and_targeted_competencies():
    [credential] = read_ctdl(graph(CREDENTIAL, FRAMEWORK_NODE, COMPETENCY_1, COMPETENCY_2))
    assert credential.name == "Network Basics Micro-credential"
    assert credential.type == "MicroCredential"
    assert credential.ctid == "ce-44444444-4444-4444-8444-444444444444"
    assert credential.url == "https://college.example/network"
    assert credential.occupations == ["15-1231.00", "15-1244.00"]
    assert credential.occupation_titles == ["Help desk technician"]
    assert credential.region == "Ohio"
    assert credential.framework_ctid == "ce-11111111-1111-4111-8111-111111111111"
    assert credential.is_part_of == ["ce-55555555-5555-4555-8555-555555555555"]
    first, second = credential.competencies
    assert (first.text, first.label, first.category, first.coded_notation, first.level) == (
        "Divide an IPv4 network into subnets",
        "Subnetting",
        "Addressing",
        "NB.1",
        4,
    )
    assert [(a.uri, a.exact) for a in first.alignments] == [("http://data.europa.eu/esco/skill/abc", True)]
    assert second.text == "Configure routers"  # English preferred over the first language given
    assert (second.level, second.domain) == (5, "specialized")
    assert second.parent_ext_id == first.ext_id == "ce-22222222-2222-4222-8222-222222222222"
    assert [(a.uri, a.exact) for a in second.alignments] == [("urn:onet:tech:cisco-ios", False)]


def test_lone_credential_without_targets_takes_every_competency_of_the_graph():
    lone = {k: v for k, v in CREDENTIAL.items() if k != "ceterms:requires"}
    lone["@type"] = "ceterms:AssociateOfAppliedScienceDegree"
    [credential] = read_ctdl(graph(lone, FRAMEWORK_NODE, COMPETENCY_1, COMPETENCY_2))
    assert credential.type == "AssociateOfAppliedScienceDegree"
    assert [c.text for c in credential.competencies] == [
        "Divide an IPv4 network into subnets",
        "Configure routers",
    ]


def test_framework_without_credential_becomes_a_framework_credential():
    [credential] = read_ctdl(graph(FRAMEWORK_NODE, COMPETENCY_1, COMPETENCY_2))
    assert credential.type == "CompetencyFramework"
    assert credential.name == "Network Basics Framework"
    assert credential.ctid == credential.framework_ctid == "ce-11111111-1111-4111-8111-111111111111"
    assert len(credential.competencies) == 2


def test_inline_target_competencies_are_read_from_the_alignment_object():
    node = dict(
        CREDENTIAL,
        **{
            "ceterms:requires": [
                {
                    "@type": "ceterms:ConditionProfile",
                    "ceterms:targetCompetency": [
                        {
                            "@type": "ceterms:CredentialAlignmentObject",
                            "ceterms:targetNodeName": {"en": "Customer service"},
                            "ceterms:targetNodeDescription": {"en": "Resolve customer complaints politely"},
                        },
                        {
                            "@type": "ceterms:CredentialAlignmentObject",
                            "ceterms:targetNodeName": {"en": "Teamwork"},
                        },
                    ],
                }
            ]
        },
    )
    [credential] = read_ctdl(graph(node))
    assert [(c.text, c.label) for c in credential.competencies] == [
        ("Resolve customer complaints politely", "Customer service"),
        ("Teamwork", None),
    ]


def test_registry_envelope_with_decoded_resource_and_jwt():
    document = graph(CREDENTIAL, FRAMEWORK_NODE, COMPETENCY_1, COMPETENCY_2)
    envelope = {
        "envelope_type": "resource_data",
        "envelope_community": "ce_registry",
        "decoded_resource": document,
    }
    assert read_ctdl(envelope)[0].name == "Network Basics Micro-credential"
    payload = base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")
    signed = {
        "envelope_type": "resource_data",
        "resource": f"eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln",
        "resource_format": "json",
    }
    assert len(read_ctdl(signed)[0].competencies) == 2
    publish = {"PublishForOrganizationIdentifier": "ce-x", "GraphInput": document}
    assert read_ctdl(publish)[0].framework_ctid == "ce-11111111-1111-4111-8111-111111111111"


def test_errors_name_the_node_and_the_field():
    broken = dict(COMPETENCY_2)
    del broken["ceasn:competencyText"]
    with pytest.raises(
        CredentialFormatError,
        match=r'node "https://credentialengineregistry.org/resources/ce-3333.*ceasn:Competency.*'
        r"ceasn:competencyText is required",
    ):
        read_ctdl(graph(CREDENTIAL, FRAMEWORK_NODE, COMPETENCY_1, broken))
    nameless = {k: v for k, v in CREDENTIAL.items() if k != "ceterms:name"}
    with pytest.raises(CredentialFormatError, match="ceterms:MicroCredential.*ceterms:name is required"):
        read_ctdl(graph(nameless))
    bad_code = dict(CREDENTIAL, **{"ceterms:occupationType": [{"ceterms:codedNotation": "welder"}]})
    with pytest.raises(CredentialFormatError, match=r"occupationType\[0\].ceterms:codedNotation 'welder'"):
        read_ctdl(graph(bad_code))
    with pytest.raises(CredentialFormatError, match="no credential"):
        read_ctdl(graph({"@type": "ceterms:CredentialOrganization", "ceterms:name": {"en": "Org"}}))
    aligned = dict(COMPETENCY_1, **{"ceasn:exactAlignment": ["javascript:alert(1)"]})
    with pytest.raises(
        CredentialFormatError, match="ceasn:exactAlignment 'javascript:alert.*is not a concept URI"
    ):
        read_ctdl(graph(CREDENTIAL, FRAMEWORK_NODE, aligned, COMPETENCY_2))
    scripted = dict(CREDENTIAL, **{"ceterms:subjectWebpage": "javascript:alert(1)"})
    with pytest.raises(
        CredentialFormatError, match="ceterms:subjectWebpage 'javascript:alert\\(1\\)' is not an http"
    ):
        read_ctdl(graph(scripted))
    with pytest.raises(CredentialFormatError, match=r"@graph\[1\]: each node must be a JSON object"):
        read_ctdl({"@graph": [CREDENTIAL, "oops"]})
    with pytest.raises(CredentialFormatError, match="not valid JSON"):
        read_credential_document(b"{nope", "application/ld+json")


def test_the_registry_ingest_examples_read():
    """The Credential Engine ingest examples (shared test data): credentials without competencies."""
    examples = shared("ctdl", "registry-ingest-examples")
    for name in ("Credential-1.json", "Credential-1-graph.json"):
        document = json.loads((examples / "Credential" / "1" / name).read_text())
        [credential] = read_ctdl(document)
        assert credential.name == "Bachelor of Science in Cybersecurity"
        assert credential.type == "BachelorDegree"
        assert credential.ctid and credential.ctid.startswith("ce-")
        assert credential.url and credential.url.startswith("http")
        assert credential.competencies == []
        assert credential.extra["ctdl"]["ceterms:ownedBy"]
    programme = json.loads((examples / "LearningProgram" / "1" / "LearningProgram-1-graph.json").read_text())
    with pytest.raises(CredentialFormatError, match="no credential"):
        read_ctdl(programme)  # a learning programme is not a credential
