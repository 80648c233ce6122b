"""The outbound address guard (service/netguard.py): which addresses it refuses; hosts are resolved first.

Nothing here sends a packet: the address rules are pure, numeric spellings and "localhost" resolve locally,
and the transport refuses before it connects (a loopback listener proves it was never reached).
"""

from __future__ import annotations

import socket

import httpx
import pytest

from service.netguard import (
    NonPublicAddressError,
    PublicOnlyTransport,
    check_url,
    client,
    non_public_reason,
    private_addresses_allowed,
    public_addresses,
)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.255.0.9", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private-network address"),
        ("172.16.5.4", "a private-network address"),
        ("192.168.0.10", "a private-network address"),
        ("fc00::1", "a private-network address"),  # unique local
        ("169.254.169.254", "a link-local address"),  # cloud metadata endpoint
        ("fe80::1%eth0", "a link-local address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        ("100.127.255.254", "a shared (carrier-grade NAT) address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("::ffff:127.0.0.1", "a loopback address"),  # IPv4-mapped IPv6
        ("::ffff:10.0.0.1", "a private-network address"),
        ("::ffff:169.254.169.254", "a link-local address"),
        ("2002:7f00:1::", "a loopback address"),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", "a private-network address"),  # NAT64 of 10.0.0.1
        ("198.18.0.1", "a private-network address"),  # benchmarking
        ("192.0.2.7", "a private-network address"),  # documentation
        ("255.255.255.255", "a private-network address"),
        ("240.0.0.1", "a private-network address"),
        ("93.184.216.34", None),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("64:ff9b::808:808", None),  # NAT64 of a public address
    ],
)
def test_address_rules(address, reason):
    assert non_public_reason(address) == reason


def test_the_guard_is_on_in_production_unless_turned_off_and_off_elsewhere_unless_turned_on():
    assert not private_addresses_allowed(None, "production")
    assert private_addresses_allowed(None, "development") and private_addresses_allowed(None, "test")
    assert private_addresses_allowed(True, "production")
    assert not private_addresses_allowed(False, "development")


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "0x7f000001",
        "127.1",
        "localhost",
        "::1",
        "[::1]",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "0",
    ],
)
async def test_other_spellings_of_loopback_are_resolved_then_refused(host):
    with pytest.raises(NonPublicAddressError) as refused:
        await public_addresses(host, 80, within=5)
    assert refused.value.reason in ("a loopback address", "an unspecified address"), refused.value


async def test_a_public_literal_passes_and_is_returned_as_the_address_to_connect_to():
    assert await public_addresses("93.184.216.34", 443, within=5) == ["93.184.216.34"]
    assert await public_addresses("[2606:4700:4700::1111]", 443, within=5) == ["2606:4700:4700::1111"]


async def test_check_url_refuses_non_public_hosts_and_lets_unresolvable_ones_wait_for_delivery():
    for url in [
        "http://127.0.0.1:9901/x",
        "http://localhost/",
        "http://2130706433/",
        "https://[::1]:8443/",
        "http://169.254.169.254/latest/meta-data",
    ]:
        with pytest.raises(NonPublicAddressError):
            await check_url(url)
    await check_url("https://93.184.216.34/hook")
    await check_url("https://no-such-host.invalid/hook")  # .invalid never resolves (RFC 6761)


@pytest.fixture
def listener():
    """A loopback socket that would see a connection if the guard let one through."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def _accepted(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433", "[::ffff:127.0.0.1]"])
async def test_a_guarded_client_refuses_before_connecting(listener, host):
    port = listener.getsockname()[1]
    async with client(guard=True, timeout=5) as http:
        with pytest.raises(NonPublicAddressError):
            await http.post(f"http://{host}:{port}/hook", content=b"{}")
    assert not _accepted(listener)


async def test_an_unguarded_client_reaches_loopback(listener):
    port = listener.getsockname()[1]
    async with client(guard=False, timeout=0.5) as http:
        with pytest.raises(httpx.TimeoutException):  # connected, nobody answers
            await http.get(f"http://127.0.0.1:{port}/")
    assert _accepted(listener)


def _certificate(tmp_path, name: str) -> tuple[str, str]:
    """A self-signed certificate for `name` (its own trust anchor) and its key, as PEM files."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_file), str(key_file)


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on 127.0.0.1 with a certificate for "localhost"; records Host headers and SNI names."""
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    cert, key = _certificate(tmp_path, "localhost")
    seen: dict[str, list] = {"host": [], "sni": []}
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: seen["sni"].append(name)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            seen["host"].append(self.headers.get("Host"))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], cert, seen, tmp_path
    server.shutdown()
    server.server_close()


async def test_a_pinned_https_request_keeps_the_name_for_host_sni_and_the_certificate_check(tls_server):
    """The transport connects to the address it checked but speaks to the name: the Host header, SNI and
    certificate verification all use "localhost" (the check is handed the answer a public resolver would
    give)."""
    import ssl

    port, cert, seen, tmp_path = tls_server
    asked: list[str] = []

    async def resolve(host: str, port: int, within: float | None) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    trusted = ssl.create_default_context(cafile=cert)
    async with httpx.AsyncClient(transport=PublicOnlyTransport(resolve=resolve, verify=trusted)) as http:
        response = await http.get(f"https://localhost:{port}/x")
    assert response.status_code == 200 and response.text == "ok"
    assert asked == ["localhost"] and seen["host"] == [f"localhost:{port}"] and seen["sni"] == ["localhost"]

    other_cert, _ = _certificate(tmp_path, "other.example")
    wrong = ssl.create_default_context(cafile=other_cert)
    async with httpx.AsyncClient(transport=PublicOnlyTransport(resolve=resolve, verify=wrong)) as http:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await http.get(f"https://localhost:{port}/x")
