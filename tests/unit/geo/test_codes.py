"""Region codes: their spellings, the errors naming a bad one, a region in words, and which stored posting
locations a region takes in (the rule the SQL filter applies; tests/integration/test_region_matching.py)."""

from __future__ import annotations

import pytest

from service.geo import (
    RegionCodeError,
    allows_region,
    normalise,
    parse_region_codes,
    region_codes_of_text,
    region_match,
)


def test_every_spelling_gives_the_canonical_code() -> None:
    given = ["OH", "US-PA", "39", "state:mi", "STATE:IN", "39035", "county:39085", "CBSA:17410", " 39035 "]
    assert parse_region_codes(given) == (
        "cbsa:17410",
        "county:39035",
        "county:39085",
        "state:IN",
        "state:MI",
        "state:OH",
        "state:PA",
    )
    assert parse_region_codes(["remote", "OH"], allow_remote=True) == ("remote", "state:OH")
    assert parse_region_codes(["", "  "]) == ()


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("99999", "county FIPS"),
        ("cbsa:17460", "CBSA"),  # the 2020 Cleveland code: 2023 has 17410
        ("XX", "US state"),
        ("state:99", "US state"),
        ("Ohio", "not a code we know"),
        ("county:09001", "planning region"),  # Hartford County, retired in 2022
        ("remote", "not a code we know"),  # a credential's region is places
        ("zip:43215", "not a code we know"),
    ],
)
def test_a_bad_code_is_named(bad: str, says: str) -> None:
    with pytest.raises(RegionCodeError) as raised:
        parse_region_codes(["OH", bad])
    assert repr(bad) in str(raised.value) and says in str(raised.value)


def test_a_region_in_words_takes_each_place_by_its_most_specific_code() -> None:
    assert region_codes_of_text("Lucas County, OH") == ["county:39095"]
    assert region_codes_of_text("Toledo, OH; Cleveland metro") == ["cbsa:17410", "county:39095"]
    assert region_codes_of_text("Northeast Ohio") == ["state:OH"]
    assert region_codes_of_text("Springfield") == region_codes_of_text("") == region_codes_of_text(None) == []


def _in(region: tuple[str, ...], location: str) -> bool:
    found = normalise(location)
    return allows_region(found.as_json() if found.known else None, region_match(region))


@pytest.mark.parametrize(
    ("region", "inside", "outside"),
    [
        (
            ("county:39035",),
            ["Cleveland, OH", "Remote - US", "Remote - OH"],
            ["Akron, OH", "Ohio", "Remote - TX"],
        ),
        (("cbsa:17410",), ["Cleveland, OH", "Cleveland metro", "44035"], ["Toledo, OH", "Ohio", "Remote"]),
        (
            ("state:OH",),
            ["Toledo, OH", "Ohio", "Cleveland metro", "Remote - OH"],
            ["Erie, PA", "Springfield"],
        ),
        (("cbsa:17140",), ["Covington, KY", "Remote - IN"], ["Louisville, KY"]),  # Cincinnati: OH-KY-IN
        (("remote",), ["Remote", "Remote - TX"], ["Hybrid - Columbus, OH", "Toledo, OH"]),
    ],
)
def test_which_postings_a_region_takes_in(region, inside: list[str], outside: list[str]) -> None:
    assert [text for text in inside if not _in(region, text)] == []
    assert [text for text in outside if _in(region, text)] == []
