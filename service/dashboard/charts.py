"""Server-rendered SVG charts. Pure functions of numbers and labels; every text is escaped.

A chart is a picture for sighted readers: it is marked `aria-hidden` and each page puts a data table with
the same numbers beside it, which screen readers read instead. Colours come from CSS classes-equivalent
presentation attributes (no inline style, so the strict Content-Security-Policy holds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

# Distinguishable for common colour-vision deficiencies and ≥3:1 against white (WCAG 1.4.11).
PALETTE = ("#1d4ed8", "#b45309", "#047857", "#9d174d", "#6d28d9", "#374151")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]  # one per x label; None where there is no data


def _axis(value: float, as_share: bool) -> tuple[float, float]:
    """(top, step) of a y axis: round steps (5 or 10 points for shares, 1-2-5 for counts), at most 8 ticks."""
    if value <= 0:
        return (1.0, 0.25) if as_share else (1.0, 1.0)
    if as_share:
        step = 0.05 if value <= 0.3 else 0.1
        top = min(1.0, round(math.ceil(value / step - 1e-9) * step, 2))
        return (top if top >= value else 1.0), step
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        step = factor * magnitude / 4
        if value / step <= 8:
            return math.ceil(value / step - 1e-9) * step, step
    return value, value / 4


def _nice_max(value: float) -> float:
    return _axis(value, value <= 1)[0]


def _fmt(value: float, as_share: bool) -> str:
    return f"{value * 100:.0f}%" if as_share else f"{value:,.0f}"


def line_chart(
    series: list[Series], x_labels: list[str], *, as_share: bool = True, width: int = 640, height: int = 280
) -> Markup:
    """A multi-line chart (e.g. monthly demand share per concept). Lines differ by colour and dash pattern."""
    left, right, top, bottom = 48, 34, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    y_max, y_step = _axis(max(values) if values else 0.0, as_share)
    count = max(len(x_labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * (v / y_max)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" aria-hidden="true" '
        f'focusable="false" font-family="system-ui, sans-serif" font-size="11">'
    ]
    for k in range(round(y_max / y_step) + 1):
        v = k * y_step
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#374151">'
            f"{_fmt(v, as_share)}</text>"
        )
    step = max(1, count // 8)
    for i, label in enumerate(x_labels):
        if i % step == 0 or i == count - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="#374151">'
                f"{escape(label)}</text>"
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#6b7280"/>'
    )
    for n, s in enumerate(series):
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        points: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(s.values):
            if v is None:
                if points:
                    segments.append(points)
                points = []
                continue
            points.append(f"{x(i):.1f},{y(v):.1f}")
        if points:
            segments.append(points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for segment in segments:
            parts.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                f'stroke-width="2.2"{dash_attr}>'
                f"<title>{escape(s.label)}</title></polyline>"
            )
            for point in segment:
                cx, cy = point.split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.6" fill="{colour}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text above is escaped


def sparkline(values: list[float], *, width: int = 96, height: int = 24) -> Markup:
    """A tiny trend line for a table cell; the cell's text states the same numbers.

    The scale spans the values' own range (at least 10 points), so a fall from 99% to 89% is visible."""
    if not values:
        return Markup("")
    low, high = min(values), max(values)
    if high - low < 0.1:
        middle = (high + low) / 2
        low, high = middle - 0.05, middle + 0.05
    n = len(values)
    pts = " ".join(
        f"{(2 + (width - 4) * i / (n - 1)) if n > 1 else width / 2:.1f},"
        f"{height - 2 - (height - 4) * (v - low) / (high - low):.1f}"
        for i, v in enumerate(values)
    )
    return Markup(  # noqa: S704 - numbers only
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-hidden="true" focusable="false"><polyline points="{pts}" fill="none" '
        f'stroke="{PALETTE[0]}" stroke-width="1.8"/></svg>'
    )


def bar_chart(
    rows: list[tuple[str, float]], *, as_share: bool = True, width: int = 640, bar_h: int = 22
) -> Markup:
    """Horizontal bars (e.g. rating distribution of a survey question)."""
    label_w, value_w = 250, 48
    height = max(1, len(rows)) * (bar_h + 6) + 6
    top = _axis(max((v for _, v in rows), default=0.0), as_share)[0]
    plot_w = width - label_w - value_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" aria-hidden="true" '
        f'focusable="false" font-family="system-ui, sans-serif" font-size="12">'
    ]
    for i, (label, value) in enumerate(rows):
        y = 6 + i * (bar_h + 6)
        w = plot_w * (value / top) if top else 0
        text = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h * 0.7:.1f}" text-anchor="end" fill="#1f2937">'
            f"{escape(text)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h * 0.7:.1f}" fill="#1f2937">'
            f"{_fmt(value, as_share)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - labels escaped above
