"""Reading 1EdTech CASE CFPackage JSON: the CFDocument becomes a competency framework (a credential of type
CompetencyFramework), each CFItem a competency, `isChildOf` associations its hierarchy, and `exactMatchOf` /
`isRelatedTo` associations from an item to a concept URI (ESCO, O*NET) its asserted alignments (exact; broad,
or major when `extensions.skillpulseAlignment` says so; one marked "suggested" is not taken).

CASE identifiers are UUIDs; they become CTIDs by the `ce-` prefix, as Credential Engine does when it
publishes a CASE framework as CTDL-ASN, so a later CTDL export of the framework keeps the same identities.
"""

from __future__ import annotations

from typing import Any

from service.credentials.formats.records import (
    CredentialFormatError,
    ParsedAlignment,
    ParsedCompetency,
    ParsedCredential,
)
from service.credentials.formats.vocab import (
    FRAMEWORK_TYPE,
    UUID,
    is_concept_uri,
    is_web_url,
    parse_domain,
    parse_level,
)


def looks_like_case(document: Any) -> bool:
    return isinstance(document, dict) and any(k.lower() in ("cfdocument", "cfitems") for k in document)


def _key(document: dict, name: str) -> Any:
    for key, value in document.items():
        if key.lower() == name.lower():
            return value
    return None


def _ctid(identifier: Any) -> str | None:
    if not isinstance(identifier, str) or not identifier.strip():
        return None
    identifier = identifier.strip()
    return f"ce-{identifier.lower()}" if UUID.match(identifier) else identifier


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):  # a LinkGenURI: {"title", "identifier", "uri"}
        return _text(value.get("title"))
    return None


ALIGNMENT_TYPES = ("exactMatchOf", "isRelatedTo")


def _read_alignment(association: dict, aligned: dict[str, list[ParsedAlignment]]) -> None:
    """An item's link to a concept; associations between items (or to non-URIs) are not concept links."""
    origin, destination = association.get("originNodeURI"), association.get("destinationNodeURI")
    item = origin.get("identifier") if isinstance(origin, dict) else None
    uri = destination.get("uri") if isinstance(destination, dict) else None
    extensions = association.get("extensions")
    kind = extensions.get("skillpulseAlignment") if isinstance(extensions, dict) else None
    if not item or not isinstance(uri, str) or kind == "suggested":
        return
    if not is_concept_uri(uri) or len(uri) > 500:
        return
    exact = association["associationType"] == "exactMatchOf"
    found = aligned.setdefault(str(item), [])
    if all(a.uri != uri for a in found):
        found.append(ParsedAlignment(uri, exact, major=not exact and kind == "major"))


def read_case(document: Any) -> list[ParsedCredential]:
    if not isinstance(document, dict):
        raise CredentialFormatError("a CASE package must be a JSON object with CFDocument and CFItems")
    cf_document = _key(document, "CFDocument")
    if not isinstance(cf_document, dict):
        raise CredentialFormatError("CFPackage: CFDocument is required (an object)")
    title = _text(cf_document.get("title"))
    if not title:
        raise CredentialFormatError("CFDocument: title is required")
    items = _key(document, "CFItems") or []
    if not isinstance(items, list):
        raise CredentialFormatError("CFPackage: CFItems must be a list")
    associations = _key(document, "CFAssociations") or []
    if not isinstance(associations, list):
        raise CredentialFormatError("CFPackage: CFAssociations must be a list")

    parents, aligned = _read_associations(associations)
    competencies = _read_items(items, parents, aligned)

    ctid = _ctid(cf_document.get("identifier"))
    language = _text(cf_document.get("language")) or "en"
    return [
        ParsedCredential(
            name=title,
            source_format="case",
            ctid=ctid if ctid and ctid.startswith("ce-") else None,
            description=_text(cf_document.get("description")) or "",
            url=next(
                (
                    u
                    for u in (_text(cf_document.get(k)) for k in ("officialSourceURL", "uri"))
                    if u and is_web_url(u)
                ),
                None,
            ),
            type=FRAMEWORK_TYPE,
            language=language.split("-")[0].lower(),
            framework_ctid=ctid,
            extra={
                "case": {k: cf_document[k] for k in ("identifier", "uri", "creator") if cf_document.get(k)}
            },
            competencies=competencies,
        )
    ]


def _read_associations(associations: list) -> tuple[dict[str, str], dict[str, list[ParsedAlignment]]]:
    """The isChildOf parents (child identifier → parent identifier) and the alignments per item identifier."""
    parents: dict[str, str] = {}
    aligned: dict[str, list[ParsedAlignment]] = {}
    for position, association in enumerate(associations):
        if not isinstance(association, dict):
            raise CredentialFormatError(f"CFAssociations[{position}]: must be an object")
        if association.get("associationType") in ALIGNMENT_TYPES:
            _read_alignment(association, aligned)
            continue
        if association.get("associationType") != "isChildOf":
            continue
        origin, destination = association.get("originNodeURI"), association.get("destinationNodeURI")
        child = origin.get("identifier") if isinstance(origin, dict) else None
        parent = destination.get("identifier") if isinstance(destination, dict) else None
        if not child or not parent:
            raise CredentialFormatError(
                f"CFAssociations[{position}]: isChildOf needs originNodeURI.identifier and "
                f"destinationNodeURI.identifier"
            )
        parents.setdefault(str(child), str(parent))

    return parents, aligned


def _read_items(
    items: list, parents: dict[str, str], aligned: dict[str, list[ParsedAlignment]]
) -> list[ParsedCompetency]:
    """The CFItems as competencies, in order, each under its parent when the parent is an item too."""
    item_ids = set()
    competencies = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise CredentialFormatError(f"CFItems[{position}]: must be an object")
        identifier = item.get("identifier")
        where = f'CFItems[{position}] (identifier "{identifier}")' if identifier else f"CFItems[{position}]"
        statement = _text(item.get("fullStatement"))
        if not statement:
            raise CredentialFormatError(f"{where}: fullStatement is required")
        item_ids.add(str(identifier))
        category = _text(item.get("CFItemType")) or _text(item.get("CFItemTypeURI"))
        competencies.append(
            ParsedCompetency(
                text=statement,
                ext_id=_ctid(identifier),
                label=_text(item.get("abbreviatedStatement")),
                category=category,
                coded_notation=_text(item.get("humanCodingScheme")),
                level=parse_level(item.get("ccfLevel")) if "ccfLevel" in item else None,
                domain=parse_domain(item.get("ccfDomain")) if "ccfDomain" in item else None,
                parent_ext_id=None,
                alignments=aligned.get(str(identifier), []),
            )
        )
    for item, parsed in zip(items, competencies, strict=True):
        parent = parents.get(str(item.get("identifier")))
        if parent and parent in item_ids:  # a child of the document itself is a top-level competency
            parsed.parent_ext_id = _ctid(parent)

    return competencies
