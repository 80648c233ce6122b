"""Question definitions as plain data: kinds, options, show-if, pages. Pure functions, no database.

A question is a mapping with the SurveyQuestion columns (code, kind, text, options, required, show_if, page,
position...). Show-if reads an earlier page's answer: the form works without JavaScript, so a condition can
only depend on something the server already has when it renders the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

KINDS = ("single", "multiple", "rating", "text", "number")
CHOICE_KINDS = ("single", "multiple", "rating")
DEFAULT_RATING = [{"value": str(i), "label": str(i), "label_es": str(i)} for i in range(1, 6)]
TEXT_MAX = 5000


class DefinitionError(ValueError):
    """A question list a respondent could not answer (unknown reference, bad option, ...)."""


def option_values(question: Mapping[str, Any]) -> list[str]:
    return [str(o["value"]) for o in choice_options(question)]


def choice_options(question: Mapping[str, Any]) -> list[dict]:
    """The options a respondent chooses from (a rating without options is a 1–5 scale)."""
    if question["kind"] == "rating" and not question.get("options"):
        return DEFAULT_RATING
    if question["kind"] not in CHOICE_KINDS:
        return []
    return [o for o in question.get("options") or [] if "value" in o]


def number_bounds(question: Mapping[str, Any]) -> tuple[float | None, float | None, bool]:
    """(min, max, integer) of a number question; kept in its one options entry."""
    spec = (question.get("options") or [{}])[0] if question["kind"] == "number" else {}
    return spec.get("min"), spec.get("max"), bool(spec.get("integer", False))


def is_visible(question: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """Whether a question is asked, given the answers so far (by question code)."""
    condition = question.get("show_if")
    if not condition:
        return True
    given = answers.get(condition["code"])
    wanted = {str(v) for v in condition.get("in", [])}
    if isinstance(given, list):
        return bool(wanted.intersection(str(v) for v in given))
    return given is not None and str(given) in wanted


def pages_of(questions: Iterable[Mapping[str, Any]]) -> list[int]:
    """The page numbers in use, in order."""
    return sorted({int(q["page"]) for q in questions})


def on_page(questions: Sequence[Mapping[str, Any]], page: int) -> list[Mapping[str, Any]]:
    return sorted((q for q in questions if int(q["page"]) == page), key=lambda q: (q["position"], q["code"]))


def validate_definitions(questions: Sequence[Mapping[str, Any]]) -> None:
    """Raise DefinitionError naming the first problem of a survey's question list (in position order)."""
    ordered = sorted(questions, key=lambda q: q["position"])
    seen: dict[str, Mapping[str, Any]] = {}
    for question in ordered:
        code = question["code"]
        if code in seen:
            raise DefinitionError(f"question code {code!r} is used twice")
        if question["kind"] not in KINDS:
            raise DefinitionError(f"question {code!r}: kind must be one of {', '.join(KINDS)}")
        if int(question["page"]) < 1:
            raise DefinitionError(f"question {code!r}: page must be 1 or more")
        _check_options(question)
        _check_show_if(question, seen)
        seen[code] = question


def _check_options(question: Mapping[str, Any]) -> None:
    code, kind = question["code"], question["kind"]
    options = question.get("options") or []
    if kind in ("single", "multiple"):
        if len(options) < 2:
            raise DefinitionError(f"question {code!r}: a {kind} choice question needs at least 2 options")
    if kind in CHOICE_KINDS:
        values = [str(o.get("value", "")).strip() for o in options]
        if any(not v for v in values):
            raise DefinitionError(f"question {code!r}: every option needs a non-empty value")
        if len(set(values)) != len(values):
            raise DefinitionError(f"question {code!r}: option values must be distinct")
    if kind == "number":
        low, high, _ = number_bounds(question)
        if low is not None and high is not None and low > high:
            raise DefinitionError(f"question {code!r}: min_value is above max_value")


def _check_show_if(question: Mapping[str, Any], earlier: Mapping[str, Mapping[str, Any]]) -> None:
    condition = question.get("show_if")
    if not condition:
        return
    code = question["code"]
    target = earlier.get(condition.get("code", ""))
    if target is None:
        raise DefinitionError(
            f"question {code!r}: show_if refers to {condition.get('code')!r}, which is not an earlier question"
        )
    if int(target["page"]) >= int(question["page"]):
        raise DefinitionError(
            f"question {code!r}: show_if must refer to a question on an earlier page "
            "(the form works without JavaScript, so a page cannot change while it is being filled in)"
        )
    if target["kind"] not in CHOICE_KINDS:
        raise DefinitionError(f"question {code!r}: show_if must refer to a choice or rating question")
    wanted = [str(v) for v in condition.get("in", [])]
    if not wanted:
        raise DefinitionError(f"question {code!r}: show_if needs at least one value in 'in'")
    unknown = sorted(set(wanted) - set(option_values(target)))
    if unknown:
        raise DefinitionError(
            f"question {code!r}: show_if values {unknown} are not options of {target['code']!r}"
        )
