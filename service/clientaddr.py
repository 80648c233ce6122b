"""The client's address: the peer, or behind trusted reverse proxies the right-most X-Forwarded-For hop that
is not one of them (every hop left of it was written by the client and proves nothing).

`ClientAddressMiddleware` puts that address in the ASGI scope's `client`, so everything downstream (sign-in
throttling, the survey form's per-address limit) reads `request.client.host` and gets the same answer.
uvicorn is given the same list (`uvicorn_proxy_options`), so its own proxy-header handling never trusts more
than the app does; the middleware stays for other servers and the in-process test client, and is a no-op on a
scope uvicorn already rewrote (the rewritten client is untrusted, so it is kept).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    """Addresses and CIDR networks as networks (an address is a one-host network)."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip().strip('"')
    if value.startswith("["):  # [v6]:port
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(host: str | None, trusted: Sequence[Network]) -> bool:
    if not host or not trusted:
        return False
    address = _address(host)
    return address is not None and any(address in network for network in trusted)


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str | None:
    """The client address for a request from `peer` carrying these X-Forwarded-For header values.

    Only a trusted peer's X-Forwarded-For is read; it is walked from the right, skipping trusted proxies, and
    the first hop that is not trusted is the client. A malformed hop ends the walk there (it is what the last
    trusted proxy saw, so nothing to its left can be believed). If every hop is trusted, the left-most is taken.
    """
    if not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    if not hops:
        return peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return hop
        if not any(address in network for network in trusted):
            return str(address)
    return str(_address(hops[0]))


def uvicorn_proxy_options(trusted: Sequence[str]) -> dict[str, Any]:
    """uvicorn's proxy-header options for the same trusted list: off when no proxy is trusted (uvicorn would
    otherwise trust X-Forwarded-For from loopback by default)."""
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(trusted)}


class ClientAddressMiddleware:
    """ASGI middleware: rewrites `scope["client"]` to the client address (see `client_address`)."""

    def __init__(self, app: Any, trusted: Iterable[str]) -> None:
        self.app = app
        self.trusted = parse_networks(trusted)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if self.trusted and scope.get("type") in {"http", "websocket"}:
            peer = scope.get("client")
            values = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"]
            if peer and values:
                host = client_address(peer[0], values, self.trusted)
                if host and host != peer[0]:
                    scope["client"] = (
                        host,
                        0,
                    )  # in place, as uvicorn does: the server keeps using this scope
        await self.app(scope, receive, send)
