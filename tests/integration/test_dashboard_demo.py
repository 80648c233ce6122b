"""The demo loader on the suite's database (PostgreSQL by default, SQLite with --db sqlite): the planted
drifts come out of the real pipeline as alerts of two different kinds, and a second start reuses the data."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from sqlalchemy import func, select

from service.auth.models import User
from service.db import session_scope
from service.demand.models import Alert, DriftRun
from service.postings.models import Posting
from surveys.models import SurveyResponse

# a fixed day: which steady skill's sampling noise crosses a threshold depends on where the months fall
TODAY = date(2026, 11, 23)


async def test_demo_plants_two_different_drifts_and_loads_once(app, settings):
    from service.demo import DEMO_EMAIL, build_demo

    first = await build_demo(settings, Console(quiet=True), "http://127.0.0.1:8000", today=TODAY)
    assert first.created and first.api_token and first.survey_link.startswith("http://127.0.0.1:8000/s/")
    async with session_scope(app.state.engine) as session:
        org_id = await session.scalar(select(User.org_id).where(User.email == DEMO_EMAIL))
        alerts = {
            (kind, title.split("\u201d")[0].lstrip("\u201c").split("\u201c")[-1])
            for kind, title in (
                await session.execute(
                    select(Alert.kind, Alert.title).where(Alert.org_id == org_id, Alert.status == "open")
                )
            ).all()
        }
        pending = await session.scalar(
            select(func.count())
            .select_from(Posting)
            .where(Posting.org_id == org_id, Posting.extraction_status != "done")
        )
        runs = await session.scalar(
            select(func.count()).select_from(DriftRun).where(DriftRun.org_id == org_id)
        )
        responses = await session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.org_id == org_id, SurveyResponse.status == "submitted")
        )
    assert ("emerging_skill", "Microsoft Azure software") in alerts
    assert ("fading_competency", "Patient scheduling") in alerts
    assert ("survey_gap", "Python") in alerts  # three welding employers name it in their own words
    assert len(alerts) == 3, alerts  # only what was planted: no steady skill's noise raises an alert
    assert pending == 0 and runs >= 2 and responses == 9

    again = await build_demo(settings, Console(quiet=True), "http://127.0.0.1:8000", today=TODAY)
    assert not again.created and again.api_token is None and again.survey_link != first.survey_link
    async with session_scope(app.state.engine) as session:
        assert (
            await session.scalar(select(func.count()).select_from(DriftRun).where(DriftRun.org_id == org_id))
            == runs
        )
