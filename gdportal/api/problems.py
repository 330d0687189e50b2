"""Every error as `application/problem+json` (RFC 9457), with the pt-BR message of the rule that refused.

The services raise what the pages show (ServiceError, RuleBroken, Django's ValidationError and
PermissionDenied); here they become answers with a status, a title and, per field, the same message.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gdportal.cases.services import RuleBroken, ServiceError

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: lambda: _("Invalid data"),
    401: lambda: _("Not authenticated"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
    405: lambda: _("Method not allowed"),
    406: lambda: _("Not acceptable"),
    409: lambda: _("Not possible now"),
    413: lambda: _("Too large"),
    415: lambda: _("Unsupported media type"),
    422: lambda: _("Unprocessable request"),
    500: lambda: _("Server error"),
    429: lambda: _("Too many requests"),
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


def plain_problem(status_code, detail):
    """A problem+json answer outside DRF (URL resolution, Django's error handlers, the upload guard)."""
    from django.http import JsonResponse

    title = TITLES.get(status_code, lambda: _("Error"))()
    body = {"type": f"https://gdportal.dev/problems/{status_code}", "title": title, "status": status_code}
    return JsonResponse({**body, "detail": str(detail)}, status=status_code, content_type=PROBLEM_TYPE)


@csrf_exempt  # a token's POST to a wrong address is a 404, not a CSRF refusal
def api_not_found(request, *args, **kwargs):
    """An address under /api/v1/ that no endpoint matches: the API's 404, not the site's HTML page (also with
    DEBUG on, where Django's handler404 is not used)."""
    return plain_problem(404, _("No endpoint or object at this address."))


def problem(status_code, detail, errors=(), headers=None, code=""):
    title = TITLES.get(status_code, lambda: _("Error"))()
    body = {
        "type": f"https://gdportal.dev/problems/{code or status_code}",
        "title": title,
        "status": status_code,
        "detail": str(detail) if detail else title,
    }
    if errors:
        body["errors"] = [{"field": field, "message": str(message)} for field, message in errors]
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_TYPE)


def _flatten(detail, prefix=""):
    """DRF's nested error detail → [(field, message)], fields dotted ("documents.0.kind")."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            # DRF keys a list's rows by their int index (0 included, which is falsy): named as text.
            name = "" if key == "non_field_errors" else str(key)
            yield from _flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            for item in detail:
                yield prefix, item
        else:
            for index, item in enumerate(detail):
                yield from _flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, detail


def _django_validation(exc):
    if hasattr(exc, "error_dict"):
        return [(field, message) for field, errors in exc.message_dict.items() for message in errors]
    return [("", message) for message in exc.messages]


def problem_exception_handler(exc, context):
    if isinstance(exc, RuleBroken):
        return problem(400, str(exc), exc.errors.items(), code="rule")
    if isinstance(exc, ServiceError):
        return problem(409, str(exc), code="state")
    if isinstance(exc, DjangoValidationError):
        errors = _django_validation(exc)
        return problem(400, " ".join(str(m) for _f, m in errors), errors, code="invalid")
    if isinstance(exc, Http404 | DjangoPermissionDenied) and not isinstance(exc, exceptions.APIException):
        # A refusal on someone else's object is a 404 like the object not existing: nothing leaks.
        exc = exceptions.NotFound() if isinstance(exc, Http404) else exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    errors = []
    if isinstance(exc, exceptions.ValidationError):
        errors = [(field or "", message) for field, message in _flatten(exc.detail)]
        detail = " ".join(f"{field}: {message}" if field else str(message) for field, message in errors) or _(
            "Invalid data."
        )
    else:
        detail = exc.detail if isinstance(exc.detail, str) else response.data.get("detail", "")
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
    code = getattr(exc, "default_code", "")
    return problem(response.status_code, detail, errors, headers=headers, code=code)


def _api_path(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """Django's 404 for a URL no view matched: problem+json under /api/, the portal's page elsewhere."""
    if _api_path(request):
        return api_not_found(request)
    from django.views.defaults import page_not_found as portal_page

    return portal_page(request, exception)


def server_error(request):
    if _api_path(request):
        return plain_problem(
            500, _("Something failed on our side; nothing was changed. Try again in a few minutes.")
        )
    from django.views.defaults import server_error as portal_page

    return portal_page(request)
