"""Alerts that resolve themselves: a drift run that examined a credential and no longer finds an open alert's
condition resolves the alert, with a "resolved" event saying which run did it and why, in plain words.

Only what the run could judge resolves: the posting kinds (`emerging_skill`, `fading_competency`,
`coverage_drop`) when the credential had enough postings in both windows, `survey_gap` when enough employers
answered. A credential with too little data keeps its alerts open. Dismissed alerts are closed already and a
run never touches them (nor reopens them: see alerts.record_candidate). The change is a compare-and-set on the
alert's version, like a designer's (alert_transitions), so of a run and a designer acting at once one wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from service.demand import webhooks
from service.demand.alerts import make_event
from service.demand.models import OPEN_STATUSES, Alert

RESOLVED_EVENT = "resolved"  # an AlertEvent.event: resolved by a drift run (a designer's change is "status")
POSTING_KINDS = ("emerging_skill", "fading_competency", "coverage_drop")

CoveredFn = Callable[[list[tuple[str, str]]], dict[str, list[dict]]]


@dataclass(frozen=True, slots=True)
class RunContext:
    """What the resolving run knows: its id and date, and what it measured for the credential."""

    run_id: int
    as_of: date
    credential_name: str
    coverage: dict | None = None  # {"baseline": share, "current": share} of the credential this run
    covered: bool | None = None  # the alert's concept is covered by the credential now (None: not asked)
    competency_live: bool = True


def judged_kinds(entry: dict, survey_min_respondents: int) -> set[str]:
    """The alert kinds a run could judge for a credential, from its entry in the run's summary."""
    kinds: set[str] = set()
    if entry.get("status") == "ok":
        kinds.update(POSTING_KINDS)
    if int(entry.get("respondents") or 0) >= survey_min_respondents:
        kinds.add("survey_gap")
    return kinds


def _pct(value: object) -> str | None:
    return f"{float(value) * 100:.0f}%" if isinstance(value, int | float) else None


def _label(evidence: dict) -> str:
    concept = evidence.get("concept") or {}
    competency = evidence.get("competency") or {}
    return str(concept.get("label") or competency.get("text") or "this finding")


def resolution_reason(kind: str, evidence: dict, ctx: RunContext) -> str:
    """The note of a "resolved" event: which run, as of when, and why the condition no longer holds."""
    label = _label(evidence)
    head = f"Resolved by drift run {ctx.run_id} (postings and answers up to {ctx.as_of.isoformat()}): "
    if kind == "emerging_skill":
        why = (
            f"{ctx.credential_name} now covers \u201c{label}\u201d"
            if ctx.covered
            else f"employers no longer ask for \u201c{label}\u201d significantly more than before"
        )
    elif kind == "fading_competency":
        why = (
            f"\u201c{label}\u201d is no longer a competency of {ctx.credential_name}"
            if not ctx.competency_live
            else f"demand for \u201c{label}\u201d no longer falls significantly"
        )
    elif kind == "coverage_drop":
        now, before = (_pct((ctx.coverage or {}).get(k)) for k in ("current", "baseline"))
        why = f"coverage of demand for {ctx.credential_name} no longer fell enough to alert"
        if now and before:
            why += f" (now {now}, against {before} before)"
    elif evidence.get("signal") == "low_rating":
        why = f"fewer employers than the threshold now rate \u201c{label}\u201d as low importance"
    else:
        why = (
            f"{ctx.credential_name} now covers \u201c{label}\u201d"
            if ctx.covered
            else f"too few employers now name \u201c{label}\u201d as missing"
        )
    return head + why + "."


async def open_alerts_by_credential(session: AsyncSession, org_id: int) -> dict[int, list[Alert]]:
    """The organisation's open (open, acknowledged, snoozed) alerts before a run records anything."""
    rows = await session.scalars(
        select(Alert)
        .where(col(Alert.org_id) == org_id, col(Alert.status).in_(OPEN_STATUSES))
        .order_by(col(Alert.id))
    )
    out: dict[int, list[Alert]] = {}
    for alert in rows:
        out.setdefault(alert.credential_id, []).append(alert)
    return out


async def resolve(session: AsyncSession, alert: Alert, note: str, now: datetime) -> bool:
    """Resolve an alert a run no longer supports, if it is still in the state the run read (else False)."""
    values = {
        "status": "resolved",
        "resolved_at": now,
        "updated_at": now,
        "snooze_until": None,
        "version": alert.version + 1,
    }
    changed = await session.scalar(
        update(Alert)
        .where(
            col(Alert.id) == alert.id,
            col(Alert.version) == alert.version,
            col(Alert.status).in_(OPEN_STATUSES),
        )
        .values(**values)
        .returning(col(Alert.id))
        .execution_options(synchronize_session=False)
    )
    if changed is None:
        return False  # a designer changed it meanwhile: their decision stands
    previous = alert.status
    for key, value in values.items():
        set_committed_value(alert, key, value)
    session.add(make_event(alert, RESOLVED_EVENT, previous, "resolved", note, at=now))
    await webhooks.enqueue(session, alert.org_id, "alert.resolved", alert)
    return True


def context_for(
    alert: Alert,
    base: RunContext,
    is_covered: CoveredFn,
    live_competencies: set[int],
) -> RunContext:
    """The run's context completed with what matters for this alert (is its concept covered now?)."""
    covered = None
    if alert.concept_id and alert.kind in ("emerging_skill", "survey_gap"):
        label = _label(alert.evidence or {})
        covered = bool(is_covered([(alert.concept_id, label)]).get(alert.concept_id))
    live = alert.competency_id is None or alert.competency_id in live_competencies
    return RunContext(base.run_id, base.as_of, base.credential_name, base.coverage, covered, live)


async def resolve_gone(
    session: AsyncSession,
    alerts: list[Alert],
    seen: set[str],
    entry: dict,
    base: RunContext,
    is_covered: CoveredFn,
    live_competencies: set[int],
    survey_min_respondents: int,
    now: datetime,
) -> int:
    """Resolve a credential's open alerts of the kinds this run judged that it did not raise again."""
    kinds = judged_kinds(entry, survey_min_respondents)
    if kinds:
        base = RunContext(base.run_id, base.as_of, base.credential_name, entry.get("coverage"))
    resolved = 0
    for alert in alerts:
        if alert.kind not in kinds or alert.fingerprint in seen:
            continue
        ctx = context_for(alert, base, is_covered, live_competencies)
        resolved += await resolve(
            session, alert, resolution_reason(alert.kind, alert.evidence or {}, ctx), now
        )
    return resolved
