"""The Credential Registry, pure part: what an import request asks for, where a CTID lives in the registry,
which resources a credential points at (its competency frameworks, competencies and required learning
opportunities), and the one CTDL graph assembled from the credential and what was fetched for it.

No web here: `service/credentials/registry.py` fetches, this module decides what and puts it together.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from service.credentials.formats.ctdl_graph import graph_nodes
from service.credentials.formats.jsonld import as_list, local_name, ref_ids, types_of
from service.credentials.formats.records import CredentialFormatError
from service.credentials.formats.vocab import CTID, ctid_from, is_credential_class, is_web_url

CONDITION_PROPERTIES = ("ceterms:requires", "ceterms:teaches")
REQUEST_KEYS = frozenset({"ctid", "url"})
# a request body is a one-key object; anything longer is a document for the file importers
MAX_REQUEST_BYTES = 4096
RESOURCE_PATH = re.compile(r"/resources/(ce-[0-9a-f-]{36})/?$", re.IGNORECASE)


class RegistryRequestError(CredentialFormatError):
    """`{"ctid"}` / `{"url"}` that is not a CTID or an http(s) URL (HTTP 400)."""


class NotACredential(CredentialFormatError):
    """The registry resource is there but is not a credential (HTTP 422)."""


@dataclass(frozen=True, slots=True)
class RegistryRequest:
    """Import one credential from the registry by CTID, or from any http(s) URL serving CTDL JSON-LD."""

    ctid: str | None = None
    url: str | None = None

    @property
    def label(self) -> str:
        return self.ctid or self.url or ""


def registry_request(body: bytes, media_type: str) -> RegistryRequest | None:
    """The request when the body is `{"ctid": …}` or `{"url": …}` (application/json); None for a document."""
    if media_type not in ("application/json", "text/json") or len(body) > MAX_REQUEST_BYTES:
        return None
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict) or not document or not set(document) <= REQUEST_KEYS:
        return None
    return parse_request(document)


def parse_request(document: dict[str, Any]) -> RegistryRequest:
    if len(document) != 1:
        raise RegistryRequestError('send either "ctid" or "url", not both')
    [(key, value)] = document.items()
    if not isinstance(value, str) or not value.strip():
        raise RegistryRequestError(f"{key} must be a non-empty string")
    value = value.strip()
    if key == "ctid":
        if not CTID.match(value):
            raise RegistryRequestError(
                f"ctid {value[:100]!r} is not a CTID: ce- followed by a UUID, like "
                "ce-edc318c1-aa67-47e2-9638-a8529e6612d4"
            )
        return RegistryRequest(ctid=value.lower())
    if not is_web_url(value) or len(value) > 2000:
        raise RegistryRequestError(f"url {value[:200]!r} is not an http(s) URL")
    return RegistryRequest(url=value)


def graph_url(base: str, ctid: str) -> str:
    """The registry's graph of a resource: the resource with its blank nodes and, for a competency
    framework, every competency."""
    return f"{base.rstrip('/')}/graph/{ctid}"


def fetch_url(reference: str, base: str) -> str | None:
    """Where to fetch a reference: a registry resource URL (or a bare CTID) as its graph, any other http(s)
    URL as it is; None for what cannot be fetched (a blank node, a URN)."""
    if CTID.match(reference):
        return graph_url(base, reference.lower())
    if not is_web_url(reference):
        return None
    found = RESOURCE_PATH.search(reference)
    if found and reference.lower().startswith(base.rstrip("/").lower() + "/"):
        return graph_url(base, found.group(1).lower())
    return reference


def nodes_of(document: Any, where: str) -> list[dict]:
    try:
        return graph_nodes(document)
    except CredentialFormatError as exc:
        raise CredentialFormatError(f"{where}: {exc}") from None


def is_credential(node: dict) -> bool:
    return any(t.startswith("ceterms:") and is_credential_class(local_name(t)) for t in types_of(node))


def the_credential(nodes: list[dict], what: str) -> dict:
    """The one credential of the fetched resource; NotACredential says what it is instead."""
    found = [n for n in nodes if is_credential(n)]
    if len(found) == 1:
        return found[0]
    if found:
        raise NotACredential(f"{what} holds {len(found)} credentials; import one CTID at a time")
    kinds = sorted({t for n in nodes for t in types_of(n)}) or ["no typed node"]
    raise NotACredential(
        f"{what} is not a credential ({', '.join(kinds[:5])}); import a ceterms:Credential subclass such as "
        "ceterms:Certificate"
    )


def references(credential: dict) -> list[str]:
    """What the credential's condition profiles point at, frameworks first: the frameworks of
    `ceterms:targetCompetency` alignments, their target nodes (a competency or a whole framework), then
    `ceterms:targetLearningOpportunity`. Shared condition profiles referenced by URL are not followed."""
    frameworks: list[str] = []
    targets: list[str] = []
    learning: list[str] = []
    for prop in CONDITION_PROPERTIES:
        for profile in as_list(credential.get(prop)):
            if not isinstance(profile, dict):
                continue
            for target in as_list(profile.get("ceterms:targetCompetency")):
                if isinstance(target, dict):
                    frameworks += [f for f in as_list(target.get("ceterms:framework")) if isinstance(f, str)]
                    node = target.get("ceterms:targetNode") or target.get("@id")
                    targets += [node] if isinstance(node, str) else []
                elif isinstance(target, str):
                    targets.append(target)
            learning += ref_ids(profile.get("ceterms:targetLearningOpportunity"))
    return list(dict.fromkeys(r for r in frameworks + targets + learning if not r.startswith("_:")))


def known_ids(nodes: list[dict]) -> set[str]:
    """The @ids and CTIDs of nodes, so a reference already in hand is not fetched again."""
    out: set[str] = set()
    for node in nodes:
        for key in (node.get("@id"), node.get("ceterms:ctid")):
            if isinstance(key, str):
                out.add(key)
                ctid = ctid_from(key)
                if ctid:
                    out.add(ctid)
    return out


def is_known(reference: str, known: set[str]) -> bool:
    return reference in known or (ctid_from(reference) or "\0") in known


def assemble(credential_nodes: list[dict], fetched: list[list[dict]]) -> dict:
    """One CTDL graph: the credential's own nodes, then those of each fetched resource, each node once (by
    @id, the first seen wins). Credentials among the fetched nodes are left out: a reference pulls in what
    the credential requires, never a second credential to import."""
    graph: list[dict] = []
    seen: set[str] = set()
    for position, nodes in enumerate([credential_nodes, *fetched]):
        for node in nodes:
            ident = node.get("@id")
            if position and is_credential(node):
                continue
            if isinstance(ident, str) and not ident.startswith("_:"):
                if ident in seen:
                    continue
                seen.add(ident)
            graph.append({k: v for k, v in node.items() if k != "@context"})
    return {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": graph}
