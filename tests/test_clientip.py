"""The client's address, by one rule for the lockout and the rate limits: forwarded headers are believed only
as far as our own proxies (AXES_IPWARE_PROXY_COUNT) wrote them."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from gdportal.clientip import client_ip
from tests.factories import PASSWORD

WRONG_CPF = "390.533.447-05"


def request_from(remote, forwarded=None, real_ip=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    if real_ip is not None:
        meta["HTTP_X_REAL_IP"] = real_ip
    return RequestFactory().get("/", **meta)


def test_without_proxies_the_forwarded_headers_are_ignored(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.7", "198.51.100.1", "198.51.100.2")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 7.7.7.7, 198.51.100.1", "198.51.100.1"),  # the client prepended two lies
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.1"),  # did not pass through both proxies: the peer's address
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),  # an IPv6 client counts by its /64
    ],
)
def test_with_proxies_the_address_our_outermost_proxy_wrote_is_used(settings, proxies, forwarded, expected):
    settings.AXES_IPWARE_PROXY_COUNT = proxies
    assert client_ip(request_from("10.0.0.1", forwarded, real_ip="6.6.6.6")) == expected


def lookup(client, n):
    return client.post(
        reverse("public_lookup"),
        {"protocol": "2026000000001", "document": WRONG_CPF},
        HTTP_X_FORWARDED_FOR=f"198.51.{n // 250}.{n % 250 + 1}",
        HTTP_X_REAL_IP=f"203.0.{n // 250}.{n % 250 + 1}",
    )


@pytest.mark.django_db
def test_rotating_forwarded_headers_do_not_escape_the_public_lookup_limit(client, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.GD_PUBLIC_LOOKUP_LIMIT = 10
    statuses = [lookup(client, n).status_code for n in range(90)]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429] * 80


@pytest.mark.django_db
def test_behind_one_proxy_the_limit_follows_the_address_the_proxy_saw(client, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.GD_PUBLIC_LOOKUP_LIMIT = 3
    url = reverse("public_lookup")
    data = {"protocol": "2026000000001", "document": WRONG_CPF}
    for n in range(3):
        # Each request's left part is the client's own and changes; the proxy appended 198.51.100.1.
        client.post(url, data, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 198.51.100.1", REMOTE_ADDR="10.0.0.1")
    blocked = client.post(url, data, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.1", REMOTE_ADDR="10.0.0.1")
    assert blocked.status_code == 429
    # Another client behind the same proxy is not blocked by the first one.
    other = client.post(url, data, HTTP_X_FORWARDED_FOR="198.51.100.2", REMOTE_ADDR="10.0.0.1")
    assert other.status_code == 400


@pytest.mark.django_db
def test_the_login_lockout_takes_the_address_by_the_same_rule(client, settings, customer):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    url = reverse("accounts:login")
    for n in range(5):
        client.post(
            url,
            {"username": customer.email, "password": "errada"},
            HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 198.51.100.1",
            REMOTE_ADDR="10.0.0.1",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}
    locked = client.post(
        url,
        {"username": customer.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.1",
        REMOTE_ADDR="10.0.0.1",
    )
    assert locked.status_code == 429


@pytest.mark.django_db
def test_a_broken_cache_does_not_take_the_public_lookup_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    assert lookup(client, 1).status_code == 400
