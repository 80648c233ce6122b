"""The demo's year of job postings, written from our own sentence templates, with two drifts planted in them.

- IT support employers start asking for Microsoft Azure (about 4% of postings → 40% in the last 90 days); the
  IT Support Specialist Certificate does not teach it: an *emerging skill*.
- Medical assistant employers stop asking for scheduling (about 45% → 6%) as patients book themselves online;
  the Medical Assistant Certificate still teaches it: a *fading competency*.

Every other skill keeps a steady share, so what the drift run finds is what was planted. The phrases are the
words employers write ("MIG welding", "draw blood", "take vital signs"), not taxonomy labels; the demo's test
checks that the packaged extractor reads them as skill concepts, so the story survives the real pipeline.
Pure and seeded: the same date and seed give the same postings.

The postings come from the one posting generator, `demo.synthetic.generate_postings`: this module
holds only the demo's data (occupations with their monthly volumes, phrases and shares, the two drifts), which
it hands over as templates and trends, and the words a demo posting is written in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from demo.synthetic import Draft, Template, Trend, generate_postings
from service.postings.records import PostingRecord

DAYS = 365
CURRENT_DAYS = 90
SOURCE = "demo-board"
REGION = "Northeast Ohio"

# Phrase kinds: "N" a noun phrase ("Experience with … is required."),
# "V" a verb phrase ("Must be able to ….").
Phrase = tuple[str, str]


@dataclass(frozen=True)
class Occupation:
    code: str
    titles: tuple[str, ...]
    per_month: int
    skills: tuple[tuple[Phrase, float], ...]  # steady shares
    # (phrase, share before the current window, share in it): planted drifts
    trends: tuple[tuple[Phrase, float, float], ...] = ()


OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation(
        "15-1232.00",
        ("IT Support Specialist", "Help Desk Technician", "Desktop Support Analyst", "Service Desk Analyst"),
        45,
        (
            (("V", "manage user accounts"), 0.45),
            (("N", "ServiceNow"), 0.35),
            (("N", "Linux"), 0.3),
            (("V", "troubleshoot hardware problems"), 0.6),
            (("V", "communicate with customers"), 0.5),
            (("V", "back up and restore user data"), 0.25),
            (("N", "DNS"), 0.3),
            (("N", "PowerShell scripting"), 0.2),
            (("N", "patch management"), 0.15),
        ),
        ((("N", "Microsoft Azure"), 0.04, 0.40),),
    ),
    Occupation(
        "31-9092.00",
        ("Medical Assistant", "Clinical Medical Assistant", "Certified Medical Assistant"),
        40,
        (
            (("V", "take vital signs"), 0.55),
            (("V", "draw blood"), 0.45),
            (("N", "infection control"), 0.4),
            (("N", "medical terminology"), 0.35),
        ),
        (
            (("V", "schedule appointments"), 0.45, 0.06),
            (("N", "patient scheduling software"), 0.3, 0.04),
        ),
    ),
    Occupation(
        "15-1212.00",
        ("Information Security Analyst", "SOC Analyst", "Cybersecurity Analyst"),
        20,
        (
            (("N", "Splunk"), 0.45),
            (("N", "Python"), 0.35),
            (("N", "Linux"), 0.4),
            (("N", "cloud security"), 0.3),
            (("N", "penetration testing"), 0.25),
            (("V", "write incident reports"), 0.3),
            (("V", "run vulnerability scans"), 0.35),
            (("V", "configure firewalls"), 0.25),
            (("N", "Wireshark"), 0.15),
        ),
    ),
    Occupation(
        "51-4121.00",
        ("Welder", "MIG Welder", "Structural Welder", "Welder Fabricator"),
        20,
        (
            (("N", "MIG welding"), 0.55),
            (("N", "TIG welding"), 0.35),
            (("V", "use grinders and hand tools"), 0.4),
            (("V", "inspect welds"), 0.25),
        ),
    ),
    Occupation(
        "15-2051.01",
        ("Data Analyst", "Business Intelligence Analyst", "Reporting Analyst"),
        20,
        (
            (("N", "Microsoft Excel"), 0.6),
            (("N", "SQL"), 0.65),
            (("N", "Python"), 0.4),
            (("N", "Tableau"), 0.35),
            (("N", "Power BI"), 0.3),
            (("N", "Git"), 0.15),
            (("N", "statistics"), 0.3),
            (("N", "data quality checks"), 0.15),
        ),
    ),
    Occupation(
        "51-9161.00",
        ("CNC Machinist", "CNC Operator", "CNC Programmer"),
        20,
        (
            (("N", "G-code"), 0.55),
            (("N", "Mastercam"), 0.35),
            (("N", "CAM software"), 0.3),
            (("N", "GD&T"), 0.3),
            (("N", "CMM inspection"), 0.2),
        ),
    ),
)

EMPLOYERS = (
    "Lakeshore Health",
    "Northcoast Manufacturing",
    "Harbor Logistics",
    "Cuyahoga Credit Union",
    "Erie Steelworks",
    "Metro Clinic Partners",
    "Bluewater Software",
    "Great Lakes Fabrication",
    "Summit County Schools",
    "Riverbend Hospital",
    "Keystone Analytics",
    "Forge & Finch Machining",
    "Portside Retail Group",
)
OPENINGS = (
    "{employer} is hiring {a_title} to join a growing team.",
    "Join {employer} as {a_title}.",
    "{employer} seeks a dependable {title} for full-time work.",
)
CLOSINGS = (
    "We offer health insurance, paid time off and tuition support.",
    "Full-time, on site, with a day shift schedule.",
    "Apply today; interviews start next week.",
)
TEMPLATES = {
    "N": ("Experience with {x} is required.", "Knowledge of {x} is preferred."),
    "V": ("Must be able to {x}.",),
}


def _shares(occupation: Occupation) -> list[tuple[Phrase, float, float]]:
    """Each phrase with its share before the current window and in it (the same, for a steady skill)."""
    return [(phrase, share, share) for phrase, share in occupation.skills] + list(occupation.trends)


KINDS = {text: kind for o in OCCUPATIONS for (kind, text), _, _ in _shares(o)}
# The occupations as the generator's templates (first title as label), drawn in proportion to their volume.
GENERATOR_TEMPLATES = {
    o.code: Template(o.code, o.titles[0], o.titles, EMPLOYERS, OPENINGS, weight=o.per_month)
    for o in OCCUPATIONS
}


def posting_count() -> int:
    return sum(o.per_month * 12 for o in OCCUPATIONS)


def planted_trends(current_start: date) -> list[Trend]:
    """Every phrase as a generator trend, its share stepping from before to in the window at current_start."""
    return [
        Trend(o.code, text, current_start, before=before, after=after)
        for o in OCCUPATIONS
        for (_, text), before, after in _shares(o)
    ]


def _sentence(phrase: Phrase, rng: random.Random) -> str:
    kind, text = phrase
    return rng.choice(TEMPLATES[kind]).format(x=text)


def _write(draft: Draft, rng: random.Random) -> str:
    """An opening, the planted phrases in random order, a closing, pay and a reference."""
    title = draft.title
    a_title = f"{'an' if title[0] in 'AEIOU' else 'a'} {title}"
    sentences = [
        rng.choice(draft.template.intros).format(employer=draft.employer, title=title, a_title=a_title)
    ]
    wanted = list(draft.planted)
    rng.shuffle(wanted)
    sentences += [_sentence((KINDS[text], text), rng) for text in wanted]
    sentences.append(rng.choice(CLOSINGS))
    # Real postings differ in pay and reference; without this, short postings would repeat word for word and
    # count once (demand counts distinct content), which would skew the shares.
    sentences.append(
        f"Pay from ${rng.randint(17, 48)}.{rng.choice(('00', '25', '50', '75'))} an hour; "
        f"reference {draft.template.code[:2]}{draft.number:05d}."
    )
    return " ".join(sentences)


def demo_postings(today: date, seed: int) -> list[PostingRecord]:
    """A year of postings up to `today`, in date order: the occupations in proportion to their monthly
    volumes, spread over the days."""
    postings = generate_postings(
        posting_count(),
        seed=seed,
        start=today - timedelta(days=DAYS - 1),
        end=today,
        regions=(REGION,),
        trends=planted_trends(today - timedelta(days=CURRENT_DAYS - 1)),
        source=SOURCE,
        templates=GENERATOR_TEMPLATES,
        writer=_write,
    )
    return sorted((p.record() for p in postings), key=lambda r: (r.posted_at, r.external_id))
