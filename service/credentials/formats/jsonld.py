"""JSON-LD value helpers shared by the CTDL reader and writer: language maps, lists, types, references."""

from __future__ import annotations

from typing import Any

PREFERRED_LANGUAGES = ("en", "en-US", "en-GB", "en-us", "en-gb")


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def lang_value(value: Any) -> tuple[str | None, str | None]:
    """(text, language) of a CTDL language map, a plain string, a {"@value", "@language"} object, or a list
    of any of these; English is preferred, else the first language given."""
    if value is None:
        return None, None
    if isinstance(value, str):
        return (value.strip() or None), None
    if isinstance(value, list):
        found = [lang_value(v) for v in value]
        found = [f for f in found if f[0]]
        for text, lang in found:
            if lang in PREFERRED_LANGUAGES or lang is None:
                return text, lang
        return found[0] if found else (None, None)
    if isinstance(value, dict):
        if "@value" in value:
            text = value.get("@value")
            return (str(text).strip() or None) if text is not None else None, value.get("@language")
        items = [(k, v) for k, v in value.items() if not k.startswith("@")]
        for wanted in PREFERRED_LANGUAGES:
            for lang, text in items:
                if lang == wanted:
                    picked, _ = lang_value(text)
                    if picked:
                        return picked, lang
        for lang, text in items:
            picked, _ = lang_value(text)
            if picked:
                return picked, lang
    return None, None


def lang_values(value: Any) -> list[str]:
    """Every text of a multi-valued language map (ceasn:competencyCategory is a list of maps)."""
    out: list[str] = []
    for item in as_list(value):
        text, _ = lang_value(item)
        if text and text not in out:
            out.append(text)
    return out


def types_of(node: dict) -> list[str]:
    return [t for t in as_list(node.get("@type")) if isinstance(t, str)]


def local_name(type_name: str) -> str:
    """'ceterms:Certificate' → 'Certificate'; full IRIs keep their last segment."""
    for sep in (":", "/", "#"):
        if sep in type_name:
            type_name = type_name.rsplit(sep, 1)[-1]
    return type_name


def ref_ids(value: Any) -> list[str]:
    """The identifiers a property points at: strings, or objects carrying an @id."""
    out = []
    for item in as_list(value):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("@id"), str):
            out.append(item["@id"])
    return out


def lang_map(text: str, language: str = "en") -> dict[str, str]:
    return {language or "en": text}
