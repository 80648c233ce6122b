"""Which addresses the import-source SSRF guard refuses, and when it applies."""

import pytest

from service.postings.fetch import non_public_reason, private_addresses_allowed
from service.settings import PostingsSettings


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private-network address"),
        ("192.168.0.10", "a private-network address"),
        ("172.16.5.4", "a private-network address"),
        ("169.254.169.254", "a link-local address"),  # cloud metadata endpoint
        ("fe80::1%eth0", "a link-local address"),
        ("::ffff:127.0.0.1", "a loopback address"),  # IPv4-mapped IPv6
        ("0.0.0.0", "an unspecified address"),
        ("224.0.0.1", "a multicast address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_non_public_addresses_are_named(address, reason):
    assert non_public_reason(address) == reason


def test_unset_means_allowed_outside_production_only():
    unset = PostingsSettings()
    assert private_addresses_allowed(unset, "development") and private_addresses_allowed(unset, "test")
    assert not private_addresses_allowed(unset, "production")
    assert private_addresses_allowed(PostingsSettings(allow_private_addresses=True), "production")
    assert not private_addresses_allowed(PostingsSettings(allow_private_addresses=False), "test")
