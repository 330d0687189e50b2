"""Request bodies are judged by their headers before anything reads them (SPEC §10; security test, item 14).

Django parses a multipart body the first time anything touches request.POST — for most pages that is
CsrfViewMiddleware, before the CSRF check and before any view runs — and spools every file part larger than
FILE_UPLOAD_MAX_MEMORY_SIZE to the temporary directory, for any URL, signed in or not. This middleware sits
before CsrfViewMiddleware and looks only at the headers and the URL:

- a multipart body to a view not marked `@accepts_uploads` is refused with 415;
- a Content-Length over the URL's limit (`body_limit`) is refused with 413.

Either way the body is never read: the answer goes out while the client may still be sending, and gunicorn
(gthread) then drains at most 64 KB before it closes the connection. Under /api/ the refusal is problem+json,
elsewhere the portal's pt-BR page. Upload views still cut each file off at GD_UPLOAD_MAX_BYTES while it
streams (gdportal.uploads.LimitedUploadHandler), so a slightly-too-large file gets its message in the form.
A chunked body (no Content-Length) is never read by Django at all.

nginx in front (deploy/render_nginx.py) refuses above `largest_body_limit()` itself, before the body is sent.
"""

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils.translation import gettext as _

from gdportal.metrics import upload_refused

# Everything a page without files may send: its form fields (the longest is a few KB of text). Upload views
# get this much on top of their files, for their own fields and the multipart headers.
FORM_MAX_BYTES = 1024 * 1024
BODYLESS_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def accepts_uploads(view=None, *, files=1):
    """Mark a view that takes up to `files` uploaded files: multipart bodies reach it, up to its limit.

    Put it outermost (above csrf_exempt, login_required…): the URL resolver hands the middleware the outermost
    function, and not every wrapper copies attributes.
    """

    def mark(func):
        func.upload_files = files
        return func

    return mark(view) if view is not None else mark


def upload_files(view):
    """How many files `view` takes (0 for a view without the mark, or no view at all)."""
    if view is None:
        return 0
    return getattr(view, "upload_files", 0) or getattr(getattr(view, "view_class", None), "upload_files", 0)


def body_limit(view):
    """The largest request body, in bytes, a request to `view` may send. The one place the limit is decided:
    a per-URL limit belongs here."""
    files = upload_files(view)
    return files * settings.GD_UPLOAD_MAX_BYTES + FORM_MAX_BYTES if files else FORM_MAX_BYTES


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def largest_body_limit():
    """The largest body any URL accepts: the proxy's client_max_body_size (deploy/render_nginx.py)."""
    return max([FORM_MAX_BYTES, *(body_limit(view) for view in _views(get_resolver().url_patterns))])


def _view_for(request):
    try:
        return resolve(request.path_info, getattr(request, "urlconf", None)).func
    except Resolver404:
        return None


def _declared_length(request):
    # Django reads no more than CONTENT_LENGTH (and nothing when it is missing or invalid): so do we.
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _refuse(request, status, title, message):
    if request.path_info.startswith("/api/"):
        # Integrators' programs read problem+json (RFC 9457), like every other API error (api/problems.py).
        from gdportal.api.problems import plain_problem

        return plain_problem(status, message)
    response = render(request, "request_refused.html", {"title": title, "message": message}, status=status)
    # The CSP and frame middlewares come after this one and never see this answer: give it their headers.
    response[CSP_HEADER] = build_policy()
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return response


class UploadGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.refusal(request) or self.get_response(request)

    def refusal(self, request):
        if request.method in BODYLESS_METHODS:
            return None
        length = _declared_length(request)
        multipart = request.content_type.startswith("multipart/")
        if not length and not multipart:
            return None
        view = _view_for(request)
        if multipart and not upload_files(view):
            upload_refused("multipart_not_accepted")
            return _refuse(
                request,
                415,
                _("This page does not take files"),
                _("Go back and send the form without attachments."),
            )
        if length > body_limit(view):
            if upload_files(view):
                message = _("Each file may have up to %(max)s MB. Go back and choose smaller files.") % {
                    "max": settings.GD_UPLOAD_MAX_BYTES // 2**20
                }
            else:
                message = _("The data sent is larger than this page accepts. Go back and try again.")
            upload_refused("declared_too_large")
            return _refuse(request, 413, _("Too much data sent"), message)
        return None
