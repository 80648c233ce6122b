"""The demo loader on the suite's database (PostgreSQL by default, SQLite with --db sqlite): the planted
drifts come out of the real pipeline as alerts of three kinds, each with its evidence, on whatever day the
suite runs, and a second start reuses the data.

The demo is built for the real today (what `serve --demo` does) on PostgreSQL and for a day long past on
SQLite: everything it creates that a drift run reads (postings, survey answers) is dated from its own day, never
from the clock. (One day per database: a demo build is the suite's costliest fixture, and neither the day nor
the database changes what the other checks.)
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from rich.console import Console
from sqlalchemy import func, select

from service.auth.models import User
from service.db import create_engine, session_scope
from service.demand.models import Alert, DriftRun
from service.postings.models import Posting
from surveys.models import SurveyResponse
from tests.support.databases import create_database, drop_database

# what the demo promises: (alert kind, the concept or competency its title names)
PLANTED = {
    ("emerging_skill", "Microsoft Azure"),  # IT support employers start asking for it
    ("fading_competency", "scheduling"),  # medical assistant employers stop asking for it
    ("survey_gap", "Python"),  # three welding employers name it in their own words
}


def _planted(kind: str, title: str) -> tuple[str, str] | None:
    for planted_kind, words in PLANTED:
        if kind == planted_kind and words.lower() in title.lower():
            return planted_kind, words
    return None


@pytest.fixture
def demo_settings(db_kind, postgres_server, tmp_path):  # noqa: ANN001, ANN201
    """Settings on a database of the suite's kind of its own: the demo makes one organisation per database."""
    from service.db import upgrade
    from service.settings import build_settings

    if db_kind == "sqlite":
        url, name = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", None
    else:
        name = f"skillpulse_demo_{uuid.uuid4().hex[:12]}"
        url = create_database(postgres_server, name)
    try:
        upgrade(url)
        yield build_settings(
            database={"url": url},
            server={"env": "test", "secret_key": "test-secret-key-0123456789", "run_worker": False},
        )
    finally:
        if name:
            drop_database(postgres_server, name)


async def test_demo_plants_three_drifts_with_evidence_and_loads_once(demo_settings, db_kind):
    from demo.load import DEMO_EMAIL, build_demo

    settings = demo_settings
    today = None if db_kind == "postgres" else date(2025, 3, 31)  # the real today, or a day long past
    day = today or datetime.now(UTC).date()
    first = await build_demo(settings, Console(quiet=True), "http://127.0.0.1:8000", today=today)
    assert first.created and first.api_token and first.survey_link.startswith("http://127.0.0.1:8000/s/")
    engine = create_engine(settings)
    async with session_scope(engine) as session:
        org_id = await session.scalar(select(User.org_id).where(User.email == DEMO_EMAIL))
        alerts = (
            await session.scalars(select(Alert).where(Alert.org_id == org_id, Alert.status == "open"))
        ).all()
        pending = await session.scalar(
            select(func.count())
            .select_from(Posting)
            .where(Posting.org_id == org_id, Posting.extraction_status != "done")
        )
        latest = await session.scalar(select(func.max(Posting.posted_at)).where(Posting.org_id == org_id))
        runs = (await session.scalars(select(DriftRun).where(DriftRun.org_id == org_id))).all()
        submitted = (
            await session.scalars(
                select(SurveyResponse.submitted_at).where(
                    SurveyResponse.org_id == org_id, SurveyResponse.status == "submitted"
                )
            )
        ).all()
    found = {}
    for alert in alerts:
        planted = _planted(alert.kind, alert.title)
        if planted is not None:
            found[planted] = alert
    assert set(found) == PLANTED, sorted((a.kind, a.title) for a in alerts)
    for (kind, _), alert in found.items():
        if kind == "survey_gap":  # employers' own words, quoted
            assert alert.evidence["survey_quotes"], alert.evidence
            assert all("python" in q["quote"].lower() for q in alert.evidence["survey_quotes"])
        else:  # postings that show it
            assert alert.evidence["snippets"], alert.evidence
        assert alert.evidence["as_of"] == day.isoformat()
    assert pending == 0 and len(runs) >= 2 and max(r.as_of for r in runs) == day
    assert latest <= day
    # the answers fall in the demo's last month, before its last drift run, whatever the wall clock says
    assert len(submitted) == 9
    assert all(day - timedelta(days=30) < s.astimezone(UTC).date() <= day for s in submitted)

    again = await build_demo(settings, Console(quiet=True), "http://127.0.0.1:8000", today=today)
    assert not again.created and again.api_token is None and again.survey_link != first.survey_link
    try:
        async with session_scope(engine) as session:
            assert await session.scalar(
                select(func.count()).select_from(DriftRun).where(DriftRun.org_id == org_id)
            ) == len(runs)
    finally:
        await engine.dispose()
