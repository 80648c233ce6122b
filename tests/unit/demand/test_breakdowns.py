"""Which counties and metro areas the equity lens counts as within a service region, and how it names them."""

from __future__ import annotations

import pytest

from service.demand.breakdowns import _label, _within
from service.geo import region_match
from service.geo.tables import tables

CUYAHOGA, LORAIN, FRANKLIN, WAYNE_MI = "39035", "39093", "39049", "26163"
CLEVELAND, COLUMBUS = "17410", "18140"


@pytest.mark.parametrize(
    ("codes", "kind", "code", "inside"),
    [
        (("cbsa:17410",), "county", CUYAHOGA, True),  # a county of the metro
        (("cbsa:17410",), "county", LORAIN, True),
        (("cbsa:17410",), "county", FRANKLIN, False),  # Columbus's county
        (("cbsa:17410",), "cbsa", CLEVELAND, True),
        (("cbsa:17410",), "cbsa", COLUMBUS, False),
        (("county:39035",), "county", LORAIN, False),  # a county region takes only itself
        (("county:39035",), "cbsa", CLEVELAND, True),  # and the metro it lies in
        (("state:OH",), "county", FRANKLIN, True),  # a state takes every county in it
        (("state:OH",), "county", WAYNE_MI, False),
        (("state:OH",), "cbsa", COLUMBUS, True),
    ],
)
def test_within_the_region(codes: tuple[str, ...], kind: str, code: str, inside: bool):
    assert _within(tables(), region_match(codes), kind, code) is inside


def test_no_region_takes_every_place():
    assert _within(tables(), None, "county", WAYNE_MI)


def test_labels_name_the_county_with_its_state_and_the_metro_with_its_kind():
    assert _label(tables(), "county", CUYAHOGA) == "Cuyahoga County, OH"
    assert _label(tables(), "cbsa", CLEVELAND) == "Cleveland, OH (metropolitan)"
    assert _label(tables(), "cbsa", "99999") == "99999"  # unknown: the code itself, never a guess
