"""One id per request, from nginx's X-Request-ID to the log lines, the Celery tasks and the e-mails it caused.

nginx sets `X-Request-ID` (deploy/nginx.conf.template) and logs it; this middleware takes it when it looks
like an id (a client cannot smuggle log lines or megabytes through it), makes one otherwise (gunicorn alone,
tests), keeps it in a context variable for the request's thread and answers it in the response header. The
logging filter puts it on every record; `gdportal.access` writes one line per request (no query string, no
personal data: the user's id only). Tasks published during the request carry it in their message headers and
set it again in the worker, so a worker's log lines and the e-mails it queues name the request that caused
them; a task published with no request behind it (beat) runs under its own task id.
"""

import contextvars
import logging
import re
import time
import uuid

import sentry_sdk
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver
from django.utils.functional import empty

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
# The key in a Celery message's headers (it becomes an attribute of task.request in the worker).
TASK_HEADER = "gdportal_request_id"
SANE = re.compile(r"[A-Za-z0-9-]{8,64}")

_current = contextvars.ContextVar("gdportal_request_id", default="")
access_logger = logging.getLogger("gdportal.access")


def get():
    """The current request's (or task's) id; "" outside of both."""
    return _current.get()


def sane(value):
    """`value` when it may serve as an id, else "" (nginx's are 32 hex digits; Celery's task ids fit too)."""
    return value if isinstance(value, str) and SANE.fullmatch(value) else ""


def new():
    return uuid.uuid4().hex


def task_headers():
    """Headers to publish a task with, so that it runs under the current id ({} outside a request)."""
    current = get()
    return {TASK_HEADER: current} if current else {}


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record ("-" outside a request), for the formatters to print."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = get() or "-"
        return True


def _user_id(request):
    # Only a user something already loaded: asking here would cost a session query on pages that never did.
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestIdMiddleware:
    """First in MIDDLEWARE: the id and the access line cover every answer, refusals and redirects included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = sane(request.META.get(META_KEY)) or new()
        request.request_id = request_id
        # Not reset on the way out: Django logs a 4xx's "django.request" line after the middlewares; the id is
        # cleared when the response is closed (request_finished, below).
        _current.set(request_id)
        if sentry_sdk.get_client().is_active():  # settings.py: only with SENTRY_DSN
            sentry_sdk.set_tag("request_id", request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[HEADER] = request_id
        access_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                # request.path never holds the query string, where search terms and tokens travel.
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "request_id": request_id,
                "user_id": _user_id(request),
            },
        )
        return response


@receiver(request_finished, dispatch_uid="gdportal.requestid.finished")
def _clear_id(**kwargs):
    _current.set("")


# --- Celery: the id travels in the message headers --------------------------------------------------------


@before_task_publish.connect(weak=False, dispatch_uid="gdportal.requestid.publish")
def _put_id_in_headers(headers=None, **kwargs):
    # Every publish from a request, whoever calls apply_async; an id given explicitly (publish_now) stays.
    if headers is not None and get() and not headers.get(TASK_HEADER):
        headers[TASK_HEADER] = get()


def _id_of(task):
    request = task.request
    # A worker's message headers become attributes of task.request; an eager run keeps them in .headers.
    return sane(getattr(request, TASK_HEADER, None)) or sane((request.headers or {}).get(TASK_HEADER))


_task_tokens = {}


@task_prerun.connect(weak=False, dispatch_uid="gdportal.requestid.prerun")
def _restore_id(task_id=None, task=None, **kwargs):
    request_id = _id_of(task) or sane(task_id) or new()
    _task_tokens[task_id] = _current.set(request_id)


@task_postrun.connect(weak=False, dispatch_uid="gdportal.requestid.postrun")
def _forget_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            _current.reset(token)
        except ValueError:  # set in another context (a thread pool): leave that context alone
            _current.set("")
