"""The CSV template and CASE CFPackage readers."""

from __future__ import annotations

import json

import pytest

from service.credentials.formats import CredentialFormatError, read_credential_document
from service.credentials.formats.case_read import read_case
from service.credentials.formats.csv_read import read_csv, write_csv

HEADER = (
    "credential_name,credential_ctid,credential_type,occupations,region,"
    "competency_text,competency_label,competency_category,competency_level,competency_domain\n"
)


def test_rows_group_into_credentials_with_levels_and_occupations():
    text = HEADER + (
        "Welding,,Certificate,51-4121.00;514122,Ohio,Perform GMAW welding,MIG,Processes,Level "
        "3,Specialized skills\n"
        "Welding,,,51-4121.00,,Read welding symbols,,,4,knowledge\n"
        "\n"
        "Nursing Aide,ce-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa,Certification,31-1131.00,,Take vital "
        "signs,,,L2,social\n"
    )
    welding, aide = read_csv(text.encode("utf-8-sig"))
    assert welding.name == "Welding" and welding.type == "Certificate" and welding.ctid is None
    assert welding.occupations == ["51-4121.00", "51-4122"]
    assert [(c.text, c.label, c.level, c.domain) for c in welding.competencies] == [
        ("Perform GMAW welding", "MIG", 3, "specialized"),
        ("Read welding symbols", None, 4, "knowledge"),
    ]
    assert aide.ctid == "ce-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa" and aide.type == "Certification"
    assert aide.competencies[0].level == 2


def test_semicolon_separated_and_aliases():
    text = "Name;Competency;Level\nWelding;Perform GMAW welding;3\n"
    [credential] = read_csv(text)
    assert credential.competencies[0].text == "Perform GMAW welding" and credential.competencies[0].level == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "Welding,,,,,Weld,,,9,",
            r"row 2, competency_level: '9' is not a Connecting Credentials Framework level",
        ),
        ("Welding,,,,,Weld,,,,artistic", r"row 2, competency_domain: 'artistic' is not one of"),
        ("Welding,,,welder,,Weld,,,,", r"row 2, occupations: 'welder' is not an O\*NET-SOC or SOC code"),
        (",,,,,Weld,,,,", r"row 2, credential_name: is required"),
        ("Welding,nope,,,,Weld,,,,", r"row 2, credential_ctid: 'nope' does not look like ce-<uuid>"),
        (
            "Welding,,Diploma Mill,,,Weld,,,,",
            r"row 2, credential_type: 'Diploma Mill' is not a CTDL credential type",
        ),
    ],
)
def test_errors_name_row_and_column(row, message):
    with pytest.raises(CredentialFormatError, match=message):
        read_csv(HEADER + row + "\n")


def test_conflicting_credential_values_and_unknown_columns():
    rows = HEADER + "Welding,,Certificate,,,A,,,,\nWelding,,Badge,,,B,,,,\n"
    with pytest.raises(
        CredentialFormatError,
        match="row 3, credential_type: 'Badge' differs from 'Certificate' given on row 2",
    ):
        read_csv(rows)
    with pytest.raises(CredentialFormatError, match="unknown column.*'competency_levle'"):
        read_csv("credential_name,competency_text,competency_levle\nA,B,3\n")
    assert read_csv("credential_name,competency_text,notes\nA,B,anything\n")[0].competencies[0].text == "B"
    with pytest.raises(CredentialFormatError, match="missing column.*competency_text"):
        read_csv("credential_name,label\nA,B\n")
    with pytest.raises(CredentialFormatError, match="not UTF-8"):
        read_csv("credential_name,competency_text\nCaf\xe9,B\n".encode("latin-1"))


def test_write_csv_reads_back_the_same():
    text = (
        HEADER
        + "Welding,ce-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa,Certificate,51-4121.00,Ohio,"
        + '"Weld, cut and grind",Weld,Processes,3,specialized\n'
    )
    parsed = read_csv(text)
    assert read_csv(write_csv(parsed)) == parsed


CASE = {
    "CFDocument": {
        "identifier": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "uri": "https://case.example/uri/9a8b",
        "title": "Welding Standards",
        "creator": "State Board",
        "description": "Entry-level welding.",
        "language": "en-US",
    },
    "CFItems": [
        {
            "identifier": "11111111-aaaa-4bbb-8ccc-000000000001",
            "fullStatement": "Welding processes",
            "CFItemType": "Domain",
            "humanCodingScheme": "W",
        },
        {
            "identifier": "11111111-aaaa-4bbb-8ccc-000000000002",
            "fullStatement": "Perform SMAW on plate in all positions",
            "abbreviatedStatement": "SMAW",
            "humanCodingScheme": "W.1",
            "CFItemType": "Competency",
        },
    ],
    "CFAssociations": [
        {
            "associationType": "isChildOf",
            "originNodeURI": {"identifier": "11111111-aaaa-4bbb-8ccc-000000000001"},
            "destinationNodeURI": {"identifier": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"},
        },
        {
            "associationType": "isChildOf",
            "originNodeURI": {"identifier": "11111111-aaaa-4bbb-8ccc-000000000002"},
            "destinationNodeURI": {"identifier": "11111111-aaaa-4bbb-8ccc-000000000001"},
        },
    ],
}


def test_case_package():
    [framework] = read_credential_document(json.dumps(CASE).encode(), "application/json")
    assert framework.source_format == "case" and framework.type == "CompetencyFramework"
    assert framework.name == "Welding Standards" and framework.language == "en"
    assert framework.ctid == framework.framework_ctid == "ce-9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    domain, item = framework.competencies
    assert (domain.text, domain.category, domain.coded_notation, domain.parent_ext_id) == (
        "Welding processes",
        "Domain",
        "W",
        None,
    )
    assert (item.label, item.coded_notation, item.category) == ("SMAW", "W.1", "Competency")
    assert item.ext_id == "ce-11111111-aaaa-4bbb-8ccc-000000000002" and item.parent_ext_id == domain.ext_id


def test_case_errors():
    broken = json.loads(json.dumps(CASE))
    del broken["CFItems"][1]["fullStatement"]
    with pytest.raises(
        CredentialFormatError,
        match=r'CFItems\[1\] \(identifier "11111111-aaaa-4bbb-8ccc-000000000002"\): fullStatement '
        r"is required",
    ):
        read_case(broken)
    with pytest.raises(CredentialFormatError, match="CFDocument: title is required"):
        read_case({"CFDocument": {"identifier": "x"}, "CFItems": []})
    with pytest.raises(CredentialFormatError, match="neither a CASE CFPackage"):
        read_credential_document(b'{"hello": "world"}', "application/json")


def test_credential_columns_on_one_row_only():
    text = (
        HEADER
        + "Welding,,,,,Weld plate,,,,\n"
        + "Welding,ce-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa,Certificate,51-4121.00,Ohio,Weld pipe,,,,\n"
        + "welding,,,,,Cut plate,,,,\n"
        + "Welding,ce-bbbbbbbb-aaaa-4aaa-8aaa-aaaaaaaaaaaa,,,,Other welding,,,,\n"
    )
    first, second = read_csv(text)
    assert first.ctid == "ce-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa" and first.region == "Ohio"
    assert [c.text for c in first.competencies] == ["Weld plate", "Weld pipe", "Cut plate"]
    assert second.ctid == "ce-bbbbbbbb-aaaa-4aaa-8aaa-aaaaaaaaaaaa" and len(second.competencies) == 1


def test_urls_must_be_web_urls():
    header = "credential_name,credential_url,competency_text\n"
    assert read_csv(header + "A,https://college.example/a,B\n")[0].url == "https://college.example/a"
    with pytest.raises(
        CredentialFormatError, match="row 2, credential_url: 'college dot example' is not an http"
    ):
        read_csv(header + "A,college dot example,B\n")


def test_cells_that_look_like_formulas_are_quoted_and_read_back():
    [credential] = read_csv(HEADER + "Welding,,,,,Weld plate,,,,\n")
    credential.competencies[0].text = '=HYPERLINK("http://evil.example")'
    credential.competencies[0].label = "-5 degrees"
    text = write_csv([credential])
    assert "'=HYPERLINK" in text and "'-5 degrees" in text
    [back] = read_csv(text)
    assert back.competencies[0].text == credential.competencies[0].text
    assert back.competencies[0].label == "-5 degrees"
