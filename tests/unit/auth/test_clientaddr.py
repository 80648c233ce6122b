"""Client addresses behind reverse proxies: only a trusted peer's X-Forwarded-For is read, and the client is
its right-most hop that is not a trusted proxy (the hops to its left are whatever the client wrote)."""

from __future__ import annotations

import pytest

from service.clientaddr import (
    ClientAddressMiddleware,
    client_address,
    is_trusted,
    parse_networks,
    uvicorn_proxy_options,
)

PROXIES = parse_networks(["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"])


def test_no_trusted_proxy_means_the_peer_whatever_the_header_says():
    assert client_address("127.0.0.1", ["203.0.113.9"], ()) == "127.0.0.1"
    assert client_address("198.51.100.7", ["203.0.113.9"], PROXIES) == "198.51.100.7"  # peer not a proxy


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("203.0.113.9, 10.0.0.1", "203.0.113.9"),  # one proxy tier appended its peer
        ("1.2.3.4, 203.0.113.9", "203.0.113.9"),  # a forged first entry; the proxy appended the truth
        ("1.2.3.4, 203.0.113.9, 10.1.2.3, 10.0.0.1", "203.0.113.9"),
        ("10.0.0.2, 10.0.0.1", "10.0.0.2"),  # every hop trusted: the left-most
        ("not-an-ip, 10.0.0.1", "not-an-ip"),  # a malformed hop ends the walk, nothing left of it counts
        ("203.0.113.9:4711", "203.0.113.9"),
        ("[2001:db9::1]:443, 2001:db8::5", "2001:db9::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("", "127.0.0.1"),
    ],
)
def test_right_most_untrusted_hop(header, expected):
    assert client_address("127.0.0.1", [header], PROXIES) == expected


def test_several_header_lines_are_one_list():
    assert client_address("10.0.0.1", ["1.2.3.4", "203.0.113.9, 10.0.0.3"], PROXIES) == "203.0.113.9"


def test_trust_checks():
    assert is_trusted("10.200.0.1", PROXIES)
    assert is_trusted("::ffff:127.0.0.1", PROXIES)
    assert not is_trusted("127.0.0.2", PROXIES)
    assert not is_trusted(None, PROXIES)
    assert not is_trusted("127.0.0.1", ())


def test_uvicorn_is_given_the_same_trust():
    # uvicorn's default trusts X-Forwarded-For from loopback; with no proxy configured it must read none
    assert uvicorn_proxy_options([]) == {"proxy_headers": False}
    assert uvicorn_proxy_options(["10.0.0.0/8", "127.0.0.1"]) == {
        "proxy_headers": True,
        "forwarded_allow_ips": "10.0.0.0/8,127.0.0.1",
    }


async def test_middleware_rewrites_the_scope_client():
    seen = []

    async def app(scope, receive, send):  # noqa: ANN001, ANN202
        seen.append(scope["client"])

    middleware = ClientAddressMiddleware(app, ["127.0.0.1"])
    headers = [(b"x-forwarded-for", b"1.2.3.4, 203.0.113.9")]
    await middleware({"type": "http", "client": ("127.0.0.1", 5000), "headers": headers}, None, None)
    await middleware({"type": "http", "client": ("198.51.100.1", 5000), "headers": headers}, None, None)
    untrusting = ClientAddressMiddleware(app, [])
    await untrusting({"type": "http", "client": ("127.0.0.1", 1), "headers": headers}, None, None)
    assert seen == [("203.0.113.9", 0), ("198.51.100.1", 5000), ("127.0.0.1", 1)]
