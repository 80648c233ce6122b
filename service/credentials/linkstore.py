"""Running the linker off the event loop and writing its proposals as competency-skill links."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import utcnow
from service.credentials.linking import LinkPlan, LinkResults, LinkState, Proposal, plan_links, propose_links
from service.credentials.models import CompetencySkill
from service.nlp_runner import NlpRunner

log = logging.getLogger("skillpulse.credentials")

LINK_CHUNK = 250  # statements per pool call: progress can be reported between chunks
SQL_IN_CHUNK = 900  # ids per IN (...) list: SQLite builds before 3.32 allow 999 parameters

ProgressFn = Callable[[str, int, int], None]


class LinkingUnavailable(RuntimeError):
    """The NLP worker failed; the import stores nothing and the caller may retry (HTTP 503)."""


async def run_linker(
    nlp_runner: NlpRunner,
    items: list[tuple[str, str | None]],
    titles: list[str] | None = None,
    concept_refs: list[str] | None = None,
    progress: ProgressFn | None = None,
) -> LinkResults:
    """Proposals for every (text, label), in pool calls of LINK_CHUNK statements submitted together, so that
    every worker process of the pool takes a share."""
    chunks = [items[i : i + LINK_CHUNK] for i in range(0, len(items), LINK_CHUNK)] or [[]]
    done = 0

    async def one(number: int, chunk: list[tuple[str, str | None]]) -> LinkResults:
        nonlocal done
        first = number == 0
        try:
            part = await nlp_runner.run(
                propose_links, chunk, titles if first else None, concept_refs if first else None
            )
        except Exception as exc:
            log.exception("skill linking failed")
            raise LinkingUnavailable(f"skill linking is unavailable: {type(exc).__name__}: {exc}") from exc
        done += len(chunk)
        if progress:
            progress("linking", done, len(items))
        return part

    parts = await asyncio.gather(*(one(n, c) for n, c in enumerate(chunks)))
    merged = LinkResults(
        proposals=[p for part in parts for p in part.proposals],
        occupations=parts[0].occupations,
        concept_labels=parts[0].concept_labels,
        concept_ids=parts[0].concept_ids,
        extractor_version=parts[-1].extractor_version,
    )
    return merged


async def links_of(session: AsyncSession, competency_ids: Iterable[int]) -> dict[int, list[CompetencySkill]]:
    ids = list(competency_ids)
    found: dict[int, list[CompetencySkill]] = {i: [] for i in ids}
    for start in range(0, len(ids), SQL_IN_CHUNK):
        rows = await session.scalars(
            select(CompetencySkill).where(
                CompetencySkill.competency_id.in_(ids[start : start + SQL_IN_CHUNK])
            )
        )
        for row in rows:
            found[row.competency_id].append(row)
    return found


def unchanged_proposals(links: Sequence[CompetencySkill]) -> list[Proposal]:
    """The machine's current suggestions, as if proposed again (a competency that was not re-linked)."""
    return [
        Proposal(link.concept_id, link.concept_label, link.score, link.method)
        for link in links
        if link.status == "suggested" and link.method != "manual"
    ]


class LinkWriter:
    """Collects link changes of many competencies and writes them in a few statements."""

    def __init__(self, session: AsyncSession, org_id: int, extractor_version: str) -> None:
        self.session = session
        self.org_id = org_id
        self.version = extractor_version or None
        self.inserts: list[dict] = []
        self.deletes: list[int] = []
        self.suggested = 0
        self.added = self.updated = 0

    def apply(
        self,
        competency_id: int,
        links: Sequence[CompetencySkill],
        proposals: list[Proposal],
        asserted: list[Proposal] = (),  # type: ignore[assignment]
    ) -> LinkPlan:
        plan = plan_links(
            [LinkState(x.id, x.concept_id, x.status, x.method, x.score) for x in links],
            proposals,
            list(asserted),
        )
        by_id = {x.id: x for x in links}
        now = utcnow()
        for link_id, proposal, status in plan.update:
            link = by_id[link_id]
            link.score = proposal.score
            if link.method != "manual" and link.status not in ("confirmed", "rejected"):
                link.method = proposal.method
            if status != link.status:
                link.status = status
                link.reviewed_at = now
            if proposal.label and not link.concept_label:
                link.concept_label = proposal.label[:500]
            link.extractor_version = self.version
        for proposal, status in plan.insert:
            self.inserts.append(
                {
                    "org_id": self.org_id,
                    "competency_id": competency_id,
                    "concept_id": proposal.concept_id[:500],
                    "concept_label": (proposal.label or "")[:500],
                    "score": proposal.score,
                    "method": proposal.method,
                    "status": status,
                    "reviewed_at": now if status != "suggested" else None,
                    "extractor_version": self.version,
                    "created_at": now,
                }
            )
            self.suggested += status == "suggested"
        self.deletes.extend(plan.delete)
        self.added += len(plan.insert)
        self.updated += len(plan.update)
        return plan

    async def flush(self) -> None:
        if self.deletes:
            for start in range(0, len(self.deletes), SQL_IN_CHUNK):
                await self.session.execute(
                    delete(CompetencySkill).where(
                        CompetencySkill.id.in_(self.deletes[start : start + SQL_IN_CHUNK])
                    )
                )
        if self.inserts:
            await self.session.execute(insert(CompetencySkill), self.inserts)
        await self.session.flush()
        self.inserts, self.deletes = [], []
