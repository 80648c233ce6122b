"""Open answers read for skills off the request path: submitted responses → survey-skill mentions.

Runs as a scheduled job (and on demand): claims a batch of submitted responses whose extraction is pending
(SKIP LOCKED on PostgreSQL, so replicas share the work), reads their open answers with nlp in the process pool,
and stores each mention with its concept, so "missing skills" are counted in the same concepts as posting demand.

A batch that raises is redone one response at a time, so one answer that breaks the reader (a poison item)
does not hold the others back; each failure counts an attempt on its response, and after `max_attempts` the
response is marked `failed` with the error (shown in the survey's results) instead of being retried forever.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case as sa_case
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveys.caller import NlpRunner
from surveys.generation import ROLE_MISSING
from surveys.models import SurveyAnswer, SurveyQuestion, SurveyResponse, SurveySkillMention

log = logging.getLogger("skillpulse.surveys.extraction")

BATCH = 200
MAX_ATTEMPTS = 5


def mention_rows(response: Any, question_id: int, mentions: Sequence[Any]) -> list[dict]:
    """Rows for the mentions nlp found in one open answer (pure)."""
    rows = []
    for mention in mentions:
        concept = mention.concept
        rows.append(
            {
                "org_id": response.org_id,
                "survey_id": response.survey_id,
                "response_id": response.id,
                "question_id": question_id,
                "start": mention.start,
                "end": mention.end,
                "text": mention.text[:1000],
                "kind": mention.kind,
                "concept_id": concept.id[:500]
                if concept is not None
                else None,  # the same key as posting mentions
                "concept_label": concept.label[:500] if concept is not None else None,
                "score": float(mention.score),
            }
        )
    return rows


async def _open_answers(session: AsyncSession, response_ids: list[int]) -> list[tuple[int, int, str]]:
    """(response id, question id, text) of the answers to the missing-skills question and designers' text questions."""
    rows = await session.execute(
        select(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.value)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(
            SurveyAnswer.response_id.in_(response_ids),
            SurveyQuestion.kind == "text",
            (SurveyQuestion.role == ROLE_MISSING) | SurveyQuestion.role.is_(None),
        )
        .order_by(SurveyAnswer.response_id, SurveyAnswer.question_id)
    )
    return [(r, q, v.strip()) for r, q, v in rows if isinstance(v, str) and v.strip()]


async def _claim(session: AsyncSession, batch: int, only: int | None) -> list[Any]:
    query = (
        select(SurveyResponse)
        .where(SurveyResponse.status == "submitted", SurveyResponse.extraction_status == "pending")
        .order_by(SurveyResponse.id)
        .limit(batch)
    )
    if only is not None:
        query = query.where(SurveyResponse.id == only)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(await session.scalars(query))


async def _extract_batch(
    maker: async_sessionmaker[AsyncSession], nlp_runner: NlpRunner, batch: int, only: int | None = None
) -> list[int]:
    """Read one batch (or the one response `only`) in one transaction; returns the ids it did."""
    import nlp as nlp_module

    async with maker() as session, session.begin():
        responses = await _claim(session, batch, only)
        if not responses:
            return []
        by_id = {r.id: r for r in responses}
        answers = await _open_answers(session, list(by_id))
        found = (
            await nlp_runner.run(nlp_module.extract_many, [text for _, _, text in answers]) if answers else []
        )
        rows: list[dict] = []
        for (response_id, question_id, _), mentions in zip(answers, found, strict=True):
            rows.extend(mention_rows(by_id[response_id], question_id, mentions))
        await session.execute(
            delete(SurveySkillMention).where(SurveySkillMention.response_id.in_(list(by_id)))
        )
        if rows:
            await session.execute(insert(SurveySkillMention), rows)
        for response in responses:
            response.extraction_status = "done"
            response.extraction_error = None
        log.info("read %d open answers of %d responses: %d mentions", len(answers), len(responses), len(rows))
        return list(by_id)


async def _pending_ids(maker: async_sessionmaker[AsyncSession], batch: int) -> list[int]:
    async with maker() as session:
        return list(
            await session.scalars(
                select(SurveyResponse.id)
                .where(SurveyResponse.status == "submitted", SurveyResponse.extraction_status == "pending")
                .order_by(SurveyResponse.id)
                .limit(batch)
            )
        )


async def _record_failure(
    maker: async_sessionmaker[AsyncSession], response_id: int, exc: BaseException, max_attempts: int
) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    async with maker() as session, session.begin():
        attempts = SurveyResponse.extraction_attempts + 1
        await session.execute(
            update(SurveyResponse)
            .where(SurveyResponse.id == response_id, SurveyResponse.extraction_status == "pending")
            .values(
                extraction_attempts=attempts,
                extraction_error=error,
                extraction_status=sa_case((attempts >= max_attempts, "failed"), else_="pending"),
            )
        )


async def _extract_round(
    maker: async_sessionmaker[AsyncSession], nlp_runner: NlpRunner, batch: int, max_attempts: int
) -> tuple[int, int]:
    """One batch: (responses done, responses that failed). A batch that raises is redone one by one."""
    try:
        return len(await _extract_batch(maker, nlp_runner, batch)), 0
    except Exception:  # noqa: BLE001 - redone one by one below, where the failing response is found
        log.exception("reading a batch of open answers failed; reading its responses one by one")
    done = failed = 0
    for response_id in await _pending_ids(maker, batch):
        try:
            done += len(await _extract_batch(maker, nlp_runner, 1, only=response_id))
        except Exception as exc:  # noqa: BLE001 - recorded on the response; the others go on
            log.exception("reading the open answers of survey response %s failed", response_id)
            await _record_failure(maker, response_id, exc, max_attempts)
            failed += 1
    return done, failed


async def extract_pending(
    maker: async_sessionmaker[AsyncSession],
    nlp_runner: NlpRunner,
    batch: int = BATCH,
    max_attempts: int = MAX_ATTEMPTS,
) -> int:
    """Read one batch of pending responses; returns how many responses were done."""
    done, _ = await _extract_round(maker, nlp_runner, batch, max_attempts)
    return done


async def extract_all_pending(
    maker: async_sessionmaker[AsyncSession], nlp_runner: NlpRunner, max_attempts: int = MAX_ATTEMPTS
) -> int:
    """Read every pending response. After a failure the run ends: a failed response gets one attempt per run
    (the scheduled job's interval apart), not a burst of them."""
    total = 0
    while True:
        done, failed = await _extract_round(maker, nlp_runner, BATCH, max_attempts)
        total += done
        if done == 0 or failed:
            return total
