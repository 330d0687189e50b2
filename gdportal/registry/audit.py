"""Registry lookups by RTs are audited and throttled (an RT is not the customer: SPEC §10).

An approved RT may search any customer to file on their behalf, so the search itself cannot be refused; what
stops a harvest is that personal data stay masked for customers the RT does not serve, that every lookup is
written down, and that the rows themselves cap how many lookups an RT (or an address) makes per hour.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from gdportal.clientip import client_ip

from .models import LookupAudit

log = logging.getLogger("gdportal.security")


def lookup_record(request, *, kind, query="", customer=None, succeeded=True):
    row = LookupAudit.objects.create(
        user=request.user,
        ip=client_ip(request),
        kind=kind,
        query=str(query)[:40],
        customer=customer,
        succeeded=succeeded,
    )
    if not succeeded:
        log.warning("lookup failed: user=%s ip=%s kind=%s query=%s", request.user.pk, row.ip, kind, row.query)
    return row


def lookup_allowed(request, *, kinds, limit, per_address_limit, failures_only=False):
    """False once the user, or anyone at the same address, made `limit` such lookups in the last hour."""
    since = timezone.now() - timedelta(hours=1)
    rows = LookupAudit.objects.filter(kind__in=kinds, created_at__gte=since)
    if failures_only:
        rows = rows.filter(succeeded=False)
    if rows.filter(user=request.user).count() >= limit:
        log.warning("lookup throttled: user=%s kinds=%s", request.user.pk, kinds)
        return False
    ip = client_ip(request)
    if ip and rows.filter(ip=ip).count() >= per_address_limit:
        log.warning("lookup throttled: ip=%s kinds=%s", ip, kinds)
        return False
    return True


def registry_lookup_allowed(request):
    return lookup_allowed(
        request,
        kinds=[LookupAudit.Kind.SEARCH, LookupAudit.Kind.FORM],
        limit=settings.GD_RT_LOOKUPS_PER_HOUR,
        per_address_limit=settings.GD_RT_LOOKUPS_PER_HOUR * 3,
    )


def order_search_allowed(request):
    return lookup_allowed(
        request,
        kinds=[LookupAudit.Kind.ORDER_SEARCH],
        limit=settings.GD_ORDER_SEARCH_FAILURES_PER_HOUR,
        per_address_limit=settings.GD_ORDER_SEARCH_FAILURES_PER_HOUR * 3,
        failures_only=True,
    )
