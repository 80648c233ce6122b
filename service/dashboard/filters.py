"""Jinja filters for the dashboard: dates, counts and shares written the way people read them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def dateformat(value: date | datetime | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d %b %Y %H:%M UTC" if with_time else "%d %b %Y")
    return value.strftime("%d %b %Y")


def number(value: float | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def percent(value: float | None, digits: int = 0) -> str:
    """A share in 0..1 as a percentage; tiny non-zero shares say "<1%" rather than a misleading 0%."""
    if value is None:
        return "–"
    pct = value * 100
    if 0 < pct < 1 and digits == 0:
        return "<1%"
    return f"{pct:.{digits}f}%"


def humanize(value: Any) -> str:
    """snake_case codes (alert kinds, statuses) as words."""
    return str(value or "").replace("_", " ")


FILTERS = {"dateformat": dateformat, "number": number, "percent": percent, "humanize": humanize}


def register_template_filters(engine: Any) -> None:
    """TemplateConfig.engine_callback: the filters and SVG chart helpers, in the shared Jinja environment."""
    from service.dashboard.charts import bar_chart, line_chart, sparkline
    from service.dashboard.choice_options import options_text

    engine.engine.auto_reload = False  # the templates ship with the package: no stat() per render
    engine.engine.filters.update(FILTERS | {"options_text": options_text})
    engine.engine.globals.update({"sparkline": sparkline, "line_chart": line_chart, "bar_chart": bar_chart})
