"""Reading a posted form page into answers, with one message per field that needs fixing. Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from surveys.i18n import words
from surveys.questions import TEXT_MAX, is_visible, number_bounds, option_values

FIELD_PREFIX = "q_"


def field_name(code: str) -> str:
    return f"{FIELD_PREFIX}{code}"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def read_page(
    questions: Sequence[Mapping[str, Any]],
    form: Mapping[str, list[str]],
    answers: Mapping[str, Any],
    language: str,
    *,
    check_required: bool,
) -> tuple[dict[str, Any], dict[str, str]]:
    """(values by code, errors by code) for the questions of one page.

    A value of None clears an answer (an unticked box, an emptied field, or a question hidden by show-if).
    `check_required` is off for "save and finish later": a draft may be incomplete but never malformed.
    """
    w = words(language)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        code = question["code"]
        if not is_visible(question, answers):
            values[code] = None
            continue
        raw = [v for v in form.get(field_name(code), []) if v is not None]
        value, error = _parse(question, raw, w)
        if error is None and value is None and question.get("required") and check_required:
            error = w["err_required"]
        if error:
            errors[code] = error
        else:
            values[code] = value
    return values, errors


def _parse(question: Mapping[str, Any], raw: list[str], w: Mapping[str, str]) -> tuple[Any, str | None]:
    kind = question["kind"]
    if kind == "multiple":
        allowed = option_values(question)
        chosen = [v for v in dict.fromkeys(s.strip() for s in raw) if v]
        if any(v not in allowed for v in chosen):
            return None, w["err_choice"]
        return (sorted(chosen, key=allowed.index) or None), None
    text = raw[-1].strip() if raw else ""
    if not text:
        return None, None
    if kind in ("single", "rating"):
        return (text, None) if text in option_values(question) else (None, w["err_choice"])
    if kind == "number":
        return _number(question, text, w)
    if len(text) > TEXT_MAX:
        return None, w["err_too_long"].format(max=TEXT_MAX)
    return text, None


def _number(question: Mapping[str, Any], text: str, w: Mapping[str, str]) -> tuple[Any, str | None]:
    low, high, integer = number_bounds(question)
    try:
        number = float(text.replace(",", "").replace(" ", ""))
    except ValueError:
        return None, w["err_number_integer"] if integer else w["err_number"]
    if not math.isfinite(number):
        return None, w["err_number"]
    if integer and not number.is_integer():
        return None, w["err_number_integer"]
    if low is not None and number < low:
        return None, w["err_number_min"].format(min=_fmt(low))
    if high is not None and number > high:
        return None, w["err_number_max"].format(max=_fmt(high))
    return (int(number) if number.is_integer() else number), None


def final_answers(questions: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a first and final submit stores of the form's `values`: the given answers to the questions the
    other answers leave visible (as `submit` drops the hidden ones); None when a required question is unanswered."""
    answers = {code: value for code, value in values.items() if value is not None}
    if missing_required(questions, answers):
        return None
    by_code = {q["code"]: q for q in questions}
    return {code: value for code, value in answers.items() if is_visible(by_code[code], answers)}


def missing_required(
    questions: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    """Required, visible questions without an answer (checked across all pages before the final submit)."""
    return [
        q
        for q in questions
        if q.get("required") and is_visible(q, answers) and answers.get(q["code"]) in (None, "", [])
    ]
