"""Invitation and reminder mails in the invitee's language; the MIME message of every outbox mail. Pure."""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP

LINK = re.compile(r"/s/[A-Za-z0-9_-]{20,}")
OPT_OUT = re.compile(r"https?://\S+/s/[A-Za-z0-9_-]{20,}/opt-out")
# A link ending in /unsubscribe/<token> (the service's alert digests) takes a POST without a cookie or a form
# token: one-click unsubscribe per RFC 8058.
ONE_CLICK = re.compile(r"https?://\S+/unsubscribe/[A-Za-z0-9_-]{20,}")
# What a queued mail holds instead of the invitee's token: the link is completed at send time from the outbox
# row's encrypted `link_token`, so the stored body never holds a usable link.
LINK_TOKEN = "{personal-link-token}"  # noqa: S105 - a placeholder, not a secret

_TEXT = {
    "en": {
        "invitation": "Your views on {title}",
        "reminder": "Reminder: your views on {title}",
        "greeting": "Hello {name},",
        "greeting_anon": "Hello,",
        "body": "We would value your answers to a short survey ({minutes} minutes) about what people you hire need "
        "to know and do. Your personal link:",
        "save": "You can save your answers and finish later with the same link, on any device.",
        "closes": "The survey closes on {date}.",
        "stop": "To receive no more emails about this survey:",
    },
    "es": {
        "invitation": "Su opinión sobre {title}",
        "reminder": "Recordatorio: su opinión sobre {title}",
        "greeting": "Hola, {name}:",
        "greeting_anon": "Hola:",
        "body": "Le agradeceríamos que respondiera a una breve encuesta ({minutes} minutos) sobre lo que necesitan "
        "saber y hacer las personas que contrata. Su enlace personal:",
        "save": "Puede guardar sus respuestas y terminar más tarde con el mismo enlace, en cualquier dispositivo.",
        "closes": "La encuesta se cierra el {date}.",
        "stop": "Para no recibir más correos sobre esta encuesta:",
    },
}


def compose(
    kind: str,
    language: str,
    title: str,
    name: str,
    link: str,
    opt_out_link: str,
    closes_at: datetime | None = None,
    minutes: int = 5,
) -> tuple[str, str]:
    """(subject, body) of an invitation or reminder."""
    text = _TEXT.get(language, _TEXT["en"])
    subject = text["reminder" if kind == "reminder" else "invitation"].format(title=title)
    lines = [
        text["greeting"].format(name=name) if name else text["greeting_anon"],
        "",
        text["body"].format(minutes=minutes),
        link,
        "",
        text["save"],
    ]
    if closes_at is not None:
        lines.append(text["closes"].format(date=closes_at.strftime("%Y-%m-%d")))
    lines += ["", text["stop"], opt_out_link, ""]
    return subject[:500], "\n".join(lines)


def build_message(
    sender: str, to: str, subject: str, body: str, message_id: str | None = None
) -> EmailMessage:
    """The MIME message; opt-out is also offered through List-Unsubscribe (RFC 2369 / 8058)."""
    message = EmailMessage(policy=SMTP.clone(max_line_length=998))  # a long link header stays on one line
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    found = OPT_OUT.search(body) or ONE_CLICK.search(body)
    if found:
        message["List-Unsubscribe"] = f"<{found.group(0)}>"
        if found.re is ONE_CLICK:
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body)
    return message


def fill_link(body: str, token: str) -> str:
    """The body as sent: the placeholder replaced by the invitee's token."""
    return body.replace(LINK_TOKEN, token)


def scrub_links(body: str) -> str:
    """The body kept after sending: personal links removed, so the database holds no usable token."""
    return LINK.sub("/s/[link removed after sending]", body)
