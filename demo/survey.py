"""The demo survey's invitees and sample answers: welding employers who rate the competencies and say, in
their own words, what recent hires lack. Pure and seeded."""

from __future__ import annotations

import random
from typing import Any

EMPLOYERS = (
    ("Erie Steelworks", "Dana Reyes"),
    ("Great Lakes Fabrication", "Sam Okafor"),
    ("Harbor Marine Repair", "Lee Park"),
    ("Northcoast Manufacturing", "Ana Silva"),
    ("Keystone Trailers", "Chris Novak"),
    ("Portside Pipe & Valve", "Mo Haddad"),
    ("Summit Structural", "Jo Brennan"),
    ("Riverbend Ironworks", "Pat Kim"),
    ("Lakeshore Tank Co.", "Alex Grant"),
    ("Cuyahoga Rail Services", "Ri Tanaka"),
    ("Bluewater Boats", "Kai Moreau"),
    ("Forge & Finch", "Jamie Cole"),
)
MISSING = (
    "Reading blueprints and welding symbols quickly; many new hires struggle with them.",
    "Running our robot cells: we need welders who can write a little Python to adjust the programs.",
    "Quality inspection and documenting weld defects.",
    "Basic Python to pull data from our welding robots.",
    "Communication with the team and showing up on time.",
    "TIG welding on thin stainless and aluminium.",
    "Using Microsoft Excel to log production.",
    "Reading blueprints, and setting up the machines without help.",
    "Robotic welding, and enough Python to read the robot logs.",
)
ROLES = ("Welder", "Welder fabricator", "Robotic welding operator", "Maintenance welder")
IMPORTANCE_WEIGHTS = (("essential", 4), ("important", 4), ("useful", 2), ("not_needed", 1), ("dont_know", 1))


def sample_invitees(count: int) -> list[dict[str, Any]]:
    return [
        {"employer": employer, "name": name, "email": None}
        for employer, name in (EMPLOYERS * (count // len(EMPLOYERS) + 1))[:count]
    ]


def answer_sample(questions: list[dict[str, Any]], number: int, rng: random.Random) -> dict[str, Any]:
    """A complete, valid set of answers for one respondent, keyed by question code."""
    values, weights = zip(*IMPORTANCE_WEIGHTS, strict=True)
    answers: dict[str, Any] = {}
    for question in questions:
        code, role = question["code"], question.get("role")
        if role == "importance":
            answers[code] = rng.choices(values, weights)[0]
        elif role == "missing":
            answers[code] = MISSING[number % len(MISSING)]
        elif role == "recognition":
            answers[code] = rng.choice(("requires", "prefers", "prefers", "not_considered"))
        elif role == "outlook_roles":
            answers[code] = rng.choice(ROLES)
        elif role == "outlook_hires":
            answers[code] = rng.randint(1, 12)
        elif role == "sector":
            answers[code] = "31-33"
        elif role == "size":
            answers[code] = rng.choice(("10-49", "50-249", "250-999"))
        elif role == "region":
            answers[code] = "Northeast Ohio"
        elif role == "partnership":
            answers[code] = rng.sample(
                ["advisory_board", "internships", "work_based_learning"], k=rng.randint(1, 2)
            )
    return answers
