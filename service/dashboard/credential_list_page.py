"""The credential list: search by name or CTID, filter by coverage band, open alerts, occupation and region,
sort and page. Every filter is a GET query parameter, so the list works without JavaScript and can be
bookmarked; the work is the demand part's `list_credentials`."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from kernel.di import DbSession
from service.dashboard.rendering import page
from service.demand.credential_list import COVERAGE_BANDS, SORTS, CredentialFilter, list_credentials
from service.dependencies import CurrentPrincipal

PER_PAGE = 25
ALERT_CHOICES = ("open", "none")
MAX_TEXT = 200


def _problems(filters: dict[str, str], page_number: str) -> list[str]:
    problems = []
    if filters["coverage"] and filters["coverage"] not in COVERAGE_BANDS:
        problems.append(f"coverage must be one of {', '.join(COVERAGE_BANDS)} (not {filters['coverage']!r})")
    if filters["alerts"] and filters["alerts"] not in ALERT_CHOICES:
        problems.append(f"alerts must be open or none (not {filters['alerts']!r})")
    if filters["sort"] not in SORTS:
        problems.append(f"sort must be one of {', '.join(SORTS)} (not {filters['sort']!r})")
    if filters["order"] not in ("asc", "desc"):
        problems.append(f"order must be asc or desc (not {filters['order']!r})")
    for name, key in (("search", "q"), ("occupation", "occupation"), ("region", "region")):
        if len(filters[key]) > MAX_TEXT:
            problems.append(f"{name} is longer than {MAX_TEXT} characters")
    if not (page_number.isdigit() and 0 < len(page_number) < 7 and int(page_number) >= 1):
        problems.append(f"page must be a whole number from 1 (not {page_number[:20]!r})")
    return problems


@get("/app/credentials", include_in_schema=False)
async def credentials_page(
    db_session: DbSession,
    principal: CurrentPrincipal,
    q: FromQuery[str] = "",
    coverage: FromQuery[str] = "",
    alerts: FromQuery[str] = "",
    occupation: FromQuery[str] = "",
    region: FromQuery[str] = "",
    sort: FromQuery[str] = "",
    order: FromQuery[str] = "",
    page_number: Annotated[str, QueryParameter(name="page")] = "1",
) -> Template:
    """A bad filter is a 400 naming it, with the form to correct it."""
    filters = {
        "q": q.strip(),
        "coverage": coverage,
        "alerts": alerts,
        "occupation": occupation.strip(),
        "region": region.strip(),
        "sort": sort or "name",
        "order": order or "asc",
    }
    context: dict[str, Any] = {
        "filters": filters,
        "bands": COVERAGE_BANDS,
        "sorts": SORTS,
        "query": urlencode(filters),
    }
    problems = _problems(filters, page_number)
    if problems:
        error = "; ".join(problems).capitalize() + "."
        return page(
            "credentials.html",
            principal,
            title="Credentials",
            active="credentials",
            status_code=400,
            error=error,
            listing=None,
            **context,
        )
    wanted = CredentialFilter(
        q=filters["q"],
        coverage=filters["coverage"],
        alerts=filters["alerts"],
        occupation=filters["occupation"],
        region=filters["region"],
        sort=filters["sort"],  # type: ignore[arg-type]  # one of SORTS, checked above
        descending=filters["order"] == "desc",
        page=int(page_number),
        per_page=PER_PAGE,
    )
    listing = await list_credentials(db_session, principal.org_id, wanted)
    return page(
        "credentials.html", principal, title="Credentials", active="credentials", listing=listing, **context
    )


route_handlers = [credentials_page]
