"""Picklable functions run in the NLP process pool (never on the event loop)."""

from __future__ import annotations


def extract_dicts(text: str, occupation: str | None = None) -> list[dict]:
    """Mentions of one text as JSON-ready dicts (plain data crosses the process boundary cheaply)."""
    import nlp

    return [mention.to_dict() for mention in nlp.extract(text, occupation=occupation)]
