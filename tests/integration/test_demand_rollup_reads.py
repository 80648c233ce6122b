"""A drift run's counts read from the rollups equal the counts over the raw postings and mentions, on a seeded
corpus with reposts across windows, occupations and places, unfinished extractions, service regions."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from service.credentials.models import Competency, CompetencySkill, Credential
from service.db import session_scope
from service.demand.aggregation import Scope, bucket_counts, dialect_of, month_bucket, window_bucket
from service.demand.detection import windows_for
from service.demand.rollup_reads import count_credentials_from_rollups, scope_counts
from service.demand.rollup_rebuild import ensure_rollups, rebuild
from service.demand.run_regions import count_credentials
from service.demand.runs import usable_occupations
from service.postings.models import Posting, PostingSkill

AS_OF = date(2026, 6, 30)
OCCUPATIONS = ["15-1232.00", "15-1232.01", "15-1212.00", "29-1141.00", "43-4051.00"]
TOLEDO = {"state": ["OH"], "county": ["39095"], "cbsa": ["45780"], "remote": False, "remote_states": []}
COLUMBUS = {"state": ["OH"], "county": ["39049"], "cbsa": ["18140"], "remote": False}
PLACES = [
    TOLEDO,
    dict(TOLEDO, state=["OH"]),  # the same place written again
    COLUMBUS,
    {"state": ["MI"], "remote": False},
    {"remote": True, "remote_country": "US", "remote_states": []},
    {"remote": True, "remote_states": ["OH", "PA"]},
    None,
]
REGIONS = [[], ["county:39095"], ["state:OH"], ["cbsa:45780"], ["state:MI"], ["county:39049", "state:MI"]]
CONCEPTS = [f"http://example.org/concept/{i}" for i in range(24)]


def seeded_postings(org_id: int, rng: random.Random) -> tuple[list[Posting], list[PostingSkill]]:
    postings: list[Posting] = []
    skills: list[PostingSkill] = []
    for n in range(360):
        if postings and rng.random() < 0.2:  # a repost: same content, another date, maybe place or code
            twin = rng.choice(postings)
            chash, concepts = twin.content_hash, [s for s in skills if s.posting_id == twin.id]
            posted = twin.posted_at + timedelta(days=rng.randint(-60, 60)) if twin.posted_at else None
        else:
            chash, concepts, posted = f"hash-{n}", [], AS_OF - timedelta(days=rng.randrange(500))
        posting = Posting(
            id=org_id * 1_000_000 + n,  # explicit, so mentions can name it before a flush
            org_id=org_id,
            source="seed",
            external_id=f"s-{n}",
            title="Seeded",
            content_hash=chash,
            occupation_code=rng.choice([*OCCUPATIONS, None]) if rng.random() < 0.95 else "",
            posted_at=posted if rng.random() < 0.97 else None,
            geo=rng.choice(PLACES),
            extraction_status=rng.choice(["done"] * 8 + ["failed"]),  # none pending: other tests drain
        )
        postings.append(posting)
        picked = [(s.concept_id, s.requirement) for s in concepts] or [
            (
                rng.choice(CONCEPTS) if rng.random() < 0.9 else None,
                rng.choice(["required", "preferred", None]),
            )
            for _ in range(rng.randint(0, 6))
        ]
        for cid, requirement in picked:
            label = f"label of {cid.rsplit('/', 1)[-1]}" if cid else None
            skills.append(
                PostingSkill(
                    org_id=org_id,
                    posting_id=posting.id,
                    start=0,
                    end=4,
                    text="seed",
                    concept_id=cid,
                    concept_label=label,
                    requirement=requirement,
                )
            )
    return postings, skills


def seeded_credentials(org_id: int, rng: random.Random) -> list[Credential]:
    return [
        Credential(
            org_id=org_id,
            name=f"Credential {n}",
            occupations=rng.sample([*OCCUPATIONS, "15-1232"], rng.randint(1, 3)),
            region_codes=REGIONS[n % len(REGIONS)],
        )
        for n in range(12)
    ]


async def seed(app, org_id: int) -> None:  # noqa: ANN001
    rng = random.Random(20)
    postings, skills = seeded_postings(org_id, rng)
    credentials = seeded_credentials(org_id, rng)
    async with session_scope(app.state.engine) as session:
        session.add_all(postings)
        session.add_all(credentials)
        await session.flush()
        session.add_all(skills)
        competencies = [
            Competency(org_id=org_id, credential_id=c.id, text=f"Competency {i} of {c.name}", position=i)
            for c in credentials
            for i in range(4)
        ]
        session.add_all(competencies)
        await session.flush()
        for comp in competencies:
            for cid in rng.sample(CONCEPTS[:12], 3):
                status = rng.choice(["suggested", "confirmed", "rejected"])
                session.add(
                    CompetencySkill(org_id=org_id, competency_id=comp.id, concept_id=cid, status=status)
                )


def as_plain(counts, credential_id: int) -> tuple[dict, dict, dict]:  # noqa: ANN001 - CredentialCounts
    bucket = counts.for_credential(credential_id).to_buckets()
    concepts = {
        (b, cid): (c.label, c.postings, c.required, c.preferred)
        for b, per in bucket.concepts.items()
        for cid, c in per.items()
    }
    return dict(bucket.totals), concepts, counts.competencies(credential_id)


async def test_rollup_counts_equal_raw_counts(app, tenant):
    await seed(app, tenant.org_id)
    async with session_scope(app.state.engine) as session:
        assert await ensure_rollups(session, tenant.org_id)  # nothing counted yet: it builds them
        assert not await ensure_rollups(session, tenant.org_id)
    drift = app.state.settings.drift.model_copy(update={"match_region": True})
    windows = windows_for(AS_OF, drift.current_days, drift.baseline_days)
    dates = (windows.baseline_start, windows.as_of, windows.current_start)
    async with session_scope(app.state.engine) as session:
        credentials = list(
            await session.scalars(select(Credential).where(Credential.org_id == tenant.org_id))
        )
        wanted = {c.id: usable_occupations(c.occupations) for c in credentials}
        raw = await count_credentials(session, tenant.org_id, dates, credentials, wanted, drift)
        rolled = await count_credentials_from_rollups(
            session, tenant.org_id, dates, credentials, wanted, drift
        )
    seen_regions, nonzero = set(), 0
    for credential in credentials:
        expected = as_plain(raw, credential.id)
        assert as_plain(rolled, credential.id) == expected, credential.name
        seen_regions.add(tuple(credential.region_codes))
        nonzero += bool(expected[0]) and bool(expected[1]) and bool(expected[2])
    assert len(seen_regions) == len(REGIONS) and nonzero >= 6  # the corpus exercises what it claims to

    async with session_scope(app.state.engine) as session:  # a rebuild changes nothing
        await rebuild(session, tenant.org_id)
    async with session_scope(app.state.engine) as session:
        again = await count_credentials_from_rollups(
            session, tenant.org_id, dates, credentials, wanted, drift
        )
    assert all(as_plain(again, c.id) == as_plain(rolled, c.id) for c in credentials)


def plain_buckets(counts) -> tuple[dict, dict]:  # noqa: ANN001 - BucketCounts
    concepts = {
        (b, cid): (c.label, c.postings, c.required, c.preferred)
        for b, per in counts.concepts.items()
        for cid, c in per.items()
    }
    return dict(counts.totals), concepts


async def test_demand_and_alignment_counts_from_rollups_equal_raw_counts(app, tenant):
    await seed(app, tenant.org_id)
    async with session_scope(app.state.engine) as session:
        await rebuild(session, tenant.org_id)
    scopes = [
        Scope(tenant.org_id, ("15-1232",), date(2025, 3, 1), AS_OF),
        Scope(tenant.org_id, ("15-1232.01", "29-1141.00"), date(2025, 1, 1), date(2026, 2, 14)),
        Scope(tenant.org_id, tuple(OCCUPATIONS), date(2025, 6, 1), AS_OF, ("state:OH",)),
        Scope(
            tenant.org_id, ("15-1212.00", "15-1232"), date(2025, 2, 1), AS_OF, ("county:39095", "state:MI")
        ),
        Scope(tenant.org_id, ("15-1232",), date(2025, 2, 1), AS_OF, ("cbsa:99999",)),
    ]
    async with session_scope(app.state.engine) as session:
        month = month_bucket(dialect_of(session))
        for scope in scopes:
            raw = await bucket_counts(session, scope, month)
            assert plain_buckets(await scope_counts(session, scope, "month")) == plain_buckets(raw), scope
            split = date(2026, 1, 10)
            raw = await bucket_counts(session, scope, window_bucket(split))
            assert plain_buckets(await scope_counts(session, scope, split)) == plain_buckets(raw), scope
        busy = await scope_counts(session, scopes[2], "month")
        top = await scope_counts(session, scopes[2], "month", top=3)  # what a demand series of 3 asks
        some = set(list(CONCEPTS)[::3])
        only = await scope_counts(session, scopes[2], "month", only=some)
    assert len(busy.totals) >= 10 and sum(busy.totals.values()) > 50
    assert top.totals == busy.totals and only.totals == busy.totals
    for month, per in busy.concepts.items():
        ranked = sorted(per.items(), key=lambda item: (-item[1].postings, item[0]))
        assert top.concepts.get(month, {}) == dict(ranked[:3])
        assert only.concepts.get(month, {}) == {cid: c for cid, c in per.items() if cid in some}
    assert any(len(per) > 3 for per in busy.concepts.values())  # so the top does cut
