"""The location normaliser on the packaged tables: free text, ZIPs, feed objects, remote variants, junk."""

from __future__ import annotations

import pytest

from service.geo import normalise


def codes(value: object) -> set[str]:
    return normalise(value).codes()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Toledo, OH", {"state:OH", "county:39095", "cbsa:45780"}),
        ("Columbus, Ohio 43215", {"state:OH", "county:39049", "cbsa:18140"}),
        ("43215", {"state:OH", "county:39049", "cbsa:18140"}),
        ("TOLEDO OH", {"state:OH", "county:39095", "cbsa:45780"}),
        ("Portland, OR 97201", {"state:OR", "county:41051", "cbsa:38900"}),
        ("St. Louis, MO", {"state:MO", "county:29510", "cbsa:41180"}),  # the independent city, not the county
        ("Washington, D.C.", {"state:DC", "county:11001", "cbsa:47900"}),
        ("Cuyahoga County, OH", {"state:OH", "county:39035", "cbsa:17410"}),
        ("Cleveland metro", {"state:OH", "cbsa:17410"}),
        ("Greater Columbus, OH", {"state:OH", "cbsa:18140"}),
        ("New York, NY", {"state:NY", "cbsa:35620"}),  # five counties, none with most of the city
        ("Hartford, CT", {"state:CT", "county:09110", "cbsa:25540"}),  # the 2023 planning region
        ("Northeast Ohio", {"state:OH"}),
        ("Hybrid - Columbus, OH", {"state:OH", "county:39049", "cbsa:18140"}),
        ("Indiana, PA", {"state:PA", "county:42063", "cbsa:26860"}),  # a city named like a state
        ("US-OH", {"state:OH"}),  # ISO 3166-2, as feeds and the synthetic postings write a region
        ("Columbus, US-OH", {"state:OH", "county:39049", "cbsa:18140"}),
    ],
)
def test_free_text(text: str, expected: set[str]) -> None:
    assert codes(text) == expected


def test_several_locations_in_one_string() -> None:
    both = {"state:OH", "county:39095", "cbsa:45780", "county:39049", "cbsa:18140"}
    assert codes("Toledo, OH; Columbus, OH") == both
    assert codes("Toledo, OH, Columbus, OH") == both
    assert normalise("Ohio or Pennsylvania").states() == ["OH", "PA"]


@pytest.mark.parametrize(
    "junk",
    [
        "Springfield",
        "Columbus",
        "Washington",
        "TBD",
        "Multiple Locations",
        "London, UK",
        "Toronto, ON",
        "",
        "Springfield, XX",
        "United States",
        "Bangalore, India",
        "Kansas City",
        None,
        42,
        ["TBD"],
    ],
)
def test_unknown_stays_unknown(junk: object) -> None:
    assert codes(junk) == set()
    assert not normalise(junk).known


def test_a_dominant_city_named_alone() -> None:
    assert normalise("Houston").counties() == ["48201"]
    assert normalise("Portland").states() == []  # Oregon's is not fifty times Maine's


@pytest.mark.parametrize(
    ("text", "states", "country"),
    [
        ("Remote", (), None),
        ("Remote - US", (), "US"),
        ("Remote (United States)", (), "US"),
        ("Remote - United States of America", (), "US"),
        ("Remote - Ohio", ("OH",), "US"),
        ("Remote - OH, PA, MI", ("MI", "OH", "PA"), "US"),
        ("Remote - MI/OH", ("MI", "OH"), "US"),
        ("Remote - Texas, Oklahoma, Louisiana", ("LA", "OK", "TX"), "US"),
        ("Remote - Canada", (), "CA"),
    ],
)
def test_remote_variants(text: str, states: tuple[str, ...], country: str | None) -> None:
    location = normalise(text)
    assert location.remote
    assert location.places == ()
    assert (location.remote_states, location.remote_country) == (states, country)


def test_remote_with_a_place_keeps_the_place() -> None:
    location = normalise("Remote or Columbus, OH")
    assert location.remote and location.counties() == ["39049"]


def test_greenhouse_lever_ashby() -> None:
    assert normalise({"location": {"name": "Akron, OH"}}).counties() == ["39153"]
    lever = {"categories": {"location": "Dayton, OH", "allLocations": ["Dayton, OH", "Toledo, OH"]}}
    assert normalise(lever).counties() == ["39095", "39113"]
    remote_lever = {"categories": {"location": "United States"}, "workplaceType": "remote", "country": "US"}
    assert (normalise(remote_lever).remote, normalise(remote_lever).remote_country) == (True, "US")
    ashby = {
        "location": "Dayton office",
        "address": {
            "postalAddress": {"addressLocality": "Dayton", "addressRegion": "OH", "postalCode": "45402"}
        },
    }
    assert normalise(ashby).counties() == ["39113"]


def test_schema_org_job_posting() -> None:
    onsite = {
        "@type": "JobPosting",
        "jobLocation": [
            {
                "@type": "Place",
                "address": {"@type": "PostalAddress", "addressLocality": "Erie", "addressRegion": "PA"},
            },
            {
                "@type": "Place",
                "address": {"@type": "PostalAddress", "addressLocality": "Toronto", "addressCountry": "CA"},
            },
        ],
    }
    assert codes(onsite) == {"state:PA", "county:42049", "cbsa:21500"}
    remote = {
        "@type": "JobPosting",
        "jobLocationType": "TELECOMMUTE",
        "applicantLocationRequirements": [
            {"@type": "State", "name": "Ohio"},
            {"@type": "State", "name": "Kentucky"},
        ],
    }
    location = normalise(remote)
    assert (location.remote, location.remote_states, location.remote_country) == (True, ("KY", "OH"), "US")


def test_stored_form() -> None:
    assert normalise("Toledo, OH").as_json() == {
        "state": ["OH"],
        "county": ["39095"],
        "cbsa": ["45780"],
        "remote": False,
        "remote_states": [],
        "remote_country": None,
    }
