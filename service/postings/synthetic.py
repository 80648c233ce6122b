"""Synthetic job postings from our own templates: deterministic, realistic enough to extract from, with dates
over a year, regions, and skill trends planted on purpose (a skill rising from 2 % to 25 % of an occupation's
postings from a given month). The demo and the benchmark use it; nothing is downloaded.

    from service.postings.synthetic import Trend, generate_postings
    trend = Trend("15-1232.00", "Microsoft Azure", start=date(2025, 7, 1), before=0.02, after=0.25)
    for posting in generate_postings(1000, seed=7, trends=[trend]):
        posting.to_dict()      # a body for POST /api/v1/postings
        posting.record()       # a PostingRecord for the intake service

Posting i depends only on (seed, i) and the arguments, so the first n of a larger set are the same n postings.

It is the one engine for made-up postings: the demo (service/dashboard/demo_postings.py) feeds it its own
occupations (`Template`s with a `weight` for their volume), its skill shares and drifts as `Trend`s (a steady
share is a trend whose before and after are equal) and a `writer` of its own for the words.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

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


@dataclass(frozen=True, slots=True)
class Template:
    """One occupation's words. The engine draws a title and an employer from it, in proportion to `weight`
    among the templates; the writer uses the rest (`intros` open a posting, and `write_listing` draws
    duties, requirements and preferred skills from their pools)."""

    code: str
    label: str
    titles: tuple[str, ...]
    employers: tuple[str, ...]
    intros: tuple[str, ...]
    duties: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    preferred: tuple[str, ...] = ()
    weight: float = 1.0


TEMPLATES: dict[str, Template] = {
    t.code: t
    for t in (
        Template(
            "15-1232.00",
            "Computer User Support Specialists",
            (
                "IT Support Specialist",
                "Help Desk Technician",
                "Desktop Support Technician",
                "Service Desk Analyst",
                "IT Support Technician II",
            ),
            (
                "Riverside Health",
                "Metro Schools",
                "Summit Credit Union",
                "Northgate Logistics",
                "County of Franklin",
            ),
            (
                "Our service desk keeps {n} staff productive across {sites} sites.",
                "Join a friendly IT team supporting clinics, offices and remote staff.",
                "You will be the first point of contact for technology questions.",
            ),
            (
                "Troubleshoot Windows workstations, laptops and printers",
                "Reset passwords and manage Active Directory accounts",
                "Log and resolve tickets in ServiceNow",
                "Image and deploy new computers",
                "Support Microsoft 365 and Outlook",
                "Configure VPN access for remote users",
                "Document fixes in the knowledge base",
                "Set up mobile devices and multi-factor authentication",
                "Escalate network issues to the infrastructure team",
            ),
            (
                "Experience with Windows 10 and Windows 11",
                "Knowledge of Active Directory",
                "Customer service skills",
                "Experience with ticketing systems",
                "Basic networking knowledge (TCP/IP, DNS, DHCP)",
                "Clear written and verbal communication",
            ),
            (
                "CompTIA A+ certification",
                "Experience with PowerShell scripting",
                "Familiarity with macOS",
                "Experience with SQL queries",
            ),
        ),
        Template(
            "15-1212.00",
            "Information Security Analysts",
            (
                "Information Security Analyst",
                "Cybersecurity Analyst",
                "SOC Analyst",
                "Security Operations Analyst",
            ),
            ("State Credit Union", "Riverside Health", "Great Lakes Insurance", "Buckeye Energy"),
            (
                "Protect patient and member data across a hybrid network.",
                "Our security operations center monitors {n} endpoints around the clock.",
            ),
            (
                "Monitor alerts in Splunk and triage incidents",
                "Perform vulnerability scans and track remediation",
                "Investigate phishing reports",
                "Maintain firewall rules and review access logs",
                "Write incident reports and post-incident reviews",
                "Support audits against NIST 800-53 controls",
                "Harden servers and workstations",
            ),
            (
                "Experience with SIEM tools",
                "Knowledge of network security and firewalls",
                "Incident response experience",
                "Understanding of risk management",
                "Experience with vulnerability management",
            ),
            (
                "Security+ certification",
                "Experience with Python scripting",
                "Knowledge of cloud security",
                "Experience with penetration testing",
            ),
        ),
        Template(
            "51-4121.00",
            "Welders, Cutters, Solderers, and Brazers",
            ("Welder", "MIG Welder", "Welder / Fabricator", "Structural Welder", "Production Welder"),
            ("Buckeye Fab", "Northside Manufacturing", "Lakeshore Trailers", "Ironworks Inc."),
            (
                "We build steel frames and trailers for customers across the Midwest.",
                "Join a fabrication shop of {n} people on {shifts} shifts.",
            ),
            (
                "Weld carbon steel assemblies using MIG welding",
                "Read blueprints and welding symbols",
                "Fit and tack parts before final welds",
                "Operate plasma cutters and grinders",
                "Inspect welds for quality",
                "Maintain a safe and clean work area",
                "Set up jigs and fixtures",
            ),
            (
                "Experience with MIG welding",
                "Ability to read blueprints",
                "Knowledge of welding safety",
                "Ability to lift 50 pounds",
                "Experience with flux-cored arc welding",
            ),
            (
                "AWS D1.1 certification",
                "Experience with TIG welding on aluminum",
                "Forklift experience",
                "Experience with stick welding",
            ),
        ),
        Template(
            "31-9092.00",
            "Medical Assistants",
            (
                "Medical Assistant",
                "Certified Medical Assistant",
                "Clinical Medical Assistant",
                "Medical Assistant - Family Practice",
            ),
            ("Lakeview Clinic", "Riverside Health", "Valley Pediatrics", "Community Care Partners"),
            (
                "Our family practice sees {n} patients a week.",
                "Support physicians in a busy outpatient clinic.",
            ),
            (
                "Take vital signs and record patient histories",
                "Room patients and prepare them for exams",
                "Perform phlebotomy and collect specimens",
                "Give injections and immunizations",
                "Update electronic health records",
                "Schedule appointments and referrals",
                "Sterilize instruments",
            ),
            (
                "Knowledge of medical terminology",
                "Experience with electronic health records",
                "Phlebotomy skills",
                "Customer service skills",
                "Knowledge of infection control",
            ),
            (
                "CMA or RMA certification",
                "Bilingual in English and Spanish",
                "Experience with Epic",
                "BLS certification",
            ),
        ),
        Template(
            "15-2051.00",
            "Data Scientists",
            (
                "Data Analyst",
                "Data Scientist",
                "Business Intelligence Analyst",
                "Senior Data Analyst",
                "Analytics Specialist",
            ),
            (
                "Metro Transit",
                "Great Lakes Insurance",
                "Summit Retail Group",
                "Buckeye Energy",
                "County of Franklin",
            ),
            ("Turn data into decisions for {n} teams.", "Help our leaders understand what the numbers say."),
            (
                "Query data with SQL",
                "Build dashboards in Tableau",
                "Clean and analyze data in Python",
                "Present findings to stakeholders",
                "Design and evaluate A/B tests",
                "Automate recurring reports",
                "Build statistical models",
            ),
            (
                "Experience with SQL",
                "Experience with Python or R",
                "Knowledge of statistics",
                "Experience with data visualization",
                "Advanced Excel skills",
            ),
            (
                "Experience with machine learning",
                "Experience with cloud data warehouses",
                "Knowledge of Git",
                "Experience with Power BI",
            ),
        ),
        Template(
            "51-4041.00",
            "Machinists",
            (
                "CNC Machinist",
                "CNC Operator",
                "Machinist",
                "CNC Lathe Machinist",
                "Second Shift CNC Machinist",
            ),
            (
                "Precision Parts Co",
                "Northside Manufacturing",
                "Toledo Tool & Die",
                "Apex Aerospace Components",
            ),
            (
                "We machine precision parts for aerospace and medical customers.",
                "A {n}-machine shop running {shifts} shifts.",
            ),
            (
                "Set up and operate CNC mills and lathes",
                "Read blueprints and apply GD&T",
                "Measure parts with micrometers and calipers",
                "Change tools and offsets",
                "Perform first article inspection",
                "Edit G-code programs at the machine",
                "Perform preventive maintenance",
            ),
            (
                "Experience operating CNC machines",
                "Ability to read blueprints",
                "Knowledge of GD&T",
                "Experience with precision measuring tools",
                "Basic shop math",
            ),
            (
                "Experience with 5-axis machines",
                "Experience with Mastercam",
                "Knowledge of Haas or Fanuc controls",
            ),
        ),
        Template(
            "51-9162.00",
            "Computer Numerically Controlled Tool Programmers",
            ("CNC Programmer", "CAM Programmer", "CNC Programmer / Machinist"),
            ("Apex Aerospace Components", "Precision Parts Co", "Toledo Tool & Die"),
            ("Program the machines that make parts for {n} customers.",),
            (
                "Write CNC programs with Mastercam",
                "Prove out new programs on the machine",
                "Select tooling, speeds and feeds",
                "Optimize cycle times",
                "Create setup sheets",
                "Work with engineering on manufacturability",
            ),
            (
                "Experience with CAM software",
                "Knowledge of G-code",
                "Knowledge of GD&T",
                "Ability to read blueprints",
            ),
            (
                "Experience with SolidWorks",
                "Experience with 5-axis programming",
                "Experience with Fusion 360",
            ),
        ),
    )
}

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
