"""A digest of alert changes in plain words: its period, and its subject and body. Pure (unit-tested).

The body is plain text: per credential followed, the alerts opened, reopened and resolved in the period,
each with its title, what the change was (a run's reason, or the designer who decided), and links to the
alert and the credential; then why the reader receives it and how to stop, with no sign-in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from service.demand.alert_changes import AlertChange

PERIODS = ("daily", "weekly")
_CHANGE_WORDS = {"opened": "Opened", "reopened": "Reopened", "resolved": "Resolved"}


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """The last full period before `now` (UTC): the day before, or the week (Monday to Sunday) before."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use daily or weekly")
    today = datetime.combine(now.date(), time(), now.tzinfo)
    if period == "daily":
        return today - timedelta(days=1), today
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=7), monday


def period_words(period: str, start: datetime, end: datetime) -> str:
    last = end - timedelta(days=1)
    if period == "daily":
        return f"{start:%A} {start.day} {start:%B %Y}"
    if start.year != last.year:
        return f"{start.day} {start:%B %Y} to {last.day} {last:%B %Y}"
    if start.month != last.month:
        return f"{start.day} {start:%B} to {last.day} {last:%B %Y}"
    return f"{start.day} to {last.day} {last:%B %Y}"


@dataclass(frozen=True, slots=True)
class Digest:
    subject: str
    body: str
    alerts: int


def _final_changes(changes: Sequence[AlertChange]) -> list[tuple[AlertChange, list[AlertChange]]]:
    """Per alert, its last change in the period and the ones before (oldest first)."""
    by_alert: dict[int, list[AlertChange]] = {}
    for change in sorted(changes, key=lambda c: c.at):
        by_alert.setdefault(change.alert_id, []).append(change)
    return [(history[-1], history[:-1]) for history in by_alert.values()]


def _what(change: AlertChange) -> str:
    if change.by:
        line = f"{_CHANGE_WORDS[change.change]} by {change.by}"
        return line + (f": \u201c{change.note}\u201d" if change.note else ".")
    if change.change == "resolved" and change.note:
        return change.note
    if change.change == "reopened":
        return "Reopened by a drift run: " + (change.note or "new evidence") + "."
    return f"{_CHANGE_WORDS[change.change]} by a drift run."


def _count_words(finals: list[AlertChange]) -> str:
    counts = {key: sum(1 for c in finals if c.change == key) for key in _CHANGE_WORDS}
    return ", ".join(f"{n} {key}" for key, n in counts.items() if n)


def compose_digest(
    period: str,
    start: datetime,
    end: datetime,
    name: str,
    changes: Sequence[AlertChange],
    base_url: str,
    unsubscribe_url: str,
) -> Digest | None:
    """The digest mail, or None when nothing changed in the period (an empty period sends nothing)."""
    if not changes:
        return None
    base = base_url.rstrip("/")
    finals = _final_changes(changes)
    when = period_words(period, start, end)
    counted = _count_words([f for f, _ in finals])
    lines = [
        f"Hello {name}," if name else "Hello,",
        "",
        f"What changed in the drift alerts of the credentials you follow, {when} (UTC): {counted}.",
    ]
    by_credential: dict[int, list[tuple[AlertChange, list[AlertChange]]]] = {}
    for final, before in finals:
        by_credential.setdefault(final.credential_id, []).append((final, before))
    for credential_id, items in sorted(by_credential.items(), key=lambda kv: kv[1][0][0].credential_name):
        lines += ["", items[0][0].credential_name, f"{base}/app/credentials/{credential_id}"]
        for final, before in items:
            kind = final.kind.replace("_", " ").capitalize()
            lines += [
                "",
                f"- {_CHANGE_WORDS[final.change]}: {final.title}",
                f"  {kind}, {final.severity} severity. {_what(final)}",
            ]
            if before:
                earlier = ", ".join(f"{c.change} {c.at:%d %b}" for c in before)
                lines.append(f"  Earlier in the period: {earlier}.")
            lines.append(f"  {base}/app/alerts/{final.alert_id}")
    lines += [
        "",
        "--",
        f"You receive this {period} digest because of your notification settings, which you can change at",
        f"{base}/app/settings/notifications",
        "To receive no more digests (no sign-in needed):",
        unsubscribe_url,
        "",
    ]
    subject = f"skillpulse {period} digest, {when}: {counted}"
    return Digest(subject[:500], "\n".join(lines), len(finals))
