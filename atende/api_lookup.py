"""GET /api/v1/installations/: Atende's installation lookup (views_request.lookup) for integrators.

The same form, scope, masking, audit and hourly limit as the page: a customer finds their own installations;
an RT finds a customer's by an exact identifier and sees their personal data masked until a case of theirs is
the RT's (selectors.sees_personal_data).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from gdportal.api.base import ApiView
from gdportal.brdocs import mask_name
from gdportal.registry.audit import lookup_record, registry_lookup_allowed
from gdportal.registry.models import LookupAudit

from . import api_serializers as s
from .forms import InstallationLookupForm
from .selectors import customers_for_filer, installations_for_filer, open_requests_for, sees_personal_data

# The lookup's limit is LookupAudit rows of the last hour (registry.audit): waiting an hour always lifts it.
LOOKUP_RETRY_AFTER = 60 * 60


def throttled():
    return exceptions.Throttled(
        wait=LOOKUP_RETRY_AFTER,
        detail=_(
            "You looked up many customers in the last hour. For the customers' protection, wait a while "
            "before the next lookup."
        ),
    )


class InstallationLookupView(ApiView):
    @extend_schema(
        summary=gettext_lazy("Find installations"),
        description=gettext_lazy(
            "The Atende lookup: a customer sees their own installations (no `q` needed); an RT searches "
            "by the holder's CPF/CNPJ, client number or installation number, sees personal data masked "
            "until a case of that customer is theirs, and every search is audited and limited per hour "
            "(429)."
        ),
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": 20},
                description=gettext_lazy("CPF/CNPJ, client number or installation number (10 digits)."),
            )
        ],
        responses={200: s.LookupResultSerializer},
        operation_id="installations_lookup",
        tags=["atende"],
    )
    def get(self, request):
        user, params = request.user, request.query_params
        if len(params.get("q", "")) > 20:  # the schema's maxLength, counted as sent (the form strips first)
            raise serializers.ValidationError({"q": [_("Use at most 20 characters.")]})
        form = InstallationLookupForm(params if "q" in params or user.is_rt else None)
        if not form.is_bound:
            # A customer needs no search: their own installations, as the page lists them straight away.
            customers = [user.customer]
            installations = list(installations_for_filer(user, "number", user.customer.number))
        else:
            if not form.is_valid():
                raise serializers.ValidationError({"q": form.errors.get("q", [])})
            if user.is_rt and not registry_lookup_allowed(request._request):
                raise throttled()
            kind, value = form.cleaned_data["q"]
            installations = list(installations_for_filer(user, kind, value))
            customers = list(customers_for_filer(user, kind, value))
            if user.is_rt:
                lookup_record(
                    request._request,
                    kind=LookupAudit.Kind.SEARCH,
                    query=value,
                    customer=customers[0] if customers else None,
                    succeeded=bool(installations or customers),
                )
        under_way = open_requests_for(user, installations)
        full = {}

        def person(customer):
            if customer.pk not in full:
                full[customer.pk] = sees_personal_data(user, customer)
            shown = full[customer.pk]
            return {
                "number": customer.number,
                "name": customer.name if shown else mask_name(customer.name),
                "document": customer.document_display if shown else customer.document_masked,
                "person_type": customer.person_type,
                "masked": not shown,
            }

        rows = []
        for inst in installations:
            holder = person(inst.customer)
            open_case, visible = under_way.get(inst.pk, (None, False))
            rows.append(
                {
                    "number": inst.number,
                    "status": inst.status,
                    "voltage": inst.voltage,
                    "installation_class": inst.installation_class,
                    "municipality": inst.municipality,
                    "state": inst.state,
                    "address": None if holder["masked"] else inst.address,
                    "customer": holder,
                    "open_request": None
                    if open_case is None
                    else {
                        "protocol": open_case.protocol if visible else None,
                        "case_id": open_case.pk if visible else None,
                    },
                }
            )
        body = {"installations": rows, "customers": [person(customer) for customer in customers]}
        return Response(s.LookupResultSerializer(body).data)
