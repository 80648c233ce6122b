"""Writing a credential's competencies as a 1EdTech CASE 1.1 CFPackage: a CFDocument for its framework, a
CFItem per competency, CFAssociations for the hierarchy (`isChildOf`) and the concept links (`exactMatchOf`
for exact alignments, `isRelatedTo` for major, broad and — when asked — unreviewed ones; the association's
`extensions.skillpulseAlignment` says which: "major", "broad" or "suggested", and `read_case` takes every
one back but the suggested ones).

Identifiers are the UUIDs inside the CTIDs (a CTID is `ce-` + UUID), so they are stable per competency and
`read_case` (which puts the prefix back) gives the same competencies again; associations get UUIDs derived
from what they connect. Concepts (ESCO, O*NET URIs) are not items of this package: an association names them
by `uri`, with a UUID derived from the URI.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from service.credentials.formats.records import ParsedAlignment, ParsedCompetency, ParsedCredential
from service.credentials.formats.vocab import CCF_DOMAIN_URN, UUID

CASE_NAMESPACE = uuid.UUID("4b1f8a4e-7c1d-5f0a-9c52-3a8b1b0c2d11")  # skillpulse's, for derived identifiers


def case_identifier(ctid: str) -> str:
    """The UUID of a CTID (`ce-<uuid>`); anything else gets a UUID derived from it."""
    bare = ctid[3:] if ctid.lower().startswith("ce-") else ctid
    return bare.lower() if UUID.match(bare) else str(uuid.uuid5(CASE_NAMESPACE, ctid))


def association_type(alignment: ParsedAlignment) -> str:
    return "exactMatchOf" if alignment.exact and not alignment.suggested else "isRelatedTo"


def write_case(credential: ParsedCredential, author: str, base_url: str, changed: datetime) -> dict:
    """The CFPackage of `credential` (competency ext_ids and framework_ctid must be CTIDs, as for write_ctdl).
    `author` is the document's creator when the source named none; `changed` its lastChangeDateTime."""
    if not credential.framework_ctid or not all(c.ext_id for c in credential.competencies):
        raise ValueError("every exported record needs a CTID")
    stamp = changed.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    lang = credential.language or "en"
    doc_id = case_identifier(credential.framework_ctid)
    doc_uri = f"{base_url}case/{doc_id}"
    framework = credential.extra.get("framework", {})
    document: dict = {
        "identifier": doc_id,
        "uri": doc_uri,
        "creator": credential.extra.get("case", {}).get("creator") or author,
        "publisher": author,
        "title": framework.get("name") or credential.name,
        "description": framework.get("description") or credential.description or credential.name,
        "language": lang,
        "lastChangeDateTime": stamp,
        "CFPackageURI": {"title": credential.name, "identifier": doc_id, "uri": doc_uri},
    }
    if credential.url:
        document["officialSourceURL"] = credential.url
    if credential.occupations:
        document["subject"] = list(credential.occupations)
    doc_link = {"title": document["title"], "identifier": doc_id, "uri": doc_uri}

    item_ids = {c.ext_id: case_identifier(c.ext_id or "") for c in credential.competencies}
    titles = {c.ext_id: c.label or c.text[:200] for c in credential.competencies}
    items, associations = [], []
    for c in credential.competencies:
        ident = item_ids[c.ext_id]
        item = _item(c, ident, doc_link, lang, stamp, base_url)
        items.append(item)
        origin = {"title": titles[c.ext_id], "identifier": ident, "uri": item["uri"]}
        parent = item_ids.get(c.parent_ext_id) if c.parent_ext_id else None
        if parent:
            destination = {
                "title": titles[c.parent_ext_id],
                "identifier": parent,
                "uri": f"{base_url}case/items/{parent}",
            }
        else:
            destination = doc_link
        associations.append(_association(origin, "isChildOf", destination, doc_link, stamp, base_url))
        associations += [_link(origin, a, doc_link, stamp, base_url) for a in c.alignments]
    return {"CFDocument": document, "CFItems": items, "CFAssociations": associations}


def _link(origin: dict, alignment: ParsedAlignment, doc_link: dict, stamp: str, base_url: str) -> dict:
    """The association of an item with a concept it is linked to (the concept named by its URI)."""
    concept = {
        "title": alignment.label or alignment.uri,
        "identifier": str(uuid.uuid5(CASE_NAMESPACE, alignment.uri)),
        "uri": alignment.uri,
    }
    association = _association(origin, association_type(alignment), concept, doc_link, stamp, base_url)
    if not alignment.exact or alignment.suggested:
        strength = "suggested" if alignment.suggested else "major" if alignment.major else "broad"
        association["extensions"] = {"skillpulseAlignment": strength}
    return association


def _item(c: ParsedCompetency, ident: str, doc_link: dict, lang: str, stamp: str, base_url: str) -> dict:
    item: dict = {
        "identifier": ident,
        "uri": f"{base_url}case/items/{ident}",
        "fullStatement": c.text,
        "CFDocumentURI": doc_link,
        "language": lang,
        "lastChangeDateTime": stamp,
    }
    if c.label:
        item["abbreviatedStatement"] = c.label
    if c.coded_notation:
        item["humanCodingScheme"] = c.coded_notation
    if c.category:
        item["CFItemType"] = c.category
    if c.level:
        item["ccfLevel"] = c.level
    if c.domain:
        item["ccfDomain"] = c.domain
        item["conceptKeywordsURI"] = {
            "title": c.domain,
            "identifier": str(uuid.uuid5(CASE_NAMESPACE, CCF_DOMAIN_URN + c.domain)),
            "uri": CCF_DOMAIN_URN + c.domain,
        }
    return item


def _association(origin: dict, kind: str, destination: dict, doc: dict, stamp: str, base_url: str) -> dict:
    ident = str(uuid.uuid5(CASE_NAMESPACE, f"{origin['identifier']} {kind} {destination['uri']}"))
    return {
        "identifier": ident,
        "uri": f"{base_url}case/associations/{ident}",
        "associationType": kind,
        "originNodeURI": origin,
        "destinationNodeURI": destination,
        "CFDocumentURI": doc,
        "lastChangeDateTime": stamp,
    }
