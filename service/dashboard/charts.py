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


@dataclass(frozen=True)
class _Frame:
    """Where a line chart's plot area sits in its SVG, and how values map onto it."""

    width: int
    height: int
    count: int  # points along x
    y_max: float
    left: int = 48
    right: int = 34
    top: int = 12
    bottom: int = 36

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom

    def x(self, i: int) -> float:
        return self.left + (self.plot_w * i / (self.count - 1) if self.count > 1 else self.plot_w / 2)

    def y(self, v: float) -> float:
        return self.top + self.plot_h - self.plot_h * (v / self.y_max)


def line_chart(
    series: list[Series], x_labels: list[str], *, as_share: bool = True, width: int = 640, height: int = 280
) -> Markup:
    """A multi-line chart (e.g. monthly demand share per concept). Lines differ by colour and dash pattern."""
    values = [v for s in series for v in s.values if v is not None]
    y_max, y_step = _axis(max(values) if values else 0.0, as_share)
    frame = _Frame(width, height, max(len(x_labels), 1), y_max)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" aria-hidden="true" '
        f'focusable="false" font-family="system-ui, sans-serif" font-size="11">',
        *_y_grid(frame, y_step, as_share),
        *_x_labels(frame, x_labels),
        f'<line x1="{frame.left}" x2="{width - frame.right}" y1="{frame.top + frame.plot_h}" '
        f'y2="{frame.top + frame.plot_h}" stroke="#6b7280"/>',
    ]
    for n, s in enumerate(series):
        parts.extend(_series_lines(frame, s, PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped where it is built


def _y_grid(frame: _Frame, y_step: float, as_share: bool) -> list[str]:
    parts = []
    for k in range(round(frame.y_max / y_step) + 1):
        y = frame.y(k * y_step)
        parts.append(
            f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#374151">'
            f"{_fmt(k * y_step, as_share)}</text>"
        )
    return parts


def _x_labels(frame: _Frame, x_labels: list[str]) -> list[str]:
    """At most about eight labels along x, and always the last."""
    step = max(1, frame.count // 8)
    return [
        f'<text x="{frame.x(i):.1f}" y="{frame.height - frame.bottom + 16}" text-anchor="middle" fill="#374151">'
        f"{escape(label)}</text>"
        for i, label in enumerate(x_labels)
        if i % step == 0 or i == frame.count - 1
    ]


def _segments(values: list[float | None]) -> list[list[tuple[int, float]]]:
    """The runs of known values: a missing month breaks the line rather than joining across it."""
    segments: list[list[tuple[int, float]]] = []
    points: list[tuple[int, float]] = []
    for i, v in enumerate(values):
        if v is None:
            if points:
                segments.append(points)
            points = []
        else:
            points.append((i, v))
    if points:
        segments.append(points)
    return segments


def _series_lines(frame: _Frame, s: Series, colour: str, dash: str) -> list[str]:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    parts = []
    for segment in _segments(s.values):
        coords = [(f"{frame.x(i):.1f}", f"{frame.y(v):.1f}") for i, v in segment]
        parts.append(
            f'<polyline points="{" ".join(f"{cx},{cy}" for cx, cy in coords)}" fill="none" stroke="{colour}" '
            f'stroke-width="2.2"{dash_attr}>'
            f"<title>{escape(s.label)}</title></polyline>"
        )
        parts.extend(f'<circle cx="{cx}" cy="{cy}" r="2.6" fill="{colour}"/>' for cx, cy in coords)
    return parts


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
