"""Assemble service/geo/eval/locations.jsonl: location strings and feed objects shaped like real postings',
with their expected codes taken from the sources themselves (simplemaps' county of a city, HUD's county
of a ZIP, the OMB delineation's CBSA of a county), never from the normaliser's own tables.

A city's county counts as determinable when Geocorr puts more than half of the place's people in it (else
the expected county is null: not scored). Lines are split dev/test by a seeded draw; the hand-written
lines (remote variants, junk, regions) are split the same way. Run: .venv/bin/python
scripts/geo_eval_assemble.py
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from nlp.reference import REFERENCE_DATA
from service.geo.build import place_names
from service.geo.names import fold

ROOT = Path(__file__).resolve().parents[1]
SOURCE = REFERENCE_DATA / "geo"
OUT = ROOT / "service" / "geo" / "eval" / "locations.jsonl"
STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "CT": "Connecticut",
    "PR": "Puerto Rico",
}


def expected(state=(), county=(), cbsa=(), remote=False, remote_states=(), remote_country=None) -> dict:
    return {
        "state": list(state),
        "county": list(county) if county is not None else None,
        "cbsa": list(cbsa) if cbsa is not None else None,
        "remote": remote,
        "remote_states": list(remote_states),
        "remote_country": remote_country,
    }


def load():
    cbsa_of = {}
    with (SOURCE / "list1_2023.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            cbsa_of[row["FIPS State Code"].zfill(2) + row["FIPS County Code"].zfill(3)] = row["CBSA Code"]
    majority = set()  # (state, folded place name, county) where the county holds most of the place
    shares = defaultdict(lambda: defaultdict(float))
    with (SOURCE / "geocorr2022_county_to_place.csv").open(encoding="latin-1") as fh:
        for row in list(csv.DictReader(fh))[1:]:
            if row["place"] != "99999":
                shares[(row["stab"], row["state"] + row["place"], row["PlaceName"])][row["county"]] += float(
                    row["afact2"] or 0
                )
    for (stab, _code, name), by_county in shares.items():
        for county, share in by_county.items():
            if share > 0.5:
                for folded in place_names(name):
                    majority.add((stab, folded, county))
    with (SOURCE / "uscities_simplemaps_2023_clean.csv").open(encoding="utf-8") as fh:
        cities = list(csv.DictReader(fh))
    zip_rows = defaultdict(dict)
    with (SOURCE / "ZIP_COUNTY_032023.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            zip_rows[row["ZIP"]][row["COUNTY"]] = (float(row["TOT_RATIO"]), row["USPS_ZIP_PREF_STATE"])
    return cbsa_of, majority, cities, zip_rows


def city_expected(row, cbsa_of, majority) -> dict:
    county = row["county_fips"].zfill(5)
    determinable = (row["state_id"], fold(row["city_ascii"]), county) in majority
    cbsa = cbsa_of.get(county)
    return expected(
        [row["state_id"]], [county] if determinable else None, [cbsa] if cbsa and determinable else None
    )


def city_lines(
    rng, cities, cbsa_of, majority, zip_rows, count=420, used=None
) -> list[tuple[str, object, dict]]:
    names = Counter((r["state_id"], fold(r["city_ascii"])) for r in cities)
    used = set() if used is None else used
    pool = [
        r
        for r in cities
        if r["state_id"] in STATES
        and r["state_id"] != "CT"
        and r["id"] not in used
        and int(float(r["population"] or 0)) >= 8000
        and names[(r["state_id"], fold(r["city_ascii"]))] == 1
    ]
    out = []
    for row in rng.sample(pool, count):
        used.add(row["id"])
        city, st, want = row["city"], row["state_id"], city_expected(row, cbsa_of, majority)
        zips = [
            z
            for z in row["zips"].split()
            if z in zip_rows
            and max(zip_rows[z].items(), key=lambda kv: kv[1][0])[0] == row["county_fips"].zfill(5)
            and max(v[0] for v in zip_rows[z].values()) > 0.5
        ]
        shapes = [
            ("city", f"{city}, {st}"),
            ("city", f"{city}, {STATES[st]}"),
            ("city", f"{city.upper()}, {st}"),
            ("city", f"{city}, {st}, USA"),
            ("city", f"{city}, {STATES[st]}, United States"),
            ("city", f"{city} {st}"),
            ("city", f"{city}, {st} (Hybrid)"),
            ("city", f"On-site - {city}, {st}"),
            ("feed", {"location": {"name": f"{city}, {st}"}}),
            (
                "feed",
                {
                    "categories": {"location": f"{city}, {st}", "commitment": "Full-time"},
                    "workplaceType": "onsite",
                },
            ),
            (
                "feed",
                {
                    "location": city,
                    "address": {
                        "postalAddress": {
                            "addressLocality": city,
                            "addressRegion": st,
                            "addressCountry": "United States",
                        }
                    },
                },
            ),
        ]
        if zips:
            shapes += [
                ("city", f"{city}, {st} {zips[0]}"),
                (
                    "feed",
                    {
                        "@type": "JobPosting",
                        "jobLocation": {
                            "@type": "Place",
                            "address": {
                                "@type": "PostalAddress",
                                "addressLocality": city,
                                "addressRegion": st,
                                "postalCode": zips[0],
                                "addressCountry": "US",
                            },
                        },
                    },
                ),
            ]
        kind, value = rng.choice(shapes)
        if zips and zips[0] in json.dumps(value):  # the ZIP's county is the city's: determinable
            county = row["county_fips"].zfill(5)
            want = dict(want, county=[county], cbsa=[cbsa_of[county]] if county in cbsa_of else None)
        out.append((kind, value, want))
    return out


def zip_lines(rng, zip_rows, cbsa_of, count=70, used=None) -> list[tuple[str, object, dict]]:
    out = []
    used = set() if used is None else used
    for zip_code in rng.sample(
        sorted(z for z in zip_rows if not z.startswith("06") and z not in used), count
    ):
        used.add(zip_code)
        county, (share, state) = max(zip_rows[zip_code].items(), key=lambda kv: kv[1][0])
        sure = share > 0.5
        cbsa = cbsa_of.get(county)
        out.append(
            (
                "zip",
                zip_code,
                expected([state], [county] if sure else None, [cbsa] if sure and cbsa else None),
            )
        )
    return out


def _r(*, states=(), country=None) -> dict:
    return expected(remote=True, remote_states=states, remote_country=country)


REMOTE = [
    ("Remote", _r()),
    ("Remote - US", _r(country="US")),
    ("Remote (US)", _r(country="US")),
    ("US Remote", _r(country="US")),
    ("Remote, USA", _r(country="US")),
    ("Remote in the United States", _r(country="US")),
    ("Fully Remote - United States", _r(country="US")),
    ("Remote - Anywhere in the U.S.", _r(country="US")),
    ("Work from home (US)", _r(country="US")),
    ("Telecommute - USA", _r(country="US")),
    ("100% Remote (United States)", _r(country="US")),
    ("Remote - Ohio", _r(states=["OH"], country="US")),
    ("Remote (OH)", _r(states=["OH"], country="US")),
    ("Remote - OH, PA, MI", _r(states=["MI", "OH", "PA"], country="US")),
    ("Remote: Ohio or Michigan", _r(states=["MI", "OH"], country="US")),
    ("Remote, must reside in Texas", _r(states=["TX"], country="US")),
    ("Remote - Texas, Oklahoma, Louisiana", _r(states=["LA", "OK", "TX"], country="US")),
    ("Remote - Canada", _r(country="CA")),
    ("Remote (UK)", _r(country="GB")),
    ("Anywhere", _r()),
    ("Remote - EMEA", _r()),
    ("Virtual", _r()),
    ("WFH - Indiana", _r(states=["IN"], country="US")),
    ("Remote | United States", _r(country="US")),
    ("Remote; Kentucky", _r(states=["KY"], country="US")),
    ({"categories": {"location": "Remote", "team": "Engineering"}, "workplaceType": "remote"}, _r()),
    (
        {"categories": {"location": "United States"}, "workplaceType": "remote", "country": "US"},
        _r(country="US"),
    ),
    ({"location": {"name": "Remote - US"}}, _r(country="US")),
    ({"location": {"name": "Remote"}}, _r()),
    (
        {
            "location": "Remote",
            "isRemote": True,
            "address": {"postalAddress": {"addressCountry": "United States"}},
        },
        _r(country="US"),
    ),
    (
        {
            "@type": "JobPosting",
            "jobLocationType": "TELECOMMUTE",
            "applicantLocationRequirements": {"@type": "Country", "name": "USA"},
        },
        _r(country="US"),
    ),
    (
        {
            "@type": "JobPosting",
            "jobLocationType": "TELECOMMUTE",
            "applicantLocationRequirements": [
                {"@type": "State", "name": "Ohio"},
                {"@type": "State", "name": "Kentucky"},
            ],
        },
        _r(states=["KY", "OH"], country="US"),
    ),
    ({"@type": "JobPosting", "jobLocationType": "TELECOMMUTE"}, _r()),
]
JUNK_DEV = [
    "TBD",
    "Multiple Locations",
    "Various",
    "N/A",
    "See job description",
    "Springfield",
    "Columbus",
    "Portland",
    "London, UK",
    "Toronto, ON",
    "Bangalore, India",
    "Headquarters",
    "Main Campus",
    "123",
    "Earth",
    "Europe",
    "Nationwide",
    "United States",
    "USA",
    "Washington",
    "Field based",
    "Travel required",
    "asdfgh",
    "Paris, France",
    "Mexico City, Mexico",
    "Berlin, Germany",
    "Manila, Philippines",
    "Vancouver, BC",
    "",
    {"location": {"name": "Multiple Locations"}},
    {"categories": {"location": "TBD"}},
]
JUNK_TEST = [
    "To be determined",
    "Several locations",
    "Flexible",
    "Location: see posting",
    "Company HQ",
    "Springfield, XX",
    "Franklin",
    "Greenville",
    "Lagos, Nigeria",
    "Sydney, Australia",
    "Dublin, Ireland",
    "Cambridge, UK",
    "Montreal, Quebec",
    "Ottawa, Ontario, Canada",
    "Tokyo",
    "Singapore",
    "São Paulo, Brazil",
    "Tel Aviv, Israel",
    "Office",
    "Job site",
    "Client site",
    "Multiple US locations",
    "N/A - N/A",
    "0",
    "null",
    "Worldwide",
    "Richmond",
    "Kansas City",
    "Jackson",
    "Clinton",
    {
        "@type": "JobPosting",
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": "Toronto",
                "addressRegion": "ON",
                "addressCountry": "CA",
            },
        },
    },
    {
        "location": "Berlin",
        "address": {"postalAddress": {"addressLocality": "Berlin", "addressCountry": "Germany"}},
    },
]


# Written after the dev and test figures were read and the normaliser last changed; never tuned on.
HOLDOUT_REMOTE = [
    ("Remote - United States of America", _r(country="US")),
    ("Remote (Michigan)", _r(states=["MI"], country="US")),
    ("Remote - MI/OH", _r(states=["MI", "OH"], country="US")),
    ("Remote, US only", _r(country="US")),
    ("Work From Home - Florida", _r(states=["FL"], country="US")),
    ("Remote within Georgia", _r(states=["GA"], country="US")),
    ("Telework (USA)", _r(country="US")),
]
HOLDOUT_JUNK = [
    "Hiring in multiple cities",
    "Location flexible",
    "Various locations across the region",
    "HQ",
    "Unknown",
    "Lorem ipsum",
    "Madrid, Spain",
    "Seoul, South Korea",
    "Mumbai",
    "Calgary, AB",
]


def named_lines(cities, cbsa_of, majority) -> list[tuple[str, object, dict]]:
    by = {(r["state_id"], r["city"]): r for r in cities}

    def city(st, name):
        return city_expected(by[(st, name)], cbsa_of, majority)

    def county(fips):
        return expected(
            [{"39": "OH", "22": "LA", "24": "MD", "48": "TX", "26": "MI"}[fips[:2]]],
            [fips],
            [cbsa_of[fips]] if fips in cbsa_of else None,
        )

    both = expected(["OH"], ["39049", "39095"], ["18140", "45780"])
    return [
        ("metro", "Cleveland metro", expected(["OH"], None, ["17410"])),
        ("metro", "Greater Cleveland", expected(["OH"], None, ["17410"])),
        ("metro", "Greater Columbus, OH", expected(["OH"], None, ["18140"])),
        ("metro", "Dallas-Fort Worth Metroplex", expected(["TX"], None, ["19100"])),
        ("metro", "Detroit metro area", expected(["MI"], None, ["19820"])),
        ("county", "Cuyahoga County, OH", county("39035")),
        ("county", "Lucas County, Ohio", county("39095")),
        ("county", "Franklin County, OH", county("39049")),
        ("county", "Orleans Parish, LA", county("22071")),
        ("county", "Baltimore County, MD", county("24005")),
        ("county", "Harris County, Texas", county("48201")),
        ("county", "Wayne County, MI", county("26163")),
        ("region", "Northeast Ohio", expected(["OH"])),
        ("region", "Northern Virginia", expected(["VA"])),
        ("region", "Southern California", expected(["CA"])),
        ("region", "Western New York", expected(["NY"])),
        ("region", "Central Texas", expected(["TX"])),
        ("region", "Ohio", expected(["OH"])),
        ("region", "Texas", expected(["TX"])),
        ("region", "OH, PA", expected(["OH", "PA"])),
        ("city", "New York, NY", expected(["NY"], None, ["35620"])),
        ("city", "NYC", expected(["NY"], None, ["35620"])),
        ("city", "Washington, DC", city("DC", "Washington")),
        ("city", "Washington, D.C.", city("DC", "Washington")),
        ("city", "St. Louis, MO", city("MO", "St. Louis")),
        ("city", "Toledo, OH", city("OH", "Toledo")),
        ("city", "Columbus, Ohio 43215", city("OH", "Columbus")),
        ("city", "Toledo, OH; Columbus, OH", both),
        ("city", "Toledo, OH / Columbus, OH", both),
        ("city", "Toledo, OH, Columbus, OH", both),
        ("city", "Chicago", city("IL", "Chicago")),
        ("city", "Houston", city("TX", "Houston")),
        ("city", "Hartford, CT", expected(["CT"], ["09110"], ["25540"])),
        ("city", "Hartford County, CT", expected(["CT"])),
        ("city", "Remote or Columbus, OH", dict(city("OH", "Columbus"), remote=True, remote_country="US")),
        ("city", "Columbus, OH (Remote)", dict(city("OH", "Columbus"), remote=True, remote_country="US")),
        (
            "feed",
            {"location": "Akron, OH", "secondaryLocations": [{"location": "Canton, OH"}]},
            expected(["OH"], ["39151", "39153"], ["10420", "15940"]),
        ),
        (
            "feed",
            {"categories": {"location": "Dayton, OH", "allLocations": ["Dayton, OH", "Toledo, OH"]}},
            expected(["OH"], ["39095", "39113"], ["19430", "45780"]),
        ),
    ]


def main() -> None:
    rng = random.Random(18)
    cbsa_of, majority, cities, zip_rows = load()
    rows = named_lines(cities, cbsa_of, majority)
    rows += [("remote", value, want) for value, want in REMOTE]
    used_cities, used_zips = set(), set()
    rows += city_lines(rng, cities, cbsa_of, majority, zip_rows, used=used_cities)
    rows += zip_lines(rng, zip_rows, cbsa_of, used=used_zips)
    lines = []
    for number, (kind, value, want) in enumerate(rows, 1):
        lines.append(
            {
                "id": f"{kind}-{number}",
                "split": rng.choice(["dev", "test"]),
                "kind": kind,
                "input": value,
                "expected": want,
            }
        )
    held = random.Random(1818)  # the holdout: cities and ZIPs not drawn above
    holdout = [("remote", value, want) for value, want in HOLDOUT_REMOTE]
    holdout += city_lines(held, cities, cbsa_of, majority, zip_rows, 180, used_cities)
    holdout += zip_lines(held, zip_rows, cbsa_of, 40, used_zips)
    holdout += [("junk", value, expected()) for value in HOLDOUT_JUNK]
    for kind, value, want in holdout:
        lines.append(
            {
                "id": f"{kind}-h{len(lines) + 1}",
                "split": "holdout",
                "kind": kind,
                "input": value,
                "expected": want,
            }
        )
    for split, junk in (("dev", JUNK_DEV), ("test", JUNK_TEST)):
        for value in junk:
            lines.append(
                {
                    "id": f"junk-{len(lines) + 1}",
                    "split": split,
                    "kind": "junk",
                    "input": value,
                    "expected": expected(),
                }
            )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    print(f"{len(lines)} lines → {OUT}")


if __name__ == "__main__":
    main()
