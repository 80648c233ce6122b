"""The labelled middle-skill posting set (``nlp/eval/postings.jsonl``): loading and validation.

One JSON object a line::

    {"id": "weld-003", "occupation": "51-4121.06", "title": "Welder Fabricator", "text": "...",
     "expect": [{"label": "MIG welding", "any": ["<concept id>", ...]}, ...],
     "acceptable": ["<concept id>", ...]}

``expect`` holds what a program designer would expect counted from the posting, one group per skill:
finding any one concept of a group finds that skill (a group with ``"any": []`` is a skill the taxonomy lacks,
a recall miss no model can fix). ``acceptable`` concepts are not expected but are not wrong if reported.
Anything else reported is a false positive.

``parse_postings_gold`` is pure (lines, the known concept ids and occupation codes in; postings out) and
raises ``ValueError`` naming the line of the first problem; ``load_postings_gold`` reads a file against the
packaged taxonomy and occupations. ``split_of``: a posting's tuning or test half (``nlp.splits``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .occupations import occupation
from .splits import is_tuning_document
from .taxonomy import load_taxonomy

POSTINGS_GOLD_FILE = Path(__file__).resolve().parent / "eval" / "postings.jsonl"
_KEYS = {"id", "occupation", "title", "text", "expect", "acceptable"}


class GoldGroup(NamedTuple):
    """One expected skill: a label for people and the concept ids any of which counts as finding it."""

    label: str
    ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class GoldPosting:
    id: str
    occupation: str
    title: str
    text: str
    groups: tuple[GoldGroup, ...]
    acceptable: frozenset[str]

    @property
    def allowed(self) -> frozenset[str]:
        """The concepts that are right when reported: any expected group's, or an acceptable one."""
        return self.acceptable.union(*(g.ids for g in self.groups))

    @property
    def expected_ids(self) -> frozenset[str]:
        """Every concept id of every expected group."""
        return frozenset().union(*(g.ids for g in self.groups))


def split_of(posting_id: str) -> str:
    """``"tune"``: the half thresholds may be chosen on; ``"test"``: the half figures are reported on."""
    return "tune" if is_tuning_document(posting_id) else "test"


def _text_field(obj: dict, key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key!r} must be a non-empty string")
    return value


def _ids(value: object, where: str, known: Callable[[str], bool]) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} must be a list of concept id strings")
    unknown = [v for v in value if not known(v)]
    if unknown:
        raise ValueError(f"{where}: unknown concept id(s) {', '.join(unknown)}")
    return frozenset(value)


def _groups(value: object, where: str, known: Callable[[str], bool]) -> tuple[GoldGroup, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}: 'expect' must be a non-empty list of groups")
    groups = []
    for i, g in enumerate(value):
        at = f"{where}: expect[{i}]"
        if not isinstance(g, dict) or set(g) != {"label", "any"}:
            raise ValueError(f"{at} must be an object with exactly 'label' and 'any'")
        groups.append(GoldGroup(_text_field(g, "label", at), _ids(g["any"], f"{at}.any", known)))
    return tuple(groups)


def _posting(line: str, where: str, known: Callable[[str], bool], occupations: Callable[[str], bool]):
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(obj, dict) or set(obj) != _KEYS:
        raise ValueError(f"{where}: expected an object with exactly the keys {', '.join(sorted(_KEYS))}")
    pid = _text_field(obj, "id", where)
    where = f"{where} ({pid})"
    code = _text_field(obj, "occupation", where)
    if not occupations(code):
        raise ValueError(f"{where}: unknown O*NET-SOC occupation {code!r}")
    groups = _groups(obj["expect"], where, known)
    acceptable = _ids(obj["acceptable"], f"{where}: acceptable", known)
    both = sorted(acceptable & frozenset().union(*(g.ids for g in groups)))
    if both:
        raise ValueError(f"{where}: concept(s) both expected and acceptable: {', '.join(both)}")
    title, text = _text_field(obj, "title", where), _text_field(obj, "text", where)
    return GoldPosting(pid, code, title, text, groups, acceptable)


def parse_postings_gold(
    lines: Iterable[str], known_concept: Callable[[str], bool], known_occupation: Callable[[str], bool]
) -> list[GoldPosting]:
    """Postings from JSON lines (blank lines skipped); ``ValueError`` naming the line on the first problem."""
    out: list[GoldPosting] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        p = _posting(line, f"line {n}", known_concept, known_occupation)
        if p.id in seen:
            raise ValueError(f"line {n}: duplicate id {p.id!r} (first on line {seen[p.id]})")
        seen[p.id] = n
        out.append(p)
    return out


def load_postings_gold(path: str | Path = POSTINGS_GOLD_FILE) -> list[GoldPosting]:
    """The postings of a gold file, checked against the packaged taxonomy and O*NET occupations."""
    tax = load_taxonomy()

    def known_occupation(code: str) -> bool:
        found = occupation(code)
        return found is not None and found.soc == code

    with open(path, encoding="utf-8") as fh:
        try:
            return parse_postings_gold(fh, lambda cid: cid in tax.concepts, known_occupation)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
