"""Which page of a link's form is shown or was posted, and what a posted page says: pure, no HTTP, no database.

The form's Litestar handlers (`form_views`) and its raw ASGI submit (`respond_asgi`) read a posted page the
same way through these.
"""

from __future__ import annotations

from typing import Any

from surveys.answers import read_page
from surveys.questions import is_visible, on_page, pages_of
from surveys.respond_link import Link


def visible_pages(link: Link) -> list[int]:
    return [
        p
        for p in pages_of(link.questions)
        if any(is_visible(q, link.answers) for q in on_page(link.questions, p))
    ]


def current_page(link: Link, requested: int | None) -> int:
    pages = visible_pages(link) or pages_of(link.questions) or [1]
    if requested in pages:
        return requested
    if link.response is not None and link.response.page in pages:
        return link.response.page
    return pages[0]


def posted_page(link: Link, form: Any) -> int:
    try:
        page = int(str(form.get("page") or ""))
    except ValueError:
        page = 0
    return current_page(link, page)


def read_posted(link: Link, form: Any, page: int, language: str, action: str) -> tuple[dict, dict, dict]:
    """The posted page's fields, the values read from them and the errors found (`answers.read_page`)."""
    fields = {key: [v for v in form.getall(key) if isinstance(v, str)] for key in form}
    questions = [q for q in on_page(link.questions, page) if is_visible(q, link.answers)]
    values, errors = read_page(
        questions, fields, link.answers, language, check_required=action in ("next", "submit")
    )
    return fields, values, errors
