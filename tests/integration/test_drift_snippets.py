"""A drift run's snippets are fetched per (window, region, concepts) for every alerting credential at once;
each credential still gets what a query over its own codes returns: its codes only, newest first, one per
content fingerprint, at most the limit."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from service.db import session_scope
from service.demand.detection import Candidate, windows_for
from service.demand.run_evidence import SnippetBatch
from service.postings.models import Posting
from tests.support.demand_data import PlannedPosting, add_postings, concept_uri

AS_OF = date(2026, 6, 30)
CODES = ["15-1232.00", "15-1232.01", "29-1141.00"]


def candidate() -> Candidate:
    return Candidate("emerging_skill", "x", "t", "low", {}, snippet_concepts=[concept_uri("Docker")])


async def test_grouped_snippets_equal_each_credentials_own(app, tenant):
    rng = random.Random(11)
    planned = []
    for n in range(90):
        posted = AS_OF - timedelta(days=rng.randrange(120))
        concepts = [("Docker", "required")] if rng.random() < 0.7 else [("SQL", "required")]
        twin = f"same-{n % 7}" if rng.random() < 0.3 else None  # reposts: one snippet per content
        planned.append(PlannedPosting(posted, rng.choice(CODES), concepts, content_hash=twin))
    await add_postings(app, tenant.org_id, planned)
    windows = windows_for(AS_OF, 90, 365)
    wanted = {"soc": ("15-1232",), "one": ("29-1141.00",), "two": ("15-1232.01", "29-1141.00")}
    batch = SnippetBatch(tenant.org_id, windows, limit=4)
    asked = {name: candidate() for name in wanted}
    for name, codes in wanted.items():
        batch.want(asked[name], codes, asked[name].snippet_concepts, ())
    nothing = candidate()
    batch.want(nothing, (), nothing.snippet_concepts, ())  # no codes: no query, no snippets
    async with session_scope(app.state.engine) as session:
        assert await batch.fill(session) == 1  # three credentials, one query
        rows = (
            await session.execute(
                select(Posting.id, Posting.occupation_code, Posting.posted_at, Posting.content_hash).where(
                    Posting.org_id == tenant.org_id
                )
            )
        ).all()
    assert nothing.evidence["snippets"] == []
    by_id = {r.id: r for r in rows}
    planned_docker = {i for i, plan in enumerate(planned) if plan.concepts[0][0] == "Docker"}
    ids_in_order = sorted(by_id)  # add_postings inserts in plan order
    docker = {ids_in_order[i] for i in planned_docker}
    for name, codes in wanted.items():
        mine = [
            r
            for r in rows
            if r.id in docker
            and r.posted_at >= windows.current_start
            and any(r.occupation_code == c or r.occupation_code.startswith(c + ".") for c in codes)
        ]
        mine.sort(key=lambda r: (r.posted_at, r.id), reverse=True)
        expected, seen = [], set()
        for r in mine:
            if r.content_hash not in seen:
                seen.add(r.content_hash)
                expected.append(r.id)
        got = [s["posting_id"] for s in asked[name].evidence["snippets"]]
        assert got == expected[:4], name
        assert len(got) == 4, name  # the corpus gives each credential more than the limit
