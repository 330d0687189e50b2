"""The client's address: one rule for the login lockout (axes' AXES_CLIENT_IP_CALLABLE) and every rate limit.

Forwarded headers are written by whoever sends the request, so they are believed only as far as our own
proxies wrote them. AXES_IPWARE_PROXY_COUNT says how many reverse proxies stand in front of the application:
- 0: nothing is in front; REMOTE_ADDR is the client and X-Forwarded-For / X-Real-IP are ignored.
- N: each proxy appends the address it received the request from to X-Forwarded-For, so the Nth entry from
  the right was written by our outermost proxy; anything left of it came from the client and is ignored.
  A chain shorter than N did not pass through every proxy; then REMOTE_ADDR is used.

An IPv6 client is counted by its /64 network: one subscriber usually holds a whole /64 and could otherwise
take a fresh address for every attempt.
"""

import ipaddress

from django.conf import settings

# A placeholder bucket for requests without a usable address, never an address to bind (bandit B104).
UNKNOWN = "0.0.0.0"  # noqa: S104  # nosec B104


def _address(value):
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def client_ip(request):
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        chain = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= proxies:
            address = _address(chain[-proxies])
            if address is not None:
                return address
    return _address(request.META.get("REMOTE_ADDR")) or UNKNOWN
