"""A choice question's options as a designer types them on the dashboard: one per line, each a label (its
stored value is made from it) or `value | label`. Editing keeps the stored value of every label left as it
was, so answers and show-if conditions that name it still match. The surveys package validates the result
exactly as it validates the API's `options`."""

from __future__ import annotations

import re

MAX_VALUE = 100


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:MAX_VALUE]


def options_text(options: list[dict]) -> str:
    """Stored options as the textarea shows them: the label, with its value when it is not the label's own."""
    lines = []
    for option in options:
        value, label = str(option.get("value", "")), str(option.get("label", ""))
        lines.append(label if _slug(label) == value else f"{value} | {label}")
    return "\n".join(lines)


def parse_options(text: str, stored: list[dict] | None = None) -> list[dict[str, str]]:
    """Options from the textarea (blank lines skipped); a label already stored keeps its value."""
    known = {str(o.get("label", "")): str(o.get("value", "")) for o in stored or []}
    options: list[dict[str, str]] = []
    made: dict[str, str] = {}  # value made from a label -> that label
    for number, raw in enumerate(text.splitlines(), start=1):
        line = " ".join(raw.split())
        if not line:
            continue
        value, sep, label = (part.strip() for part in line.partition(" | "))
        if not sep:
            label, value = line, known.get(line) or _slug(line) or f"option_{number}"
            if made.get(value, label) != label:  # two labels, one made value ("C++" and "C#"): keep both
                value = f"{value[: MAX_VALUE - 4]}_{number}"
            made[value] = label
        options.append({"value": value, "label": label})
    return options
