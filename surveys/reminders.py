"""Reminders: released on schedule to invitees who have not submitted, at most the survey's number of them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kernel.clock import utcnow
from surveys.models import OutboxEmail, Survey, SurveyInvitation


async def release_reminders(maker: async_sessionmaker[AsyncSession], now: datetime | None = None) -> int:
    """Move the next held reminder of each due invitee into the outbox; returns how many were released.

    Due: the survey is open, the invitee has not submitted, opted out or bounced, has had fewer reminders
    than the survey allows, and was last mailed at least `reminder_interval_days` ago.
    """
    now = now or utcnow()
    released = 0
    async with maker() as session, session.begin():
        candidates = (
            await session.execute(
                select(SurveyInvitation, Survey.reminder_interval_days, Survey.max_reminders)
                .join(Survey, Survey.id == SurveyInvitation.survey_id)
                .where(
                    Survey.status == "open",
                    Survey.closes_at.is_(None) | (Survey.closes_at > now),
                    SurveyInvitation.status != "submitted",
                    SurveyInvitation.opted_out.is_(False),
                    SurveyInvitation.bounced.is_(False),
                    SurveyInvitation.last_mailed_at.is_not(None),
                    SurveyInvitation.reminders_sent < Survey.max_reminders,
                )
            )
        ).all()
        for invitation, interval_days, _max in candidates:
            if invitation.last_mailed_at > now - timedelta(days=interval_days):
                continue
            mail = await session.scalar(
                select(OutboxEmail)
                .where(OutboxEmail.invitation_id == invitation.id, OutboxEmail.status == "held")
                .order_by(OutboxEmail.id)
                .limit(1)
            )
            if mail is None:
                continue
            pending = await session.scalar(
                select(OutboxEmail.id).where(
                    OutboxEmail.invitation_id == invitation.id, OutboxEmail.status == "pending"
                )
            )
            if pending is not None:
                continue  # the previous mail has not gone out yet
            mail.status, mail.next_attempt_at = "pending", utcnow()
            invitation.reminders_sent += 1
            released += 1
    return released
