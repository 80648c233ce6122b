"""The mail outbox: mails are rows first, sent over SMTP later, retried with backoff until the server answers.

Nothing is lost while the mail server is down: a mail leaves the outbox only when the server accepted it, or
after `max_attempts` tries, or when its invitee submitted, opted out or bounced. A run claims due rows (SKIP
LOCKED on PostgreSQL, and a lease so another replica does not pick them up meanwhile), sends them outside any
transaction, then records each outcome.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.clock import utcnow
from surveys.mail import build_message, fill_link, scrub_links
from surveys.models import OutboxEmail, Survey, SurveyInvitation
from surveys.settings import SmtpSettings

log = logging.getLogger("skillpulse.surveys.outbox")

LEASE = timedelta(minutes=5)
MAX_DELAY = timedelta(hours=6)
ACTIVE = ("pending", "held")


class Sealer(Protocol):
    """Encrypts what must be kept but never stored in clear (the service's keyring, service/crypto.py)."""

    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, stored: str) -> str: ...


@dataclass
class Outcome:
    status: str  # sent | retry | failed | bounced
    error: str | None = None


@dataclass
class FlushResult:
    sent: int = 0
    failed: int = 0
    retried: int = 0


def retry_delay(attempts: int, base_seconds: float) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base… capped at six hours."""
    return min(timedelta(seconds=base_seconds * (2 ** max(attempts - 1, 0))), MAX_DELAY)


async def cancel_mail(
    session: AsyncSession, invitation_ids: list[int], reason: str, kinds: tuple[str, ...] | None = None
) -> None:
    """Stop queued mail (pending or held reminders) to these invitees."""
    if not invitation_ids:
        return
    query = update(OutboxEmail).where(
        OutboxEmail.invitation_id.in_(invitation_ids), OutboxEmail.status.in_(ACTIVE)
    )
    if kinds:
        query = query.where(OutboxEmail.kind.in_(kinds))
    await session.execute(query.values(status="cancelled", error=reason, body="[cancelled]", link_token=None))


async def _claim(maker: async_sessionmaker[AsyncSession], limit: int) -> list[OutboxEmail]:
    now = utcnow()
    async with maker() as session, session.begin():
        query = (
            select(OutboxEmail)
            .outerjoin(SurveyInvitation, SurveyInvitation.id == OutboxEmail.invitation_id)
            .outerjoin(Survey, Survey.id == SurveyInvitation.survey_id)
            .where(
                OutboxEmail.status == "pending",
                OutboxEmail.next_attempt_at <= now,
                or_(
                    OutboxEmail.invitation_id.is_(None),
                    (Survey.status == "open")
                    & (Survey.closes_at.is_(None) | (Survey.closes_at > now))
                    & SurveyInvitation.opted_out.is_(False)
                    & SurveyInvitation.bounced.is_(False)
                    & or_(OutboxEmail.kind != "reminder", SurveyInvitation.status != "submitted"),
                ),
            )
            .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
            .limit(limit)
        )
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=OutboxEmail)
        rows = list(await session.scalars(query))
        for row in rows:
            row.next_attempt_at = now + LEASE
        return rows


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.use_tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            timeout=settings.timeout_seconds,
            context=ssl.create_default_context(),
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
        if settings.starttls:
            client.starttls(context=ssl.create_default_context())
    if settings.username:
        client.login(settings.username, settings.password or "")
    return client


def _send_batch(settings: SmtpSettings, messages: list[tuple[int, EmailMessage]]) -> dict[int, Outcome]:
    """Send on one connection (blocking; run in a thread). A lost connection leaves the rest for a retry."""
    outcomes: dict[int, Outcome] = {}
    try:
        client = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        return {mail_id: Outcome("retry", f"cannot reach SMTP server: {exc}") for mail_id, _ in messages}
    try:
        for mail_id, message in messages:
            try:
                client.send_message(message)
                outcomes[mail_id] = Outcome("sent")
            except smtplib.SMTPRecipientsRefused as exc:
                code, reason = next(iter(exc.recipients.values()))
                permanent = int(code) >= 500
                outcomes[mail_id] = Outcome("bounced" if permanent else "retry", f"{code} {reason!r}")
            except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                outcomes[mail_id] = Outcome(
                    "failed" if exc.smtp_code >= 500 else "retry", f"{exc.smtp_code} {exc.smtp_error!r}"
                )
            except (OSError, smtplib.SMTPException) as exc:
                outcomes[mail_id] = Outcome("retry", f"SMTP error: {exc}")
                break
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    for mail_id, _ in messages:
        outcomes.setdefault(mail_id, Outcome("retry", "connection lost before sending"))
    return outcomes


def _body_to_send(row: OutboxEmail, sealer: Sealer) -> str:
    """The stored body with the personal link completed (a row queued before sealing has it already)."""
    if row.link_token is None:
        return row.body
    return fill_link(row.body, sealer.decrypt(row.link_token))


async def flush_outbox(
    maker: async_sessionmaker[AsyncSession], settings: SmtpSettings, sealer: Sealer
) -> FlushResult:
    """Send every due mail (in batches) and record what happened to each."""
    total = FlushResult()
    while True:
        rows = await _claim(maker, settings.batch_size)
        if not rows:
            return total
        domain = settings.from_address.rpartition("@")[2] or "localhost"
        messages: list[tuple[int, EmailMessage]] = []
        unsendable: dict[int, Outcome] = {}
        for row in rows:
            try:
                body = _body_to_send(row, sealer)
            except Exception:  # noqa: BLE001 - a key removed too early: this mail cannot be completed
                log.exception("outbox mail %s: cannot decrypt its personal link", row.id)
                unsendable[row.id] = Outcome("failed", "the personal link cannot be decrypted with the keys")
                continue
            message_id = make_msgid(domain=domain)
            message = build_message(settings.from_address, row.to_address, row.subject, body, message_id)
            messages.append((row.id, message))
        outcomes = await asyncio.to_thread(_send_batch, settings, messages) if messages else {}
        result = await _record(maker, settings, rows, outcomes | unsendable)
        total.sent += result.sent
        total.failed += result.failed
        total.retried += result.retried
        if result.retried:
            return total  # the server is struggling: leave the rest for the next run


async def _record(
    maker: async_sessionmaker[AsyncSession],
    settings: SmtpSettings,
    rows: list[OutboxEmail],
    outcomes: dict[int, Outcome],
) -> FlushResult:
    result = FlushResult()
    now = utcnow()
    async with maker() as session, session.begin():
        for row in rows:
            outcome = outcomes[row.id]
            mail = await session.get(OutboxEmail, row.id)
            if mail is None:
                continue
            mail.attempts += 1
            mail.error = outcome.error
            if outcome.status == "sent":
                mail.status, mail.sent_at, mail.body = "sent", now, scrub_links(mail.body)
                result.sent += 1
                if mail.invitation_id:
                    await session.execute(
                        update(SurveyInvitation)
                        .where(SurveyInvitation.id == mail.invitation_id)
                        .values(last_mailed_at=now)
                    )
            elif outcome.status == "bounced":
                mail.status, mail.body = "failed", scrub_links(mail.body)
                result.failed += 1
                if mail.invitation_id:
                    await session.execute(
                        update(SurveyInvitation)
                        .where(SurveyInvitation.id == mail.invitation_id)
                        .values(bounced=True)
                    )
                    await cancel_mail(session, [mail.invitation_id], "address bounced")
            elif outcome.status == "failed" or mail.attempts >= settings.max_attempts:
                mail.status, mail.body = "failed", scrub_links(mail.body)
                result.failed += 1
            else:
                mail.next_attempt_at = now + retry_delay(mail.attempts, settings.retry_base_seconds)
                result.retried += 1
            if mail.status in ("sent", "failed"):
                mail.link_token = None  # gone for good: nothing left from which the link could be rebuilt
            log.info("outbox mail %s: %s %s", mail.id, mail.status, outcome.error or "")
    return result
