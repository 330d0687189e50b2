"""Links the stage-3 admin pages print."""

from django.urls import reverse


def document_url(document_id):
    """The download view checks the user may open the file (SPEC §10); ?inline=1 opens it in the browser."""
    return reverse("atende:document", args=[document_id]) + "?inline=1"
