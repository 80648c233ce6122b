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
from tests.support.reference import SHARED_DATA

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples" / "credentials").glob("*.jsonld"))
REQUIRED_COMPETENCY_FIELDS = ("@id", "ceterms:ctid", "ceasn:competencyText", "ceasn:isPartOf")


SHIPPED_SCHEMAS = ROOT / "tests" / "support" / "ctdl_schema"


def _validator(path: Path) -> jsonschema.Draft4Validator:
    schema = json.loads(path.read_text())
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


@cache
def _validators() -> list[dict[str, jsonschema.Draft4Validator]]:
    """Our own schemas (tests/support/ctdl_schema, always), and Credential Engine's registry schemas too when
    the reference data beside the checkout holds them (they have no licence we could ship them under; see
    NOTICE)."""
    sets = [
        {
            "credential": _validator(SHIPPED_SCHEMAS / "credential.json"),
            "framework": _validator(SHIPPED_SCHEMAS / "competency_framework.json"),
            "competency": _validator(SHIPPED_SCHEMAS / "competency.json"),
        }
    ]
    registry = SHARED_DATA / "ctdl" / "validation-schema"
    if registry.is_dir():
        sets.append(
            {
                "credential": _validator(registry / "credentialSchema.json"),
                "framework": _validator(registry / "competency_framework.json"),
                "competency": _validator(registry / "competency.json"),
            }
        )
    return sets


def schema_errors(document: dict) -> list[str]:
    """Every node of an export against the schema of its class: what is wrong, by node and property path."""
    problems = []
    for validators in _validators():
        for node in document["@graph"]:
            kind = node["@type"]
            validator = validators[
                "framework"
                if kind == "ceasn:CompetencyFramework"
                else "competency"
                if kind == "ceasn:Competency"
                else "credential"
            ]
            errors = sorted(validator.iter_errors(node), key=lambda e: list(e.path))
            problems += [f"{node.get('@id')}: {list(e.path)}: {e.message}" for e in errors]
    return problems


def validate_export(document: dict) -> None:
    problems = schema_errors(document)
    assert not problems, "; ".join(problems[:5])


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


def test_link_strength_picks_the_alignment_and_suggested_links_do_not_come_back():
    credential = sample()
    credential.competencies[0].alignments = [
        ParsedAlignment("http://data.europa.eu/esco/skill/exact", True),
        ParsedAlignment("http://data.europa.eu/esco/skill/major", False, major=True),
        ParsedAlignment("https://www.onetonline.org/link/dwa/4.A.3.b.1", False),
        ParsedAlignment("http://data.europa.eu/esco/skill/unreviewed", False, suggested=True),
    ]
    document = write_ctdl(credential, author="Lakeshore Community College")
    validate_export(document)
    node = next(n for n in document["@graph"] if n.get("ceterms:ctid") == credential.competencies[0].ext_id)
    assert node["ceasn:exactAlignment"] == ["http://data.europa.eu/esco/skill/exact"]
    assert node["ceasn:majorAlignment"] == ["http://data.europa.eu/esco/skill/major"]
    assert node["ceasn:broadAlignment"] == ["https://www.onetonline.org/link/dwa/4.A.3.b.1"]
    assert node["ceasn:minorAlignment"] == ["http://data.europa.eu/esco/skill/unreviewed"]
    [back] = read_ctdl(document)
    assert [(a.uri, a.exact, a.major) for a in back.competencies[0].alignments] == [
        ("http://data.europa.eu/esco/skill/exact", True, False),
        ("http://data.europa.eu/esco/skill/major", False, True),
        ("https://www.onetonline.org/link/dwa/4.A.3.b.1", False, False),
    ]


def test_ids_live_under_the_base_url_and_the_publisher_is_named():
    base = "https://credentials.lakeshore.example.edu/ctdl/"
    credential = sample()
    document = write_ctdl(credential, author="Lakeshore Community College", base_url=base)
    validate_export(document)
    assert document["@id"] == base + "graph/" + credential.framework_ctid
    ids = [n["@id"] for n in document["@graph"]]
    assert ids == [
        base + ctid
        for ctid in [credential.ctid, credential.framework_ctid] + [c.ext_id for c in credential.competencies]
    ]
    credential_node, framework = document["@graph"][:2]
    assert credential_node["ceterms:ownedBy"] == ["https://college.example/#org"]
    assert credential_node["ceterms:subjectWebpage"] == "https://college.example/net"
    assert credential_node["ceterms:isPartOf"] == [base + "ce-00000000-0000-4000-8000-000000000009"]
    assert framework["ceasn:publisher"] == ["https://college.example/#org"]
    assert framework["ceasn:publisherName"] == [{"en": "Lakeshore Community College"}]
    assert framework["ceasn:source"] == ["https://college.example/net"]
    child = document["@graph"][3]
    assert child["ceasn:isChildOf"] == [base + credential.competencies[0].ext_id]
    [back] = read_ctdl(document)
    assert back.competencies == credential.competencies and back.is_part_of == credential.is_part_of


def test_the_shipped_schemas_refuse_what_the_registry_refuses():
    good = write_ctdl(sample(), author="Lakeshore Community College")
    assert schema_errors(good) == []
    for breaks in (
        lambda g: g[2].pop("ceasn:competencyText"),
        lambda g: g[2].__setitem__("ceasn:exactAlignment", ["not a uri"]),
        lambda g: g[2].__setitem__("ceasn:label", {"en": "no such property on a competency"}),
        lambda g: g[1].pop("ceasn:inLanguage"),
        lambda g: g[1].__setitem__("ceasn:publisher", "https://one.example/not-a-list"),
        lambda g: g[0].pop("ceterms:subjectWebpage"),
        lambda g: g[2].__setitem__("ceterms:ctid", "not-a-ctid"),
    ):
        document = json.loads(json.dumps(good))
        breaks(document["@graph"])
        assert schema_errors(document), breaks
