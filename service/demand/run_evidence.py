"""A drift run's posting snippets, fetched for the alerts it raises only, one query per (window, service
region, concepts) instead of one per alert.

Many credentials raise an alert about the same concept (they share occupations): their asks are grouped, one
query reads the newest matching mentions of each concrete occupation code over the union of their codes
(at most `limit` x 8 per code), and each credential then takes, newest first, the rows of its own codes: the
same rows a query over its codes alone would have returned (the newest limit x 8 of a union of codes are among
the newest limit x 8 of each), one snippet per content fingerprint, at most `limit`
(SKILLPULSE_DRIFT_MAX_SNIPPETS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.demand.aggregation import Scope
from service.demand.detection import Candidate, Windows
from service.demand.run_counts import matching_codes
from service.postings.models import Posting, PostingSkill

_P = Posting.__table__  # type: ignore[attr-defined]
_S = PostingSkill.__table__  # type: ignore[attr-defined]
ROWS_PER_SNIPPET = 8  # mentions read per snippet wanted: a posting may match several times


@dataclass(frozen=True, slots=True)
class _Ask:
    window: str  # "current" | "baseline"
    region: tuple[str, ...]
    concepts: tuple[str, ...]


@dataclass(slots=True)
class SnippetBatch:
    """The snippets a run's candidates want, gathered, then fetched together by `fill`."""

    org_id: int
    windows: Windows
    limit: int
    asks: dict[_Ask, list[tuple[tuple[str, ...], Candidate]]] = field(default_factory=dict)

    def want(
        self,
        candidate: Candidate,
        codes: tuple[str, ...],
        concept_ids: Sequence[str],
        region: tuple[str, ...],
    ) -> None:
        candidate.evidence["snippets"] = []
        if self.limit <= 0 or not concept_ids or not codes:
            return
        ask = _Ask(candidate.snippet_window, tuple(region), tuple(sorted(set(concept_ids))))
        self.asks.setdefault(ask, []).append((codes, candidate))

    async def fill(self, session: AsyncSession) -> int:
        """Fetch every ask's snippets into its candidates' evidence; returns the queries made."""
        w = self.windows
        for ask, members in sorted(self.asks.items(), key=lambda item: repr(item[0])):
            codes = tuple(sorted({code for wanted, _ in members for code in wanted}))
            start, end = (
                (w.current_start, w.as_of) if ask.window == "current" else (w.baseline_start, w.baseline_end)
            )
            rows = await _newest_per_code(
                session, Scope(self.org_id, codes, start, end, ask.region), ask.concepts, self.limit
            )
            found = list({row.occupation_code for row in rows})
            for wanted, candidate in members:
                theirs = set(matching_codes(found, wanted))
                mine = [row for row in rows if row.occupation_code in theirs]
                candidate.evidence["snippets"] = _snippets(mine[: self.limit * ROWS_PER_SNIPPET], self.limit)
        return len(self.asks)


async def _newest_per_code(
    session: AsyncSession, scope: Scope, concept_ids: Sequence[str], limit: int
) -> list[Any]:
    """The newest mentions of the concepts per concrete occupation code in the scope, newest first overall."""
    order = (_P.c.posted_at.desc(), _P.c.id.desc(), _S.c.start)
    rank = func.row_number().over(partition_by=_P.c.occupation_code, order_by=order)
    inner = (
        select(
            _P.c.id,
            _P.c.title,
            _P.c.employer,
            _P.c.url,
            _P.c.posted_at,
            _P.c.content_hash,
            _P.c.text.label("posting_text"),
            _P.c.occupation_code,
            _S.c.start,
            _S.c.end,
            _S.c.text.label("span"),
            _S.c.concept_id,
            _S.c.requirement,
            rank.label("rn"),
        )
        .join(_S, and_(_S.c.posting_id == _P.c.id, _S.c.org_id == scope.org_id))
        .where(*scope.conditions(), _S.c.concept_id.in_(list(concept_ids)))
        .subquery()
    )
    rows = await session.execute(
        select(inner)
        .where(inner.c.rn <= limit * ROWS_PER_SNIPPET)
        .order_by(inner.c.posted_at.desc(), inner.c.id.desc(), inner.c.start)
    )
    return list(rows)


def _snippets(rows: Sequence[Any], limit: int, width: int = 90) -> list[dict]:
    """Up to `limit` snippets (one per content fingerprint) of rows already newest first."""
    out: list[dict] = []
    seen: set[str] = set()
    for row in rows:
        if row.content_hash in seen:
            continue
        seen.add(row.content_hash)
        text = row.posting_text or ""
        lo, hi = max(0, row.start - width), min(len(text), row.end + width)
        out.append(
            {
                "posting_id": row.id,
                "title": row.title,
                "employer": row.employer,
                "url": row.url,
                "posted_at": row.posted_at.isoformat() if row.posted_at else None,
                "concept_id": row.concept_id,
                "requirement": row.requirement,
                "match": row.span,
                "snippet": text[lo:hi],
                "match_start": row.start - lo,
                "match_end": row.end - lo,
            }
        )
        if len(out) >= limit:
            break
    return out
