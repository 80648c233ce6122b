"""Finding the nodes of a CTDL document: an `@graph`, a single node, a list of nodes, or the Credential
Registry's envelopes (the resource envelope with `decoded_resource` or a JWT `resource`, and the publish
request that wraps a graph, e.g. `GraphInput`)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from service.credentials.formats.records import CredentialFormatError

ENVELOPE_KEYS = ("decoded_resource", "GraphInput", "graph", "Graph", "resource", "envelope")


def graph_nodes(document: Any, depth: int = 0) -> list[dict]:
    if depth > 3:
        raise CredentialFormatError("the document nests envelopes too deeply to find its @graph")
    if isinstance(document, list):
        nodes = document
    elif not isinstance(document, dict):
        raise CredentialFormatError(
            "a CTDL document must be a JSON object with an @graph (or a list of nodes)"
        )
    elif "@graph" in document:
        nodes = document["@graph"]
        if not isinstance(nodes, list):
            raise CredentialFormatError("@graph must be a list of nodes")
    elif "@type" in document:
        nodes = [document]
    else:
        inner = _unwrap_envelope(document)
        if inner is None:
            raise CredentialFormatError(
                "no @graph, no @type and no registry envelope (decoded_resource, resource, GraphInput) found"
            )
        return graph_nodes(inner, depth + 1)
    for position, node in enumerate(nodes):
        if not isinstance(node, dict):
            raise CredentialFormatError(f"@graph[{position}]: each node must be a JSON object")
    return nodes


def _unwrap_envelope(document: dict) -> Any:
    for key in ENVELOPE_KEYS:
        value = document.get(key)
        if isinstance(value, dict | list):
            return value
        if isinstance(value, str) and value.count(".") == 2:
            return _jwt_payload(value, key)
    for (
        value
    ) in document.values():  # a publish request: {"PublishForOrganizationIdentifier": …, "<X>Graph": {…}}
        if isinstance(value, dict) and ("@graph" in value or "@type" in value):
            return value
    return None


def _jwt_payload(token: str, key: str) -> Any:
    """The payload of the registry's signed envelope resource; the signature is the registry's business."""
    payload = token.split(".")[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise CredentialFormatError(f"envelope field {key!r} is not a readable JWT: {exc}") from None
