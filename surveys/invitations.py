"""Invitations: personal links (token shown once, hash kept), their mails, opt-out and bounce."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar.exceptions import NotFoundException
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.clock import utcnow
from surveys.mail import LINK_TOKEN, compose
from surveys.models import OutboxEmail, Survey, SurveyInvitation
from surveys.outbox import Sealer, cancel_mail
from surveys.schemas import InvitationIssued, InvitationRead, InvitationsCreate, InvitationUpdate
from surveys.store import conflict
from surveys.tokens import form_url, new_token, opt_out_url, token_hash

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


async def create_invitations(
    session: AsyncSession, survey: Survey, data: InvitationsCreate, base_url: str, sealer: Sealer
) -> list[InvitationIssued]:
    """One personal link per invitee, returned this once; mails queued in the outbox.

    The invitation mail waits in the outbox until the survey is open; the reminders wait as `held` rows that
    the reminder job releases on schedule. A queued body holds a placeholder where the token goes and the row
    keeps the token encrypted with `sealer` (the service's keyring): the link is completed at send time, so
    neither a stored body nor a database dump without the key holds a usable link.
    """
    if survey.status == "closed":
        raise conflict(f"survey {survey.id} is closed; it takes no more invitations")
    issued: list[tuple[SurveyInvitation, str]] = []
    for invitee in data.invitees:
        token = new_token()
        invitation = SurveyInvitation(
            org_id=survey.org_id,
            survey_id=survey.id,
            employer=invitee.employer,
            name=invitee.name,
            email=str(invitee.email).lower() if invitee.email else None,
            token_hash=token_hash(token),
            language=invitee.language,
        )
        session.add(invitation)
        issued.append((invitation, token))
    await session.flush()
    mails = [
        mail
        for invitation, token in issued
        if data.send_email and invitation.email
        for mail in _mail_rows(survey, invitation, sealer.encrypt(token), base_url)
    ]
    if mails:
        await session.execute(insert(OutboxEmail), mails)
    return [
        InvitationIssued(
            **InvitationRead.model_validate(invitation).model_dump(),
            url=form_url(base_url, token),
            token=token,
        )
        for invitation, token in issued
    ]


def _mail_rows(survey: Survey, invitation: SurveyInvitation, sealed_token: str, base_url: str) -> list[dict]:
    """The invitation (pending) and its reminders (held until the reminder job releases them) for one invitee;
    each body holds the link placeholder, completed from `sealed_token` at send time."""
    title = (survey.title_es or survey.title) if invitation.language == "es" else survey.title
    link, stop = form_url(base_url, LINK_TOKEN), opt_out_url(base_url, LINK_TOKEN)
    rows = []
    for number in range(1 + survey.max_reminders):
        kind = "invitation" if number == 0 else "reminder"
        subject, body = compose(
            kind, invitation.language, title, invitation.name, link, stop, survey.closes_at
        )
        rows.append(
            {
                "org_id": survey.org_id,
                "invitation_id": invitation.id,
                "kind": kind,
                "to_address": invitation.email,
                "subject": subject,
                "body": body,
                "link_token": sealed_token,
                "status": "pending" if number == 0 else "held",
                "attempts": 0,
                "next_attempt_at": utcnow() if number == 0 else FAR_FUTURE,
                "created_at": utcnow(),
            }
        )
    return rows


async def list_invitations(session: AsyncSession, survey: Survey) -> list[SurveyInvitation]:
    return list(
        await session.scalars(
            select(SurveyInvitation)
            .where(SurveyInvitation.survey_id == survey.id)
            .order_by(SurveyInvitation.id)
        )
    )


async def get_invitation(session: AsyncSession, survey: Survey, invitation_id: int) -> SurveyInvitation:
    invitation = await session.get(SurveyInvitation, invitation_id)
    if invitation is None or invitation.survey_id != survey.id or invitation.org_id != survey.org_id:
        raise NotFoundException(f"invitation {invitation_id} not found in survey {survey.id}")
    return invitation


async def update_invitation(
    session: AsyncSession, invitation: SurveyInvitation, data: InvitationUpdate
) -> SurveyInvitation:
    """Mark an invitee opted out or bouncing (both stop every queued mail); clearing a mark does not requeue."""
    if data.opted_out is not None:
        invitation.opted_out = data.opted_out
    if data.bounced is not None:
        invitation.bounced = data.bounced
    if invitation.opted_out or invitation.bounced:
        await cancel_mail(
            session, [invitation.id], "opted out" if invitation.opted_out else "address bounced"
        )
    return invitation


async def opt_out(session: AsyncSession, token: str) -> None:
    """The invitee asked for no more mail (silently nothing for an unknown link)."""
    invitation = await session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.token_hash == token_hash(token))
    )
    if invitation is None:
        return
    invitation.opted_out = True
    await cancel_mail(session, [invitation.id], "opted out")
