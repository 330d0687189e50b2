"""Prometheus metrics for operators (issue 17; deploy/README.md says what each one means and when to alert).

django-prometheus counts requests, latencies and, on PostgreSQL, queries (its middlewares and database
backend, settings.py). The portal adds what only it knows, computed when Prometheus scrapes (a few indexed
COUNTs, nothing kept in memory between scrapes): the outbox backlog, overdue clocks, webhook deliveries not
yet delivered, the Celery queue's length; and a counter of uploads refused.

/metrics is never public: it answers 404 unless the request carries `Authorization: Bearer <GD_METRICS_TOKEN>`
or comes straight (not through nginx, which refuses the path itself) from an address in GD_METRICS_NETWORKS.
With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (deploy/serve.py does): each worker then writes its
counters to that folder and any worker's scrape sums them all.
"""

import hmac
import ipaddress
import logging
import os

import prometheus_client
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import Counter, multiprocess
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

UPLOADS_REFUSED = Counter(
    "gdportal_uploads_refused_total",
    "Uploads refused: by the headers before the body was read (declared_too_large, multipart_not_accepted) "
    "or by the content check (the ValidationError code: too_large, type, damaged, virus…).",
    ["reason"],
)


def upload_refused(reason):
    UPLOADS_REFUSED.labels(reason=reason or "other").inc()


class PortalCollector:
    """The backlog gauges, read from the database at scrape time (each an indexed COUNT)."""

    def collect(self):
        from gdportal.deadlines.models import Deadline
        from gdportal.notifications.models import OutboundEmail
        from gdportal.webhooks.models import WebhookDelivery

        now = timezone.now()
        queued = OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED)
        yield GaugeMetricFamily(
            "gdportal_outbox_queued_emails", "E-mails written to the outbox and not sent yet.", queued.count()
        )
        oldest = queued.order_by("created_at").values_list("created_at", flat=True).first()
        yield GaugeMetricFamily(
            "gdportal_outbox_oldest_queued_seconds",
            "Age of the oldest queued e-mail (0 when none waits).",
            (now - oldest).total_seconds() if oldest else 0,
        )
        yield GaugeMetricFamily(
            "gdportal_outbox_failed_emails",
            "E-mails that failed for good and wait for an operator's Resend.",
            OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).count(),
        )
        yield GaugeMetricFamily(
            "gdportal_deadlines_overdue",
            "Open clocks past their due time (the sweep closes or flags them every few minutes).",
            Deadline.objects.filter(state=Deadline.State.OPEN, due_at__lt=now).count(),
        )
        pending = GaugeMetricFamily(
            "gdportal_webhook_deliveries_pending",
            "Webhook deliveries not delivered yet, by status (failed ones are retried later).",
            labels=["status"],
        )
        for status in (
            WebhookDelivery.Status.QUEUED,
            WebhookDelivery.Status.SENDING,
            WebhookDelivery.Status.FAILED,
        ):
            pending.add_metric([status], WebhookDelivery.objects.filter(status=status).count())
        yield pending
        length = celery_queue_length()
        if length is not None:
            yield GaugeMetricFamily(
                "gdportal_celery_queue_length", "Messages waiting in Celery's default queue (Redis).", length
            )


def celery_queue_length():
    """LLEN of the default queue when the broker is Redis; None otherwise or when it does not answer."""
    from gdportal.celery import app

    if not str(app.conf.broker_url or "").startswith(("redis://", "rediss://")):
        return None
    try:
        with app.connection_for_read() as conn:
            return conn.default_channel.client.llen(app.conf.task_default_queue)
    except Exception as exc:  # noqa: BLE001 — a broker that does not answer is /healthz/deep's business
        logger.warning("metrics: Celery queue length unavailable: %s: %s", type(exc).__name__, exc)
        return None


_portal_registry = prometheus_client.CollectorRegistry(auto_describe=False)
_portal_registry.register(PortalCollector())


def _process_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


def _from_network(request):
    # Through nginx every request comes from nginx's own address: only a request that did not pass a proxy
    # (no X-Forwarded-For) is judged by its address.
    if "HTTP_X_FORWARDED_FOR" in request.META or not settings.GD_METRICS_NETWORKS:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.GD_METRICS_NETWORKS)


def _has_token(request):
    token = settings.GD_METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def allowed(request):
    return _has_token(request) or _from_network(request)


@never_cache
@require_GET
def metrics_view(request):
    if not allowed(request):
        raise Http404  # the same answer as any unknown address: nothing here to find
    body = prometheus_client.generate_latest(_process_registry()) + prometheus_client.generate_latest(
        _portal_registry
    )
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)


class MeteredRedisCache(RedisCache):
    """Django's Redis cache counting its gets under django-prometheus' names (its own wrapper needs
    django-redis, which the portal does not use)."""

    def get(self, key, default=None, version=None):
        from django_prometheus.cache.metrics import (
            django_cache_get_fail_total,
            django_cache_get_total,
            django_cache_hits_total,
            django_cache_misses_total,
        )

        django_cache_get_total.labels(backend="redis").inc()
        try:
            result = super().get(key, default=None, version=version)
        except Exception:
            django_cache_get_fail_total.labels(backend="redis").inc()
            raise
        if result is None:
            django_cache_misses_total.labels(backend="redis").inc()
            return default
        django_cache_hits_total.labels(backend="redis").inc()
        return result
