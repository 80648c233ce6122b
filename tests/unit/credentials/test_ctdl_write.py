"""The CTDL-ASN export: valid against the Credential Registry's JSON Schemas, and read back unchanged."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest

from service.credentials.formats import ParsedAlignment, ParsedCompetency, ParsedCredential
from service.credentials.formats.csv_read import read_csv
from service.credentials.formats.ctdl_read import read_ctdl
from service.credentials.formats.ctdl_write import write_ctdl
from tests.support.reference import shared

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples" / "credentials").glob("*.jsonld"))
REQUIRED_COMPETENCY_FIELDS = ("@id", "ceterms:ctid", "ceasn:competencyText", "ceasn:isPartOf")


def _validator(name: str) -> jsonschema.Draft4Validator:
    # Credential Engine's CTDL JSON Schemas have no licence: read from ../shared, never copied
    schema = json.loads(shared("ctdl", "validation-schema", name).read_text())
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


@cache
def _validators() -> dict[str, jsonschema.Draft4Validator]:
    return {
        "credential": _validator("credentialSchema.json"),
        "framework": _validator("competency_framework.json"),
        "competency": _validator("competency.json"),
    }


def validate_export(document: dict) -> None:
    """Every node of an export against the registry schema of its class."""
    for node in document["@graph"]:
        kind = node["@type"]
        validator = _validators()[
            "framework"
            if kind == "ceasn:CompetencyFramework"
            else "competency"
            if kind == "ceasn:Competency"
            else "credential"
        ]
        errors = sorted(validator.iter_errors(node), key=lambda e: list(e.path))
        assert not errors, f"{node['@id']}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def sample() -> ParsedCredential:
    base = "ce-00000000-0000-4000-8000-00000000000"
    return ParsedCredential(
        name="Network Technician Certificate",
        source_format="ctdl",
        ctid=base + "1",
        description="Networks.",
        url="https://college.example/net",
        type="Certification",
        occupations=["15-1231.00", "15-1244"],
        region="Ohio",
        language="en",
        framework_ctid=base + "2",
        extra={"ctdl": {"ceterms:ownedBy": ["https://college.example/#org"]}},
        is_part_of=[base + "9"],
        competencies=[
            ParsedCompetency(
                text="Configure routers and switches",
                ext_id=base + "3",
                label="Routing",
                category="Networking",
                coded_notation="N.1",
                level=4,
                domain="specialized",
                alignments=[
                    ParsedAlignment("http://data.europa.eu/esco/skill/x", True),
                    ParsedAlignment("urn:onet:tech:cisco-ios", False),
                ],
            ),
            ParsedCompetency(
                text="Subnet IPv4 networks", ext_id=base + "4", parent_ext_id=base + "3", level=5
            ),
            ParsedCompetency(text="Explain network security basics", ext_id=base + "5", domain="knowledge"),
        ],
    )


def test_export_validates_and_carries_the_required_fields():
    document = write_ctdl(sample(), author="Lakeshore Community College")
    validate_export(document)
    competencies = [n for n in document["@graph"] if n["@type"] == "ceasn:Competency"]
    assert len(competencies) == 3
    for node in competencies:
        assert all(node.get(field) for field in REQUIRED_COMPETENCY_FIELDS)
    [framework] = [n for n in document["@graph"] if n["@type"] == "ceasn:CompetencyFramework"]
    assert framework["ceasn:inLanguage"] == ["en"]
    assert competencies[0]["ceasn:exactAlignment"] == ["http://data.europa.eu/esco/skill/x"]
    assert competencies[0]["ceasn:broadAlignment"] == ["urn:onet:tech:cisco-ios"]
    assert competencies[1]["ceasn:isChildOf"] == [competencies[0]["@id"]]


def test_an_invalid_node_is_caught_by_the_schemas():
    document = write_ctdl(sample(), author="x")
    del document["@graph"][2]["ceasn:competencyText"]
    with pytest.raises(AssertionError, match="competencyText"):
        validate_export(document)


def test_round_trip_gives_back_the_same_credential():
    original = sample()
    [back] = read_ctdl(write_ctdl(original, author="x"))
    for field in (
        "name",
        "ctid",
        "description",
        "url",
        "type",
        "occupations",
        "region",
        "language",
        "framework_ctid",
        "is_part_of",
        "has_part",
    ):
        assert getattr(back, field) == getattr(original, field), field
    assert back.competencies == original.competencies


def test_framework_only_credential_exports_without_a_credential_node():
    framework = sample()
    framework.type = "CompetencyFramework"
    document = write_ctdl(framework, author="State Board")
    assert {n["@type"] for n in document["@graph"]} == {"ceasn:CompetencyFramework", "ceasn:Competency"}
    validate_export(document)
    [back] = read_ctdl(document)
    assert back.type == "CompetencyFramework" and [c.text for c in back.competencies] == [
        c.text for c in framework.competencies
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_validate_round_trip_and_match_their_csv(path):
    document = json.loads(path.read_text())
    validate_export(document)
    [credential] = read_ctdl(document)
    assert 8 <= len(credential.competencies) <= 25
    assert credential.occupations and all(len(code) == 10 for code in credential.occupations)
    assert write_ctdl(credential, author="Lakeshore Community College") == document
    [from_csv] = read_csv(path.with_suffix(".csv").read_bytes())
    for field in ("name", "ctid", "description", "url", "type", "occupations", "region"):
        assert getattr(from_csv, field) == getattr(credential, field), field
    assert [(c.text, c.label, c.category, c.level, c.domain, c.ext_id) for c in from_csv.competencies] == [
        (c.text, c.label, c.category, c.level, c.domain, c.ext_id) for c in credential.competencies
    ]


def test_there_are_six_examples():
    assert len(EXAMPLES) >= 6
