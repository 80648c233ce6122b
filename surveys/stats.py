"""Survey results from submitted answers: shares with 95% Wilson intervals, totals and suppressed splits. Pure.

Shares of "essential or important" leave out "don't know": someone who does not know has not rated the
competency. Splits by employer size, sector and region hide every group with fewer than SUPPRESS_BELOW
respondents (counts included), so that no single employer can be picked out.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from surveys.generation import (
    ROLE_HIRES,
    ROLE_IMPORTANCE,
    ROLE_PARTNERSHIP,
    ROLE_RECOGNITION,
    ROLE_REGION,
    ROLE_ROLES,
    ROLE_SECTOR,
    ROLE_SIZE,
)
from surveys.questions import option_values

Z95 = 1.959963984540054
SUPPRESS_BELOW = 3
NOT_STATED = "not stated"
IMPORTANT = {"essential", "important"}
RECOGNISED = {"requires", "prefers"}
QUOTES_PER_CONCEPT = 3


def wilson_interval(successes: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (None without observations)."""
    if total <= 0:
        return None
    if not 0 <= successes <= total:
        raise ValueError("successes must be between 0 and total")
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return (max(0.0, round(centre - half, 6)), min(1.0, round(centre + half, 6)))


def share(successes: int, total: int) -> dict[str, Any]:
    interval = wilson_interval(successes, total)
    return {
        "count": successes,
        "n": total,
        "share": round(successes / total, 6) if total else None,
        "interval_95": list(interval) if interval else None,
    }


def _distribution(question: Mapping[str, Any], values: Sequence[Any]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            counts[str(item)] += 1
    return {v: counts.get(v, 0) for v in option_values(question)}


def _answered(responses: Sequence[Mapping[str, Any]], code: str) -> list[Any]:
    return [r[code] for r in responses if r.get(code) not in (None, "", [])]


def region_key(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _metrics(
    questions: Sequence[Mapping[str, Any]], responses: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Competency importance, recognition and hiring totals for a set of responses."""
    result: dict[str, Any] = {"respondents": len(responses), "competencies": []}
    for question in questions:
        role, code = question.get("role"), question["code"]
        values = _answered(responses, code)
        if role == ROLE_IMPORTANCE:
            rated = [v for v in values if v != "dont_know"]
            result["competencies"].append(
                {
                    "question_code": code,
                    "competency_id": question.get("competency_id"),
                    "text": question["text"],
                    "answers": len(values),
                    "distribution": _distribution(question, values),
                    "essential_or_important": share(sum(v in IMPORTANT for v in rated), len(rated)),
                }
            )
        elif role == ROLE_RECOGNITION:
            result["recognition"] = {
                "question_code": code,
                "answers": len(values),
                "distribution": _distribution(question, values),
                "requires_or_prefers": share(sum(v in RECOGNISED for v in values), len(values)),
            }
        elif role == ROLE_HIRES:
            numbers = [float(v) for v in values if isinstance(v, int | float)]
            result["hiring_outlook"] = {
                "answers": len(numbers),
                "expected_hires_total": _plain_number(sum(numbers)),
                "expected_hires_mean": round(sum(numbers) / len(numbers), 3) if numbers else None,
            }
    return result


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 3)


def compute_results(
    questions: Sequence[Mapping[str, Any]],
    responses: Sequence[Mapping[str, Any]],
    mentions: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Results of one survey.

    `responses`: one mapping per submitted response, question code → value, plus "_id" (response id).
    `mentions`: survey-skill mentions as mappings with response_id, concept_id, concept_label, text and
    "answer" (the open answer the mention was read from, quoted as evidence).
    """
    ordered = sorted(questions, key=lambda q: (q["page"], q["position"]))
    result = _metrics(ordered, responses)
    by_role = {q.get("role"): q for q in ordered if q.get("role")}
    if ROLE_ROLES in by_role:
        roles = _answered(responses, by_role[ROLE_ROLES]["code"])
        result.setdefault("hiring_outlook", {})["roles"] = roles[:200]
    if ROLE_PARTNERSHIP in by_role:
        question = by_role[ROLE_PARTNERSHIP]
        values = _answered(responses, question["code"])
        result["partnership"] = {"answers": len(values), "distribution": _distribution(question, values)}
    result["missing_skills"] = missing_skill_concepts(mentions)
    result["other_questions"] = _other_questions(ordered, responses)
    result["splits"] = {
        name: _split(ordered, responses, by_role.get(role))
        for name, role in (("size", ROLE_SIZE), ("sector", ROLE_SECTOR), ("region", ROLE_REGION))
    }
    result["suppressed_below"] = SUPPRESS_BELOW
    return result


def _other_questions(
    questions: Sequence[Mapping[str, Any]], responses: Sequence[Mapping[str, Any]]
) -> list[dict]:
    """Designers' own choice and number questions, as distributions and totals."""
    out = []
    for question in questions:
        if question.get("role"):
            continue
        values = _answered(responses, question["code"])
        item: dict[str, Any] = {
            "question_code": question["code"],
            "kind": question["kind"],
            "answers": len(values),
        }
        if question["kind"] in ("single", "multiple", "rating"):
            item["distribution"] = _distribution(question, values)
        if question["kind"] == "number":
            numbers = [float(v) for v in values if isinstance(v, int | float)]
            item["total"] = _plain_number(sum(numbers))
            item["mean"] = round(sum(numbers) / len(numbers), 3) if numbers else None
        out.append(item)
    return out


def missing_skill_concepts(mentions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Concepts named in open answers: how many responses named each, with a few quotes, most named first."""
    responses: dict[str, set] = defaultdict(set)
    labels: dict[str, str] = {}
    quotes: dict[str, list[str]] = defaultdict(list)
    for mention in mentions:
        concept = mention.get("concept_id")
        if not concept:
            continue
        responses[concept].add(mention["response_id"])
        labels.setdefault(concept, mention.get("concept_label") or mention.get("text") or concept)
        quote = (mention.get("answer") or mention.get("text") or "").strip()
        if quote and quote not in quotes[concept] and len(quotes[concept]) < QUOTES_PER_CONCEPT:
            quotes[concept].append(quote[:500])
    ranked = sorted(responses, key=lambda c: (-len(responses[c]), labels[c]))
    return [
        {"concept_id": c, "label": labels[c], "count": len(responses[c]), "quotes": quotes[c]} for c in ranked
    ]


def _split(
    questions: Sequence[Mapping[str, Any]],
    responses: Sequence[Mapping[str, Any]],
    by: Mapping[str, Any] | None,
) -> list[dict[str, Any]]:
    if by is None:
        return []
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    names: dict[str, str] = {}
    labels = {str(o["value"]): o.get("label", o["value"]) for o in by.get("options") or [] if "value" in o}
    for response in responses:
        value = response.get(by["code"])
        if value in (None, ""):
            key, name = NOT_STATED, NOT_STATED
        elif by["kind"] == "text":
            key, name = region_key(value), " ".join(str(value).split())
        else:
            key, name = str(value), labels.get(str(value), str(value))
        groups[key].append(response)
        names.setdefault(key, name)
    out = []
    hidden_free_text = 0
    for key in sorted(groups, key=lambda k: (k == NOT_STATED, names[k].casefold())):
        members = groups[key]
        if len(members) >= SUPPRESS_BELOW:
            out.append(
                {"group": key, "label": names[key], "suppressed": False, **_metrics(questions, members)}
            )
        elif by["kind"] == "text" and key != NOT_STATED:
            hidden_free_text += 1  # a typed-in name of a small group could itself identify the employer
        else:
            out.append({"group": key, "label": names[key], "suppressed": True})
    if hidden_free_text:
        out.append({"group": "other", "label": f"{hidden_free_text} other group(s)", "suppressed": True})
    return out
