"""Stage 4 under /api/v1/ (SPEC §14): the titular's generating units with their receiving units, and a unit's
statement (JSON with the columns of `compensation_statement`, or the PDF of the page).

Who sees what is decided as on the pages: the receiving units are the titular's alone (an RT is refused, as
on /atende/gd/compensacao/); a statement is open to whom /compensacao/extrato/<installation>/ opens it
(views_statement.statement_installations) — anyone else's installation is a 404.
"""

import re

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from gdportal.api.base import ApiView, ApiViewSet
from gdportal.api.files import NO_FORMAT, PDF_RESPONSE, FileViewMixin
from gdportal.api.pagination import KeysetPagination
from gdportal.api.permissions import IsFiler
from gdportal.cases.services import ServiceError

from .allocation_rules import month_start, unit_refusals
from .api_serializers import (
    CYCLE_PATTERN,
    INSTALLATION_PATTERN,
    AllocationSetSerializer,
    ReceivingUnitsSerializer,
    RegistrationRequestSerializer,
    StatementSerializer,
)
from .extrato import build_statement, open_lots
from .models import Allocation, AllocationSet
from .services import AllocationRuleBroken, allocation_request
from .statement import statement_rows, two_places
from .views_allocation import generators_of
from .views_statement import PeriodForm, statement_installations, statement_pdf_response


class IsTitular(permissions.BasePermission):
    """As the Sistema de compensação page (views_allocation.titular_required): customer accounts only."""

    message = gettext_lazy("Only the holder of a generating unit sees and registers its receiving units.")

    def has_permission(self, request, view):
        user = request.user
        return bool(not user.is_staff and user.is_customer and user.customer_id)


class GeneratorPagination(KeysetPagination):
    ordering = "id"


INSTALLATION = OpenApiParameter(
    "installation",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=INSTALLATION_PATTERN,
    description=gettext_lazy("Installation number (10 digits)."),
)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Your generating units and their receiving units"),
        description=gettext_lazy(
            "What Atende > Sistema de compensação shows: each of your generating units with the allocation "
            "in force, the registration awaiting Cemig's analysis and every registration filed, newest "
            "first. Holders only (an RT gets 403)."
        ),
        tags=["compensation"],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One generating unit and its receiving units"),
        parameters=[INSTALLATION],
        tags=["compensation"],
    ),
)
class ReceivingUnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    permission_classes = [IsFiler, IsTitular]
    serializer_class = ReceivingUnitsSerializer
    pagination_class = GeneratorPagination
    lookup_field = "installation__number"
    lookup_url_kwarg = "installation"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        history = (
            AllocationSet.objects.select_related("remainder_to")
            .prefetch_related(Prefetch("rows", queryset=Allocation.objects.select_related("installation")))
            .order_by("-requested_at", "-id")
        )
        return generators_of(self.request.user).prefetch_related(
            Prefetch("allocation_sets", queryset=history, to_attr="history")
        )

    def get_object(self):
        installation_number(self.kwargs[self.lookup_url_kwarg])
        return super().get_object()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "cycle": month_start(timezone.localdate())}

    @extend_schema(
        summary=gettext_lazy("Register receiving units"),
        description=gettext_lazy(
            "The “Cadastramento de UC recebedora” form as JSON, judged by the same rules as the page (SPEC "
            "§7.1): the new registration awaits Cemig's commercial analysis and takes effect from the first "
            "cycle the notice allows, the allocation in force staying until then. A rule broken is a 400 "
            "with its message at `rows.<n>.<field>` or at the field; a registration already awaiting "
            "analysis, or a unit that may not send credits, is a 409. Shared generation and multiple "
            "consumer units need the legal instrument attached: file those on the page."
        ),
        parameters=[INSTALLATION],
        request=RegistrationRequestSerializer,
        responses={201: AllocationSetSerializer},
        examples=[
            OpenApiExample(
                "60/40",
                request_only=True,
                value={
                    "unit_type": "remote",
                    "voltage": "BT",
                    "contact_name": "Maria Aparecida Souza",
                    "contact_phone": "(31) 98888-7777",
                    "contact_email": "maria@example.com",
                    "mode": "percent",
                    "rows": [
                        {"installation": "3100000002", "percent": "60"},
                        {"installation": "3100000003", "percent": "40"},
                    ],
                },
            )
        ],
        tags=["compensation"],
    )
    @action(detail=True, methods=["post"], url_path="registrations", parser_classes=[JSONParser])
    def registrations(self, request, installation):
        generator = self.get_object()
        refusals = unit_refusals(generator)
        if refusals:
            # Nothing typed changes these (a small local plant, a registration awaiting analysis): a 409.
            raise ServiceError(" ".join(refusals))
        typed = RegistrationRequestSerializer(data=request.data)
        typed.is_valid(raise_exception=True)
        arguments = typed.service_arguments()
        try:
            allocation_set = allocation_request(generator=generator, by=request.user, **arguments)
        except AllocationRuleBroken as exc:
            raise serializers.ValidationError(rule_errors(exc)) from exc
        context = self.get_serializer_context()
        answer = Response(AllocationSetSerializer(allocation_set, context=context).data, status=201)
        answer["Location"] = request.build_absolute_uri(
            reverse("api-receiving-unit-detail", kwargs={"installation": generator.installation.number})
        )
        return answer


def rule_errors(exc):
    """AllocationRuleBroken → {"rows": {"0": {"percent": [...]}}, "field": [...]}; the problem's `errors` then
    name `rows.0.percent` (string keys: the handler's flattening drops a falsy 0)."""
    errors = {}
    for position, fields in exc.row_errors.items():
        errors.setdefault("rows", {})[str(position)] = fields
    for name, messages in exc.field_errors.items():
        errors.setdefault(name or "non_field_errors", []).extend(str(m) for m in messages)
    return errors


def cycle_parameter(name, description):
    return OpenApiParameter(
        name, OpenApiTypes.STR, pattern=CYCLE_PATTERN, allow_blank=False, description=description
    )


PERIOD = [
    INSTALLATION,
    cycle_parameter("from", gettext_lazy("First cycle (aaaa-mm), included; without it, from the first.")),
    cycle_parameter("to", gettext_lazy("Last cycle (aaaa-mm), included; without it, up to the last.")),
]


def period(params):
    """(first, last) from ?from=&to= as the page's filter reads them, or a 400 naming the field. Stricter than
    the page on the form: a value given must be aaaa-mm (no blanks, no spaces) — the schema's pattern."""
    errors = {}
    for name in ("from", "to"):
        if name in params and not re.fullmatch(CYCLE_PATTERN[1:-1], params[name]):
            errors[name] = [_("Type the cycle as aaaa-mm, e.g. 2025-03.")]
    if errors:
        raise serializers.ValidationError(errors)
    form = PeriodForm({name: params[name] for name in ("from", "to") if name in params})
    if not form.is_valid():
        raise serializers.ValidationError({name: list(messages) for name, messages in form.errors.items()})
    return form.cleaned_data["from"], form.cleaned_data["to"]


def installation_number(value):
    """A path segment that is not a 10-digit number names no installation (and never reaches the database)."""
    if not re.fullmatch(INSTALLATION_PATTERN[1:-1], value):
        raise Http404
    return value


def statement_unit(request, installation):
    installation = installation_number(installation)
    return get_object_or_404(
        statement_installations(request).select_related("customer", "generator"), number=installation
    )


class StatementView(ApiView):
    @extend_schema(
        summary=gettext_lazy("A unit's compensation statement"),
        description=gettext_lazy(
            "One row per computed cycle with the columns of `compensation_statement` (SPEC §12): numbers "
            "as decimal strings with a dot and 2 places; then the balance and the open credit lots with "
            "the date each expires. For the installations whose statement you see in /compensacao/."
        ),
        parameters=PERIOD,
        responses={200: StatementSerializer},
        examples=[
            OpenApiExample(
                "one cycle",
                response_only=True,
                value={
                    "installation": "3100000001",
                    "from_cycle": "2025-11",
                    "to_cycle": None,
                    "rows": [
                        {
                            "cycle": "2025-11",
                            "consumed_kwh": "300.00",
                            "injected_kwh": "500.00",
                            "compensated_kwh": "250.00",
                            "received_kwh": "0.00",
                            "credits_created_kwh": "250.00",
                            "credits_used_kwh": "0.00",
                            "credits_expired_kwh": "0.00",
                            "credits_transferred_kwh": "0.00",
                            "balance_kwh": "250.00",
                            "energy_parcel_brl": "50.00",
                            "parcel_without_gd_brl": "300.00",
                        }
                    ],
                    "balance_kwh": "250.00",
                    "lots": [
                        {
                            "origin_cycle": "2025-11",
                            "gd_class": "GD II",
                            "remaining_kwh": "250.00",
                            "expires_on": "2030-11-30",
                        }
                    ],
                },
            )
        ],
        tags=["compensation"],
    )
    def get(self, request, installation):
        unit = statement_unit(request, installation)
        first, last = period(request.query_params)
        lots = open_lots(unit)
        data = {
            "installation": unit.number,
            "from_cycle": first,
            "to_cycle": last,
            "rows": statement_rows(unit, first, last),
            "balance_kwh": two_places(sum((lot.remaining_kwh for lot in lots), 0)),
            "lots": [
                {
                    "origin_cycle": lot.origin_cycle,
                    "gd_class": lot.gd_class,
                    "remaining_kwh": two_places(lot.remaining_kwh),
                    "expires_on": lot.expires_on,
                }
                for lot in lots
            ],
        }
        return Response(StatementSerializer(data).data)


class StatementPdfView(FileViewMixin, ApiView):
    @extend_schema(
        summary=gettext_lazy("A unit's compensation statement as PDF"),
        description=gettext_lazy("The PDF export of the statement page, for the same period filter."),
        parameters=[*PERIOD, NO_FORMAT],
        responses=PDF_RESPONSE,
        tags=["compensation"],
    )
    def get(self, request, installation):
        unit = statement_unit(request, installation)
        first, last = period(request.query_params)
        return statement_pdf_response(build_statement(unit, first, last))
