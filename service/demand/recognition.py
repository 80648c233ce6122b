"""Employer recognition of a credential: the share of relevant postings that ask for it by name, by month,
with the sentences that do, beside what employers answered the surveys' recognition question.

Relevant postings are the alignment's (`aggregation.Scope`: the credential's occupations, its region when
region matching is on, extraction finished, one per content fingerprint). Their text is read by the pure
matcher of `service.credentials.recognition`; a posting whose text names none of the aliases is left in the
database (a LIKE on the aliases' longest words picks the candidates), so only candidates travel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.credentials.models import Credential
from service.credentials.recognition import Recognition, recognise
from service.credentials.recognition_aliases import propose_aliases
from service.demand.aggregation import Scope, bucket_totals, dialect_of, month_bucket, window_bucket
from service.demand.region_filter import credential_region
from service.demand.runs import usable_occupations
from service.demand.schemas import (
    RecognitionMonth,
    RecognitionRead,
    RecognitionSnippet,
    SurveyRecognition,
    SurveyRecognitionRead,
)
from service.demand.services import months_between
from service.postings.models import Posting
from service.settings import DriftSettings
from surveys import services as survey_service
from surveys.results import survey_results
from surveys.stats import RECOGNISED, share

MAX_SNIPPET_CHARS = 400


@dataclass(slots=True)
class Asking:
    """One relevant posting (the newest of its content) that asks for the credential."""

    posting_id: int
    title: str | None
    employer: str | None
    url: str | None
    posted_at: date | None
    month: str
    content_hash: str
    text: str
    found: Recognition


def credential_aliases(credential: Credential) -> tuple[list[str], str]:
    """The aliases looked for, and whether a designer set them or the name and type proposed them."""
    if credential.recognition_aliases:
        return list(credential.recognition_aliases), "set"
    return propose_aliases(credential.name, credential.type), "proposed"


def _needle(alias: str) -> str:
    """A word every match of the alias contains, lower-cased (the matcher allows "CDL-A" as "CDL A")."""
    words = [w for w in alias.replace("-", " ").split() if "'" not in w and "’" not in w]
    word = max(words or [alias], key=len).lower()
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _asking(session: AsyncSession, scope: Scope, aliases: Sequence[str]) -> list[Asking]:
    """Relevant postings naming an alias, newest first, one per content and month, read by the matcher."""
    month = month_bucket(dialect_of(session)).label("month")
    lower = func.lower(col(Posting.text))
    rows = (
        await session.execute(
            select(
                col(Posting.id),
                col(Posting.title),
                col(Posting.employer),
                col(Posting.url),
                col(Posting.posted_at),
                col(Posting.content_hash),
                col(Posting.text),
                month,
            )
            .where(*scope.conditions(), or_(*(lower.like(f"%{_needle(a)}%", escape="\\") for a in aliases)))
            .order_by(col(Posting.posted_at).desc(), col(Posting.id).desc())
        )
    ).all()
    seen: set[tuple[str, str]] = set()
    candidates = []
    for pid, title, employer, url, posted, chash, text, period in rows:
        if (chash, str(period)) not in seen:
            seen.add((chash, str(period)))
            candidates.append((pid, title, employer, url, posted, str(period), chash, text or ""))
    found = await asyncio.to_thread(lambda: [recognise(c[-1], list(aliases)) for c in candidates])
    return [Asking(*c, found=f) for c, f in zip(candidates, found, strict=True) if f.asks]


def _snippet(item: Asking) -> RecognitionSnippet:
    mention = item.found.evidence
    assert mention is not None  # an asking posting has a counted mention
    lo, hi = mention.sentence_start, mention.sentence_end
    raw = item.text[lo:hi]
    lead = len(raw) - len(raw.lstrip())
    sentence = raw.strip()[:MAX_SNIPPET_CHARS]
    return RecognitionSnippet(
        posting_id=item.posting_id,
        title=item.title,
        employer=item.employer,
        url=item.url,
        posted_at=item.posted_at,
        requirement=mention.requirement,
        match=mention.text,
        sentence=sentence,
        match_start=mention.start - lo - lead,
        match_end=mention.end - lo - lead,
    )


def _month(period: str, postings: int, asking: list[Asking]) -> RecognitionMonth:
    hashes = [a for a in asking if a.month == period]
    return RecognitionMonth(
        period=period,
        postings=postings,
        asking=len(hashes),
        required=sum(a.found.requirement == "required" for a in hashes),
        preferred=sum(a.found.requirement == "preferred" for a in hashes),
        share=round(len(hashes) / postings, 4) if postings else None,
    )


async def survey_recognition(session: AsyncSession, org_id: int, credential_id: int) -> SurveyRecognitionRead:
    """The recognition question's totals (surveys.stats) of every survey of the credential, and pooled."""
    per_survey: list[SurveyRecognition] = []
    pooled: dict[str, int] = {}
    for survey, responses in await survey_service.credential_surveys(session, org_id, credential_id):
        if not responses:
            continue
        found = (await survey_results(session, survey)).get("recognition")
        if not found or survey.id is None:
            continue
        per_survey.append(
            SurveyRecognition(
                survey_id=survey.id,
                status=survey.status,
                answers=found["answers"],
                distribution=found["distribution"],
                requires_or_prefers=found["requires_or_prefers"],
            )
        )
        for option, count in found["distribution"].items():
            pooled[option] = pooled.get(option, 0) + count
    answers = sum(s.answers for s in per_survey)
    recognised = sum(n for option, n in pooled.items() if option in RECOGNISED)
    return SurveyRecognitionRead(
        answers=answers,
        distribution=pooled,
        requires_or_prefers=share(recognised, answers),
        surveys=per_survey,
    )


async def credential_recognition(
    session: AsyncSession,
    drift: DriftSettings,
    credential: Credential,
    start: date,
    end: date,
    *,
    in_region: bool | None = None,
    snippets: int = 10,
) -> RecognitionRead:
    """The recognition read of GET /credentials/{id}/recognition and the credential page."""
    assert credential.id is not None
    codes = usable_occupations(credential.occupations)
    region = credential_region(credential, drift) if in_region is not False else ()
    if in_region and not region:
        region = tuple(credential.region_codes or ())
    aliases, source = credential_aliases(credential)
    scope = Scope(credential.org_id, codes, start, end, region)
    status = "ok" if codes and aliases else "no_occupations" if not codes else "no_aliases"
    asking = await _asking(session, scope, aliases) if status == "ok" else []
    totals = await bucket_totals(session, scope, month_bucket(dialect_of(session)))
    window_total = (await bucket_totals(session, scope, window_bucket(start))).get("current", 0)
    first: dict[str, Asking] = {}
    for item in asking:  # the window counts a content once, even when it ran in two months
        first.setdefault(item.content_hash, item)
    distinct = list(first.values())
    return RecognitionRead(
        credential_id=credential.id,
        name=credential.name,
        occupations=list(codes),
        region=list(region),
        window={"from": start.isoformat(), "to": end.isoformat()},
        aliases=aliases,
        aliases_source=source,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        postings=window_total,
        asking=len(distinct),
        required=sum(a.found.requirement == "required" for a in distinct),
        preferred=sum(a.found.requirement == "preferred" for a in distinct),
        share=round(len(distinct) / window_total, 4) if window_total else None,
        months=[_month(p, totals.get(p, 0), asking) for p in months_between(start, end)],
        snippets=[_snippet(a) for a in asking[: max(0, snippets)]],
        survey=await survey_recognition(session, credential.org_id, credential.id),
    )
