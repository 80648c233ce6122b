"""Synthetic job postings from our own templates: deterministic, realistic enough to extract from, with dates
over a year, regions, and skill trends planted on purpose (a skill rising from 2 % to 25 % of an occupation's
postings from a given month). The demo and the benchmark use it; nothing is downloaded.

    from demo.synthetic import Trend, generate_postings
    trend = Trend("15-1232.00", "Microsoft Azure", start=date(2025, 7, 1), before=0.02, after=0.25)
    for posting in generate_postings(1000, seed=7, trends=[trend]):
        posting.to_dict()      # a body for POST /api/v1/postings
        posting.record()       # a PostingRecord for the intake service

Posting i depends only on (seed, i) and the arguments, so the first n of a larger set are the same n postings.

It is the one engine for made-up postings: the demo (demo/postings.py) feeds it its own
occupations (`Template`s with a `weight` for their volume), its skill shares and drifts as `Trend`s (a steady
share is a trend whose before and after are equal) and a `writer` of its own for the words.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from demo.synthetic_templates import TEMPLATES, Template
from service.postings.records import PostingRecord


@dataclass(frozen=True, slots=True)
class Trend:
    """A skill phrase planted as a requirement in a share of one occupation's postings: `before` until
    `start`, then rising to `after` (a step when ramp_months is 0, else linearly over ramp_months)."""

    occupation: str
    skill: str
    start: date
    before: float = 0.02
    after: float = 0.25
    ramp_months: int = 0

    def share(self, posted: date) -> float:
        if posted < self.start:
            return self.before
        if self.ramp_months <= 0:
            return self.after
        months = (posted.year - self.start.year) * 12 + posted.month - self.start.month
        progress = min(1.0, (months + 1) / self.ramp_months)
        return self.before + (self.after - self.before) * progress


DEFAULT_REGIONS = ("US-OH", "US-PA", "US-MI", "US-IN", "US-KY")
CITIES = {
    "US-OH": ("Columbus", "Dayton", "Toledo", "Akron"),
    "US-PA": ("Pittsburgh", "Erie"),
    "US-MI": ("Detroit", "Grand Rapids"),
    "US-IN": ("Indianapolis", "Fort Wayne"),
    "US-KY": ("Louisville", "Lexington"),
}
SCHEDULES = ("Full-time", "Full-time, day shift", "Full-time, evenings", "Part-time available")
BENEFITS = (
    "Medical, dental and vision insurance",
    "401(k) with company match",
    "Paid time off and holidays",
    "Tuition reimbursement",
    "Paid training",
    "Uniform allowance",
)


@dataclass(frozen=True, slots=True)
class SyntheticPosting:
    source: str
    external_id: str
    title: str
    employer: str
    text: str
    region: str
    occupation: str
    posted_at: date
    planted: tuple[str, ...] = field(default=())
    give_occupation: bool = True

    def to_dict(self) -> dict:
        """A body for `POST /api/v1/postings`."""
        body = {
            "source": self.source,
            "external_id": self.external_id,
            "title": self.title,
            "employer": self.employer,
            "text": self.text,
            "region": self.region,
            "posted_at": self.posted_at.isoformat(),
        }
        if self.give_occupation:
            body["occupation"] = self.occupation
        return body

    def record(self) -> PostingRecord:
        return PostingRecord(
            source=self.source,
            external_id=self.external_id,
            title=self.title,
            text=self.text,
            employer=self.employer,
            region=self.region,
            posted_at=self.posted_at,
            occupation=self.occupation if self.give_occupation else None,
        )


@dataclass(frozen=True, slots=True)
class Draft:
    """What the engine drew for posting `number`; a writer turns it into the posting's text."""

    number: int
    template: Template
    title: str
    employer: str
    region: str
    posted_at: date
    planted: tuple[str, ...]  # the trends' skills drawn for this posting, in the order of the trends


Writer = Callable[[Draft, random.Random], str]


def _pick(rng: random.Random, pool: Sequence[str], low: int, high: int) -> list[str]:
    return rng.sample(list(pool), min(len(pool), rng.randint(low, high)))


def write_listing(draft: Draft, rng: random.Random) -> str:
    """The default words: a job-board listing with responsibilities, requirements (a planted skill is one
    more "Experience with …" line among them), preferred skills, pay, benefits and an EEO statement."""
    template, region = draft.template, draft.region
    city = rng.choice(CITIES.get(region, ("Springfield",)))
    numbers = {
        "n": rng.choice((40, 120, 300, 850, 2000)),
        "sites": rng.randint(2, 14),
        "shifts": rng.choice(("two", "three")),
    }
    requirements = _pick(rng, template.requirements, 3, 5)
    for skill in draft.planted:
        requirements.insert(rng.randrange(len(requirements) + 1), f"Experience with {skill}")
    pay_low = rng.randint(16, 45)
    lines = [
        f"{draft.title} - {draft.employer} ({city}, {region[-2:]})",
        "",
        rng.choice(template.intros).format(**numbers),
        "",
        "Responsibilities",
        *[f"- {d}" for d in _pick(rng, template.duties, 3, 5)],
        "",
        "Requirements",
        *[f"- {r}" for r in requirements],
        "",
        "Preferred",
        *[f"- {p}" for p in _pick(rng, template.preferred, 1, 2)],
        "",
        f"Pay: ${pay_low}-${pay_low + rng.randint(3, 12)} per hour. {rng.choice(SCHEDULES)}.",
        "Benefits: " + ", ".join(_pick(rng, BENEFITS, 2, 4)) + ".",
        f"Requisition {rng.randint(10000, 99999)}-{draft.number}.",
        "",
        f"{draft.employer} is an equal opportunity employer. All qualified applicants will receive "
        "consideration for employment without regard to race, color, religion, sex, national origin, "
        "disability or veteran status.",
    ]
    return "\n".join(lines)


def generate_postings(
    count: int,
    *,
    seed: int = 7,
    start: date = date(2025, 1, 1),
    end: date = date(2025, 12, 31),
    occupations: Sequence[str] | None = None,
    regions: Sequence[str] = DEFAULT_REGIONS,
    trends: Sequence[Trend] = (),
    source: str = "synthetic",
    give_occupation: bool = True,
    first: int = 0,
    templates: Mapping[str, Template] = TEMPLATES,
    writer: Writer = write_listing,
) -> Iterator[SyntheticPosting]:
    """`count` postings (numbered from `first`) spread uniformly over [start, end], over the given O*NET-SOC
    occupations (default: all of `templates`, each drawn in proportion to its weight) and regions, with each
    trend planted at its share for the date, in the words of `writer`.
    With give_occupation=False the code is left for the worker to find from the title."""
    codes = list(occupations or templates)
    unknown = [c for c in codes if c not in templates]
    if unknown:
        raise ValueError(f"no template for occupation(s) {', '.join(unknown)}; known: {', '.join(templates)}")
    if end < start:
        raise ValueError("end is before start")
    days = (end - start).days + 1
    chosen = [templates[c] for c in codes]
    weights = [t.weight for t in chosen]
    regions, trends = list(regions), list(trends)
    for i in range(first, first + count):
        rng = random.Random(f"{seed}:{i}")  # posting i depends only on (seed, i)
        template = rng.choices(chosen, weights)[0]
        posted = start + timedelta(days=rng.randrange(days))
        region = regions[rng.randrange(len(regions))]
        title = rng.choice(template.titles)
        employer = rng.choice(template.employers)
        planted = tuple(
            t.skill for t in trends if t.occupation == template.code and rng.random() < t.share(posted)
        )
        yield SyntheticPosting(
            source=source,
            external_id=f"syn-{seed}-{i}",
            title=title,
            employer=employer,
            text=writer(Draft(i, template, title, employer, region, posted, planted), rng),
            region=region,
            occupation=template.code,
            posted_at=posted,
            planted=planted,
            give_occupation=give_occupation,
        )
