"""The client's address: one rule for every limit (placeholder until the shared rule lands)."""

from ipware import get_client_ip


def client_ip(request):
    ip, _routable = get_client_ip(request)
    return ip
