"""A response whose open answers break the reader (a poison item) is tried a bounded number of times, then
marked failed with its error and shown in the survey's results; the other responses are read meanwhile.

The poison is a reader that dies on one answer the way a crashed NLP worker does (BrokenProcessPool after the
runner's own retry); everything else goes to the real process pool.
"""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

from sqlalchemy import select

from service.db import session_scope
from surveys.extraction import extract_all_pending
from surveys.models import SurveyResponse
from tests.support.seeds_surveys import (
    answer_all,
    create_open_survey,
    fresh_survey_rate_limits,  # noqa: F401 - autouse fixture
    invite,
    path_of,
)

POISON = "Our hires lack COBOL and poison-pill skills"
ANSWERS = ["Our new hires lack experience writing SQL queries.", POISON, "Python scripting and Excel"]
MAX_ATTEMPTS = 3


class CrashesOnPoison:
    """The NLP runner seen by surveys (surveys.caller.NlpRunner): the real pool, except for the poison."""

    def __init__(self, real) -> None:  # noqa: ANN001
        self.real = real

    async def run(self, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        if any(POISON in text for text in args[0]):
            raise BrokenProcessPool("A process in the process pool was terminated abruptly")
        return await self.real.run(fn, *args, **kwargs)


async def _responses(app, survey_id: int) -> dict[str, tuple[str, int, str | None]]:  # noqa: ANN001
    async with session_scope(app.state.engine) as session:
        rows = await session.execute(
            select(
                SurveyResponse.id,
                SurveyResponse.extraction_status,
                SurveyResponse.extraction_attempts,
                SurveyResponse.extraction_error,
            )
            .where(SurveyResponse.survey_id == survey_id, SurveyResponse.status == "submitted")
            .order_by(SurveyResponse.id)
        )
        return [tuple(row) for row in rows]


async def test_a_poison_response_ends_failed_after_its_attempts_and_the_others_are_read(
    api, app, tenant, client
):
    survey = await create_open_survey(api, app, tenant, competencies=2)
    links = await invite(api, survey["id"], len(ANSWERS))
    for link, missing in zip(links, ANSWERS, strict=True):
        final = await answer_all(client, path_of(link["url"]), survey, choose={"missing_skills": missing})
        assert "Thank you" in final.text
    reader = CrashesOnPoison(app.state.nlp)
    # extract_all_pending reads every organisation's pending answers (other tests' too): judge this survey's rows
    await extract_all_pending(app.state.sessionmaker, reader, max_attempts=MAX_ATTEMPTS)
    first, poison, third = await _responses(app, survey["id"])
    assert first[1:3] == ("done", 0) and third[1:3] == ("done", 0)
    assert poison[1:3] == ("pending", 1) and "BrokenProcessPool" in poison[3]

    for attempt in range(2, MAX_ATTEMPTS + 1):  # one attempt per run of the scheduled job
        await extract_all_pending(app.state.sessionmaker, reader, max_attempts=MAX_ATTEMPTS)
        assert (await _responses(app, survey["id"]))[1][2] == attempt
    assert (await _responses(app, survey["id"]))[1][1] == "failed"
    # failed: never tried again
    await extract_all_pending(app.state.sessionmaker, reader, max_attempts=MAX_ATTEMPTS)
    assert (await _responses(app, survey["id"]))[1][1:3] == ("failed", MAX_ATTEMPTS)

    results = (await api.get(f"/api/v1/surveys/{survey['id']}/results")).json()
    assert results["missing_skills_pending"] is False
    assert [(f["response_id"], f["attempts"]) for f in results["missing_skills_failed"]] == [
        (poison[0], MAX_ATTEMPTS)
    ]
    assert "BrokenProcessPool" in results["missing_skills_failed"][0]["error"]
