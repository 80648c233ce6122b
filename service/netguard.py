"""Outbound HTTP to public addresses only: the SSRF guard shared by import sources and webhooks.

`non_public_reason` says why an IP address is not on the public internet (pure, unit-tested).
`public_addresses` resolves a host and refuses it when *any* of its addresses is non-public, so decimal, octal
and hex spellings of an address ("2130706433", "0177.0.0.1"), names like "localhost" and IPv4-mapped or
6to4/NAT64-embedded IPv6 forms are judged by the address they actually reach. `PublicOnlyTransport` does that
for every request a client sends, redirects included, and then connects to the very address it checked (the
URL's host is swapped for that address; the Host header and the TLS SNI/certificate check keep the name), so a
name that resolves to a public address for the check and to an internal one a moment later (DNS rebinding)
cannot slip through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from types import TracebackType

import httpx

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class NonPublicAddressError(Exception):
    """A request refused: its host is, or resolves to, an address that is not on the public internet."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        self.host, self.address, self.reason = host, address, reason
        super().__init__(f"{host} is {reason} ({address})")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16), NAT64."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def non_public_reason(address: str) -> str | None:
    """Why an IP address is not on the public internet ("a loopback address", …), or None when it is."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
    if ip in _CGNAT:
        return "a shared (carrier-grade NAT) address"
    for test, what in (
        ("is_loopback", "a loopback"),
        ("is_link_local", "a link-local"),
        ("is_multicast", "a multicast"),
        ("is_unspecified", "an unspecified"),
        ("is_private", "a private-network"),
        ("is_reserved", "a reserved"),
    ):
        if getattr(ip, test):
            return f"{what} address"
    return None if ip.is_global else "a non-public address"


def private_addresses_allowed(setting: bool | None, env: str) -> bool:
    """An explicit setting wins; unset, non-public addresses are allowed outside production only."""
    if setting is not None:
        return setting
    return env != "production"


async def public_addresses(host: str, port: int, within: float | None = None) -> list[str]:
    """Every address `host` resolves to when all are public; else NonPublicAddressError names one that is not.

    OSError (socket.gaierror) when the name does not resolve, TimeoutError when resolving takes over `within`
    seconds.
    """
    host = host.strip("[]")
    async with asyncio.timeout(within):
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in infos))
    for address in addresses:
        reason = non_public_reason(address)
        if reason:
            raise NonPublicAddressError(host, address, reason)
    if not addresses:
        raise OSError(f"{host} has no address")
    return addresses


async def check_url(url: str, within: float = 5.0) -> None:
    """Refuse a URL whose host is non-public (NonPublicAddressError). A host that does not resolve (yet)
    passes: every request checks again."""
    parsed = httpx.URL(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        await public_addresses(parsed.host, port, within)
    except (OSError, TimeoutError):
        return


class PublicOnlyTransport(httpx.AsyncBaseTransport):
    """An httpx transport that resolves each request's host, refuses non-public addresses and connects to
    the address it checked. One inner pool per host name, so a connection (and its TLS session) is never
    reused for another name that happens to share the address."""

    def __init__(
        self,
        resolve: Callable[[str, int, float | None], Awaitable[list[str]]] | None = None,
        **transport_options: object,
    ) -> None:
        """`resolve(host, port, seconds)` gives the checked addresses (`public_addresses` but in a test)."""
        self._resolve = resolve or public_addresses
        self._options = transport_options
        self._pools: dict[tuple[str, str], httpx.AsyncHTTPTransport] = {}

    def _pool(self, scheme: str, host: str) -> httpx.AsyncHTTPTransport:
        key = (scheme, host)
        if key not in self._pools:
            self._pools[key] = httpx.AsyncHTTPTransport(**self._options)  # type: ignore[arg-type]
        return self._pools[key]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https") or not url.host:
            raise httpx.UnsupportedProtocol(f"refusing {url.scheme or 'a relative'} URL", request=request)
        host = url.raw_host.decode("ascii")  # IDNA-encoded, IPv6 without brackets
        port = url.port or (443 if url.scheme == "https" else 80)
        connect_timeout = (request.extensions.get("timeout") or {}).get("connect")
        try:
            addresses = await self._resolve(host, port, connect_timeout)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"resolving {host} timed out", request=request) from None
        except OSError as exc:
            raise httpx.ConnectError(f"could not resolve {host}: {exc}", request=request) from None
        pool = self._pool(url.scheme, host)
        failure: httpx.ConnectError | None = None
        for address in addresses:
            pinned = httpx.Request(
                request.method,
                url.copy_with(host=address),
                headers=request.headers,  # keeps Host: <name>
                stream=request.stream,
                extensions={**request.extensions, "sni_hostname": host},
            )
            try:
                return await pool.handle_async_request(pinned)
            except httpx.ConnectError as exc:  # nothing sent yet: the next address may answer
                failure = exc
        raise failure or httpx.ConnectError(f"{host} has no address", request=request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()


def client(*, guard: bool, verify: bool = True, **options: object) -> httpx.AsyncClient:
    """An httpx.AsyncClient; with `guard`, every request and redirect goes through PublicOnlyTransport (and
    proxy variables of the environment are ignored: the guard connects directly)."""
    if guard:
        return httpx.AsyncClient(transport=PublicOnlyTransport(verify=verify), trust_env=False, **options)  # type: ignore[arg-type]
    return httpx.AsyncClient(verify=verify, **options)  # type: ignore[arg-type]
