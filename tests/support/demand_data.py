"""Demand test data written straight into the tables (credentials, postings, mentions, links).

The demand domain reads other domains' tables; writing rows here keeps its tests independent of how those
domains' APIs evolve. Bulk inserts (executemany), as the intake does.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from litestar import Litestar
from sqlalchemy import insert, select

from service.credentials.models import Competency, CompetencySkill, Credential
from service.db import session_scope
from service.demand.rollup_store import upkeep_postings
from service.geo import normalise, region_codes_of_text
from service.postings.models import Posting, PostingSkill

ESCO = "http://data.europa.eu/esco/skill/"


def concept_uri(name: str) -> str:
    return ESCO + name.lower().replace(" ", "-")


@dataclass
class PlannedPosting:
    posted_at: date
    occupation: str
    concepts: Sequence[tuple[str, str]]  # (label, requirement or "")
    region: str | None = None
    location: object = None  # a feed's location object; `geo` is made from it, else from `region`
    text: str | None = None
    content_hash: str | None = None
    extraction_status: str = "done"


@dataclass
class Made:
    credential_id: int
    competency_ids: dict[str, int] = field(default_factory=dict)


async def make_credential(
    app: Litestar,
    org_id: int,
    name: str,
    occupations: list[str],
    competencies: dict[str, list[str]] | None = None,
    link_status: str = "confirmed",
    region: str | None = None,
) -> Made:
    """A credential with competencies (text -> concept labels it is linked to)."""
    async with session_scope(app.state.engine) as session:
        cred = Credential(
            org_id=org_id,
            name=name,
            occupations=occupations,
            region=region,
            region_codes=region_codes_of_text(region),  # as the service stores them
        )
        session.add(cred)
        await session.flush()
        made = Made(cred.id)
        for position, (text, concepts) in enumerate((competencies or {}).items()):
            comp = Competency(org_id=org_id, credential_id=cred.id, text=text, position=position)
            session.add(comp)
            await session.flush()
            made.competency_ids[text] = comp.id
            for label in concepts:
                session.add(
                    CompetencySkill(
                        org_id=org_id,
                        competency_id=comp.id,
                        concept_id=concept_uri(label),
                        concept_label=label,
                        status=link_status,
                        score=0.9,
                    )
                )
    return made


def _geo(plan: PlannedPosting) -> dict | None:
    """The codes the intake would store (service/postings/records.py)."""
    location = normalise(plan.location if plan.location is not None else plan.region)
    return location.as_json() if location.known else None


async def add_postings(
    app: Litestar, org_id: int, planned: Iterable[PlannedPosting], source: str = "test"
) -> int:
    """Insert postings and their mentions, and count them in the demand rollups; returns how many postings."""
    planned = list(planned)
    if not planned:
        return 0
    batch = hashlib.sha256(repr((org_id, source, len(planned), random.random())).encode()).hexdigest()[:10]
    async with session_scope(app.state.engine) as session:
        rows = []
        texts = []
        for i, plan in enumerate(planned):
            text = plan.text or _text_for(plan.concepts, i)
            texts.append(text)
            rows.append(
                {
                    "org_id": org_id,
                    "source": source,
                    "external_id": f"{batch}-{i}",
                    "title": "Analyst",
                    "employer": f"Employer {i % 17}",
                    "text": text,
                    "region": plan.region,
                    "geo": _geo(plan),
                    "occupation_code": plan.occupation,
                    "posted_at": plan.posted_at,
                    "content_hash": plan.content_hash
                    or hashlib.sha256(f"{batch}-{i}-{text}".encode()).hexdigest(),
                    "extraction_status": plan.extraction_status,
                }
            )
        await session.execute(insert(Posting), rows)
        ids = dict(
            (
                await session.execute(
                    select(Posting.external_id, Posting.id).where(
                        Posting.org_id == org_id, Posting.external_id.like(f"{batch}-%")
                    )
                )
            ).all()
        )
        mentions = []
        for i, plan in enumerate(planned):
            text = texts[i]
            for label, requirement in plan.concepts:
                start = text.find(label)
                mentions.append(
                    {
                        "org_id": org_id,
                        "posting_id": ids[f"{batch}-{i}"],
                        "start": start,
                        "end": start + len(label),
                        "text": label,
                        "concept_id": concept_uri(label),
                        "concept_label": label,
                        "score": 0.9,
                        "requirement": requirement or None,
                    }
                )
        if mentions:
            await session.execute(insert(PostingSkill), mentions)
        # as the worker does when it stores mentions: the demand rollups, in the same transaction
        await upkeep_postings(session, sorted(ids.values()))
    return len(planned)


def _text_for(concepts: Sequence[tuple[str, str]], i: int) -> str:
    parts = [f"Posting {i}. We are hiring an analyst to join a friendly team."]
    for label, requirement in concepts:
        parts.append(f"{'Must have' if requirement == 'required' else 'Nice to have'} {label}.")
    return " ".join(parts)


def year_of_postings(
    start: date,
    months: int,
    per_month: int,
    occupation: str,
    shares: dict[str, float] | callable,  # label -> share, or month index -> {label: share}
    seed: int = 7,
) -> list[PlannedPosting]:
    """`per_month` postings each month, each concept present with its share (random, seeded)."""
    rng = random.Random(seed)
    out: list[PlannedPosting] = []
    for m in range(months):
        first = _add_months(start, m)
        days = (_add_months(start, m + 1) - first).days
        month_shares = shares(m) if callable(shares) else shares
        for _ in range(per_month):
            posted = first + timedelta(days=rng.randrange(days))
            concepts = [
                (label, "required" if rng.random() < 0.6 else "preferred")
                for label, share in month_shares.items()
                if rng.random() < share
            ]
            out.append(PlannedPosting(posted, occupation, concepts))
    return out


def _add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    return date(day.year + total // 12, total % 12 + 1, 1)
