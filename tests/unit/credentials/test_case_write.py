"""The CASE 1.1 CFPackage export: stable UUIDs per competency, the hierarchy and concept links as
associations, and the CASE reader gives the competencies back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from service.credentials.formats import ParsedAlignment
from service.credentials.formats.case_read import read_case
from service.credentials.formats.case_write import write_case
from service.settings import CredentialsSettings
from tests.unit.credentials.test_ctdl_write import sample

BASE = "https://credentialengineregistry.org/resources/"
WHEN = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def _package(credential=None) -> dict:
    author = "Lakeshore Community College"
    return write_case(credential or sample(), author=author, base_url=BASE, changed=WHEN)


def test_identifiers_are_the_uuids_of_the_ctids_and_stable():
    credential = sample()
    package = _package(credential)
    assert package == _package(sample())
    document = package["CFDocument"]
    assert document["identifier"] == credential.framework_ctid.removeprefix("ce-")
    assert document["creator"] == "Lakeshore Community College"
    assert document["officialSourceURL"] == "https://college.example/net"
    assert document["lastChangeDateTime"] == "2026-11-30T09:15:00+00:00"
    assert [item["identifier"] for item in package["CFItems"]] == [
        c.ext_id.removeprefix("ce-") for c in credential.competencies
    ]
    for record in [document, *package["CFItems"], *package["CFAssociations"]]:
        assert str(uuid.UUID(record["identifier"])) == record["identifier"]
    assert len({a["identifier"] for a in package["CFAssociations"]}) == len(package["CFAssociations"])


def test_hierarchy_and_concept_links_are_associations():
    credential = sample()
    credential.competencies[0].alignments.append(
        ParsedAlignment("http://data.europa.eu/esco/skill/unreviewed", False, suggested=True)
    )
    package = _package(credential)
    first, second, third = (c.ext_id.removeprefix("ce-") for c in credential.competencies)
    doc = package["CFDocument"]["identifier"]
    found = {
        (a["originNodeURI"]["identifier"], a["associationType"], a["destinationNodeURI"]["uri"])
        for a in package["CFAssociations"]
    }
    assert found == {
        (first, "isChildOf", f"{BASE}case/{doc}"),
        (second, "isChildOf", f"{BASE}case/items/{first}"),
        (third, "isChildOf", f"{BASE}case/{doc}"),
        (first, "exactMatchOf", "http://data.europa.eu/esco/skill/x"),
        (first, "isRelatedTo", "urn:onet:tech:cisco-ios"),
        (first, "isRelatedTo", "http://data.europa.eu/esco/skill/unreviewed"),
    }
    marks = {
        a["destinationNodeURI"]["uri"]: a.get("extensions", {}).get("skillpulseAlignment")
        for a in package["CFAssociations"]
    }
    assert marks["urn:onet:tech:cisco-ios"] == "broad"
    assert marks["http://data.europa.eu/esco/skill/unreviewed"] == "suggested"
    assert marks["http://data.europa.eu/esco/skill/x"] is None


def test_the_case_reader_reads_the_export_back():
    credential = sample()
    credential.competencies[2].alignments = [
        ParsedAlignment("http://data.europa.eu/esco/skill/major", False, major=True),
        ParsedAlignment("http://data.europa.eu/esco/skill/unreviewed", False, suggested=True),
    ]
    [back] = read_case(_package(credential))
    assert back.type == "CompetencyFramework" and back.framework_ctid == credential.framework_ctid
    assert back.name == credential.name and back.url == credential.url and back.language == "en"
    fields = ("text", "ext_id", "label", "category", "coded_notation", "level", "domain", "parent_ext_id")
    for field in fields:
        assert [getattr(c, field) for c in back.competencies] == [
            getattr(c, field) for c in credential.competencies
        ], field
    assert [[(a.uri, a.exact, a.major) for a in c.alignments] for c in back.competencies] == [
        [("http://data.europa.eu/esco/skill/x", True, False), ("urn:onet:tech:cisco-ios", False, False)],
        [],
        [("http://data.europa.eu/esco/skill/major", False, True)],
    ]


def test_the_base_url_setting_is_an_absolute_http_url_ending_in_a_slash():
    assert CredentialsSettings().ctdl_base_url == BASE
    assert CredentialsSettings(ctdl_base_url=" https://ids.example.edu/ctdl ").ctdl_base_url == (
        "https://ids.example.edu/ctdl/"
    )
    for bad in ("ftp://ids.example.edu/", "ids.example.edu/ctdl/", "https://ids.example.edu/?x=1", ""):
        with pytest.raises(ValidationError, match="absolute http"):
            CredentialsSettings(ctdl_base_url=bad)


def test_a_custom_base_url_prefixes_every_uri():
    base = "https://ids.example.edu/ctdl/"
    package = write_case(sample(), author="Lakeshore", base_url=base, changed=WHEN)
    records = [package["CFDocument"], *package["CFItems"], *package["CFAssociations"]]
    assert all(r["uri"].startswith(base + "case/") for r in records)
