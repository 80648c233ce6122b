"""The digest's period and its words: pure."""

from datetime import UTC, datetime, timedelta

import pytest

from service.demand.alert_changes import AlertChange
from service.notifications.digest import compose_digest, period_bounds, period_words
from service.notifications.tokens import unsubscribe_token, user_of

BASE = "https://sp.example/"
UNSUB = "https://sp.example/app/notifications/unsubscribe/TOKEN"
DAY = datetime(2026, 11, 25, tzinfo=UTC)


def change(alert_id: int, what: str, hours: int, **kw) -> AlertChange:  # noqa: ANN003
    values = {
        "alert_id": alert_id,
        "credential_id": kw.pop("credential_id", 5),
        "credential_name": kw.pop("credential_name", "Welding Certificate"),
        "kind": "emerging_skill",
        "severity": "high",
        "title": f"Alert {alert_id}",
        "change": what,
        "at": DAY + timedelta(hours=hours),
        "note": None,
        "by": None,
    }
    return AlertChange(**{**values, **kw})


def test_periods_are_the_last_full_day_or_monday_to_sunday_week():
    thursday = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert period_bounds("daily", thursday) == (DAY, DAY + timedelta(days=1))
    assert period_bounds("weekly", thursday) == (
        datetime(2026, 11, 16, tzinfo=UTC),
        datetime(2026, 11, 23, tzinfo=UTC),
    )
    monday = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert period_bounds("weekly", monday) == (datetime(2026, 11, 16, tzinfo=UTC), monday)
    with pytest.raises(ValueError, match="unknown period 'hourly'"):
        period_bounds("hourly", thursday)


def test_period_words():
    assert period_words("daily", DAY, DAY + timedelta(days=1)) == "Wednesday 25 November 2026"
    assert period_words("weekly", datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)) == (
        "16 to 22 November 2026"
    )
    assert period_words("weekly", datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC)) == (
        "30 November to 6 December 2026"
    )
    assert period_words("weekly", datetime(2026, 12, 28, tzinfo=UTC), datetime(2027, 1, 4, tzinfo=UTC)) == (
        "28 December 2026 to 3 January 2027"
    )


def test_nothing_changed_sends_nothing():
    assert compose_digest("daily", DAY, DAY + timedelta(days=1), "Dana", [], BASE, UNSUB) is None


def test_the_body_groups_by_credential_with_links_and_says_who_decided():
    changes = [
        change(1, "opened", 9),
        change(
            2, "resolved", 10, note="Resolved by drift run 7 (postings and answers up to 2026-11-25): gone."
        ),
        change(3, "resolved", 11, by="Dana Designer", note="Added a module"),
        change(4, "opened", 8, credential_id=9, credential_name="Nursing AAS"),
    ]
    digest = compose_digest("daily", DAY, DAY + timedelta(days=1), "Dana", changes, BASE, UNSUB)
    assert digest is not None and digest.alerts == 4
    assert digest.subject == "skillpulse daily digest, Wednesday 25 November 2026: 2 opened, 2 resolved"
    body = digest.body
    assert body.startswith("Hello Dana,\n")
    assert body.index("Nursing AAS") < body.index("Welding Certificate")  # credentials by name
    assert "https://sp.example/app/credentials/5\n" in body and "https://sp.example/app/alerts/1\n" in body
    assert "- Opened: Alert 1\n  Emerging skill, high severity. Opened by a drift run." in body
    assert "Resolved by drift run 7 (postings and answers up to 2026-11-25): gone." in body
    assert "Resolved by Dana Designer: \u201cAdded a module\u201d" in body
    assert body.rstrip().endswith(UNSUB)
    assert "https://sp.example/app/settings/notifications" in body


def test_an_alert_opened_then_resolved_in_the_period_is_told_once_by_its_last_change():
    changes = [change(1, "resolved", 15, note="Resolved by drift run 8: gone."), change(1, "opened", 9)]
    digest = compose_digest("daily", DAY, DAY + timedelta(days=1), "", changes, BASE, UNSUB)
    assert digest is not None and digest.alerts == 1
    assert digest.body.startswith("Hello,\n")
    assert digest.body.count("Alert 1") == 1 and "Earlier in the period: opened 25 Nov." in digest.body
    assert digest.subject.endswith(": 1 resolved")


def test_unsubscribe_tokens_are_signed_per_user():
    token = unsubscribe_token(42, "secret-one-0123456789")
    assert user_of(token, "secret-one-0123456789") == 42
    assert user_of(token, "secret-two-0123456789") is None
    assert user_of("43" + token[2:], "secret-one-0123456789") is None
    for junk in ("", "42", "42-", "abc-" + token.split("-", 1)[1], token + "x"):
        assert user_of(junk, "secret-one-0123456789") is None
