"""A scheduled job's outcome in words, and whether its run was idle (logged at DEBUG instead of INFO)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from service.scheduler import outcome_words


@dataclass
class Flushed:
    sent: int = 0
    failed: int = 0


@pytest.mark.parametrize(
    ("outcome", "words", "idle"),
    [
        (None, "done", False),
        ({"delivered": 3, "retrying": 0}, "delivered 3, retrying 0", False),
        ({"delivered": 0, "retrying": 0}, "delivered 0, retrying 0", True),
        ({}, "nothing to do", True),
        (Flushed(sent=2), "sent 2, failed 0", False),
        (Flushed(), "sent 0, failed 0", True),
        (0, "0", True),
        (5, "5", False),
        (True, "done", False),
        (False, "nothing to do", True),
        ("re-linked 4 credentials", "re-linked 4 credentials", False),
        ("", "nothing to do", True),
        ({"status": "skipped", "count": 0}, "status skipped, count 0", False),
    ],
)
def test_outcome_words(outcome, words, idle):
    assert outcome_words(outcome) == (words, idle)
