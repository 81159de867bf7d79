"""Who a request comes from (domain.clients): the key the throttle and the
cost budget count a caller without a valid token under."""

from __future__ import annotations

import pytest

from domain.clients import UNKNOWN_CLIENT, client_of


@pytest.mark.parametrize(
    ("host", "client"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::9", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("[2001:db8::1]", "2001:db8::/64"),
        ("testclient", "testclient"),
        (None, UNKNOWN_CLIENT),
        ("", UNKNOWN_CLIENT),
    ],
)
def test_a_client_is_its_address_and_an_ipv6_client_its_network(
    host: str | None, client: str
) -> None:
    assert client_of(host) == client
