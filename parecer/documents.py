"""The documents of stage 3: the parecer's PDF the portal renders, and a copy a customer may attach to the
inspection request (the seed's form asks for the file; the portal already holds it, so it is optional)."""

from django.utils.translation import gettext_lazy as _

from gdportal.cases.documents import register_kinds
from gdportal.uploads import PDF

PARECER_PDF = "parecer"
PARECER_COPY = "parecer_copy"
# The seed's limit for the file attached to the Vistoria form.
PARECER_COPY_MAX_BYTES = 3 * 1024 * 1024

# The inspector opens both (SPEC §1: the technical files and the parecer).
register_kinds(
    [
        (PARECER_PDF, _("Access opinion (parecer de acesso)")),
        (PARECER_COPY, _("Access opinion attached to the inspection request")),
    ],
    (PDF,),
    for_inspection=True,
)
