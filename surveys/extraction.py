"""Open answers read for skills off the request path: submitted responses → survey-skill mentions.

Runs as a scheduled job (and on demand): claims a batch of submitted responses whose extraction is pending
(SKIP LOCKED on PostgreSQL, so replicas share the work), reads their open answers with nlp in the process pool,
and stores each mention with its concept, so "missing skills" are counted in the same concepts as posting demand.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveys.caller import NlpRunner
from surveys.generation import ROLE_MISSING
from surveys.models import SurveyAnswer, SurveyQuestion, SurveyResponse, SurveySkillMention

log = logging.getLogger("skillpulse.surveys.extraction")

BATCH = 200


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
                "concept_id": concept.id[:500] if concept is not None else None,  # the same key as posting mentions
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


async def extract_pending(
    maker: async_sessionmaker[AsyncSession], nlp_runner: NlpRunner, batch: int = BATCH
) -> int:
    """Read one batch of pending responses; returns how many responses were done."""
    import nlp as nlp_module

    async with maker() as session, session.begin():
        query = (
            select(SurveyResponse)
            .where(SurveyResponse.status == "submitted", SurveyResponse.extraction_status == "pending")
            .order_by(SurveyResponse.id)
            .limit(batch)
        )
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        responses = list(await session.scalars(query))
        if not responses:
            return 0
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
        log.info("read %d open answers of %d responses: %d mentions", len(answers), len(responses), len(rows))
        return len(responses)


async def extract_all_pending(maker: async_sessionmaker[AsyncSession], nlp_runner: NlpRunner) -> int:
    total = 0
    while True:
        done = await extract_pending(maker, nlp_runner)
        total += done
        if done == 0:
            return total
