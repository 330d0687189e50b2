"""Files through the API: the renderer a PDF endpoint negotiates, and a stored document served the way the
pages serve it (atende's document_download): only from DocumentVersion.objects.for_user, private, unsniffed.
"""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer

from gdportal.cases.models import DocumentVersion


class PdfRenderer(BaseRenderer):
    """Lets a client say `Accept: application/pdf`. The file itself is a Django response no renderer touches;
    what reaches here is an error's problem body, written as JSON under its own content type."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data, renderer_context=renderer_context)


class AcceptHeaderNegotiation(DefaultContentNegotiation):
    """Only the Accept header decides: a file has one format, and no `?format=` (a typo there is a 404)."""

    class settings:
        URL_FORMAT_OVERRIDE = None


class FileViewMixin:
    """For an endpoint that answers a PDF: errors stay problem+json (JSON first), `Accept: application/pdf`
    is honoured. Its schema: `responses=PDF_RESPONSE, parameters=[..., NO_FORMAT]`."""

    renderer_classes = [JSONRenderer, PdfRenderer]
    content_negotiation_class = AcceptHeaderNegotiation


PDF_RESPONSE = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("The PDF."))}
# drf-spectacular documents `?format=` for a view with two renderers; these views take none.
NO_FORMAT = OpenApiParameter("format", exclude=True)


def private(response, *, filename=None):
    """Never cached by a shared cache, never sniffed into something else; an attachment when named."""
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def document_response(user, pk):
    """The stored file of one DocumentVersion, if `user` may open it (anyone else's is a 404)."""
    version = get_object_or_404(DocumentVersion.objects.for_user(user), pk=pk)
    try:
        handle = default_storage.open(version.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type=version.content_type, as_attachment=True, filename=version.original_name
    )
    return private(response)
