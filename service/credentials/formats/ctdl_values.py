"""CTDL property values the reader interprets: CCF levels, occupation codes, regions, and the fields kept
for writing a credential back as its publisher described it."""

from __future__ import annotations

from typing import Any

from service.credentials.formats.jsonld import as_list, lang_value, ref_ids
from service.credentials.formats.vocab import SOC_IN_TEXT, normalise_occupation, parse_level


def level_of(item: Any) -> int | None:
    if isinstance(item, dict):
        for key in (
            "ceterms:codedNotation",
            "ceterms:targetNodeName",
            "ceterms:name",
            "ceterms:targetNode",
            "@id",
        ):
            value = item.get(key)
            text = lang_value(value)[0] if isinstance(value, dict | list) else value
            level = parse_level(text)
            if level:
                return level
        return None
    return parse_level(item)


def code_in(text: str) -> str | None:
    match = SOC_IN_TEXT.search(text)
    return normalise_occupation(match.group(1)) if match else None


def base_language(lang: str | None) -> str:
    return (lang or "en").split("-")[0].lower() or "en"


def region_of(node: dict) -> str | None:
    for place in as_list(node.get("ceterms:region")) + [
        p
        for j in as_list(node.get("ceterms:jurisdiction"))
        if isinstance(j, dict)
        for p in as_list(j.get("ceterms:mainJurisdiction"))
    ]:
        if isinstance(place, dict):
            for key in (
                "ceterms:name",
                "ceterms:addressRegion",
                "ceterms:addressLocality",
                "ceterms:addressCountry",
            ):
                text, _ = lang_value(place.get(key))
                if text:
                    return text
    return None


def credential_extra(node: dict) -> dict:
    """What the export needs to write the credential back as its publisher described it."""
    kept: dict = {}
    if isinstance(node.get("@id"), str):
        kept["@id"] = node["@id"]
    for prop in ("ceterms:ownedBy", "ceterms:offeredBy"):
        ids = [r for r in ref_ids(node.get(prop)) if not r.startswith("_:")]
        if ids:
            kept[prop] = ids
    status = node.get("ceterms:credentialStatusType")
    if isinstance(status, dict) and isinstance(status.get("ceterms:targetNode"), str):
        kept["ceterms:credentialStatusType"] = status["ceterms:targetNode"]
    return kept


def framework_extra(node: dict) -> dict:
    name, _ = lang_value(node.get("ceasn:name"))
    description, _ = lang_value(node.get("ceasn:description"))
    kept = {"name": name, "description": description}
    for key in ("@id", "ceterms:ctid"):
        if isinstance(node.get(key), str):
            kept[key] = node[key]
    creators = [r for r in ref_ids(node.get("ceasn:creator")) if not r.startswith("_:")]
    if creators:
        kept["ceasn:creator"] = creators
    return {k: v for k, v in kept.items() if v}
