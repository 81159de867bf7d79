"""Who a request comes from, as far as the network tells: the key under
which the throttle counts attempts and the cost budget pours for callers
without a valid token. One subscriber usually holds a whole IPv6 /64, so
an IPv6 client is its network: counting single addresses would give them
billions of fresh counters and budgets."""

from __future__ import annotations

import ipaddress

UNKNOWN_CLIENT = "unknown"
"""A request whose transport gives no address (a Unix socket): such callers
are one client."""


def client_of(host: str | None) -> str:
    """An IPv4 address as it is (also when mapped into IPv6), an IPv6
    address as its /64, anything else (a test client's name) as given."""
    if not host:
        return UNKNOWN_CLIENT
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
