"""One question of the public form as its template draws it (pure: no request, no database)."""

from __future__ import annotations

from typing import Any

from surveys.answers import field_name
from surveys.i18n import localized
from surveys.questions import choice_options, number_bounds

SELECT_ABOVE = 8  # single-choice questions with more options render as a drop-down
SHORT_TEXT_ROLES = ("region",)  # a place name: one line, with the browser's address autofill


def question_view(question: dict, value: Any, error: str | None, lang: str) -> dict:
    """What the form template needs to draw one question: its control, words in `lang`, value and options."""
    code = question["code"]
    kind = question["kind"]
    options = choice_options(question)
    chosen = (
        {str(v) for v in value}
        if isinstance(value, list)
        else ({str(value)} if value not in (None, "") else set())
    )
    if kind == "multiple":
        control = "checkboxes"
    elif kind in ("single", "rating"):
        control = "select" if kind == "single" and len(options) > SELECT_ABOVE else "radios"
    elif kind == "text":
        control = "line" if question.get("role") in SHORT_TEXT_ROLES else "textarea"
    else:
        control = "number"
    base = field_name(code)
    return {
        "code": code,
        "id": base,
        "name": base,
        "kind": kind,
        "control": control,
        "text": localized(lang, question["text"], question.get("text_es")),
        "hint": localized(lang, question.get("help"), question.get("help_es")) or None,
        "required": bool(question.get("required")),
        "error": error,
        "integer": number_bounds(question)[2] if kind == "number" else False,
        "value": "" if value is None or isinstance(value, list) else str(value),
        "options": [
            {
                "id": base if i == 0 else f"{base}-{i}",
                "value": str(o["value"]),
                "label": localized(lang, o.get("label", str(o["value"])), o.get("label_es")),
                "checked": str(o["value"]) in chosen,
            }
            for i, o in enumerate(options)
        ],
    }


def short_text(text: str, limit: int = 90) -> str:
    """A question's words for the error summary, so each link says which question needs fixing."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
