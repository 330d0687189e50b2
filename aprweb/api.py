"""Stage 2 for integrators (SPEC §14): the RT's APR orders under /api/v1/orders/.

The page's steps (views.order_new, _upload, order_submit) with the page's forms and throttle, saved by the
same services (services_orders). Orders are the RT's while they hold the case (AprOrder.objects.for_user); any
other order is a 404.
"""

from collections.abc import Mapping

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from gdportal.api.base import ApiViewSet
from gdportal.api.pagination import KeysetPagination
from gdportal.api.permissions import IsFiler
from gdportal.api.serializers_cases import DocumentSerializer
from gdportal.api.strict import form_errors, validate_with_form
from gdportal.registry.audit import lookup_record, order_search_allowed
from gdportal.registry.models import LookupAudit
from gdportal.uploads import install_upload_limit

from . import api_serializers as s
from . import services_generation, services_orders
from .api_generation import (
    GenerationInputSerializer,
    GenerationSerializer,
    generation_payload,
    service_values,
)
from .documents import required_kinds
from .forms import AprOrderForm, OrderLookupForm, UploadForm
from .models import AprOrder
from .selectors import case_for_order, rt_title
from .views import APR_SESSION_FLAG

LOOKUP_FIELDS = ("protocol", "person_type", "document", "claim_code")
ORDER_FIELDS = list(AprOrderForm._meta.fields)
# The order search's limit counts failed searches of the last hour (registry.audit): an hour always lifts it.
SEARCH_RETRY_AFTER = 60 * 60


class IsRT(IsFiler):
    """APR Web is the RTs'. A browser session must also have signed in to APR Web (CPF and APR password), as
    its pages ask; a token stands for its owner, who created it signed in."""

    message = gettext_lazy("Only responsible technicians use APR Web.")

    def has_permission(self, request, view):
        if not super().has_permission(request, view) or not request.user.is_rt:
            return False
        if request.auth is None and not request.session.get(APR_SESSION_FLAG):
            self.message = _("Sign in to APR Web (CPF and APR password) to use it from this browser session.")
            return False
        return True


def case_defaults(case):
    """What the order page fills in from the case (views.order_new), as the form would receive it."""
    return {
        "phone": case.phone,
        "street": case.street,
        "street_number": case.street_number,
        "district": case.district,
        "cep": case.cep,
        "municipality": case.municipality,
        "activity_type": case.installation_class,
        "request_type": "analyze_gd",
        "project_type": case.installation.voltage if case.installation_id else "BT",
        "demand_kva": str(case.power_kw),
        # The model's default: a plant without converters says so.
        "has_power_converters": True,
    }


ORDER_EXAMPLE = {
    "protocol": "2026000000123",
    "document": "390.533.447-05",
    "art_number": "MG20260012345",
    "expected_connection": "2027-03-01",
    "plant_format": "A3",
}


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Your orders"),
        description=gettext_lazy("The orders of the cases you hold, newest first (cursor in `next`)."),
        tags=["orders"],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One order"),
        description=gettext_lazy("The order with its checklist, as the order page shows it."),
        responses={200: s.OrderDetailSerializer},
        tags=["orders"],
    ),
    create=extend_schema(
        summary=gettext_lazy("Register an order"),
        description=gettext_lazy(
            "Finds the case by protocol and the holder's CPF/CNPJ (plus the customer's claim code when the "
            "customer filed it), judges the fields with the page's form and rules, and registers the order: "
            "the case becomes yours. Registered already in this round: 200 with that order."
        ),
        request=s.OrderInputSerializer,
        responses={201: s.OrderDetailSerializer, 200: s.OrderDetailSerializer},
        examples=[
            OpenApiExample(gettext_lazy("A case filed by you"), value=ORDER_EXAMPLE, request_only=True)
        ],
        tags=["orders"],
    ),
    checklist=extend_schema(
        summary=gettext_lazy("The order's checklist"),
        description=gettext_lazy(
            "The documents this case requires (computed from it: category, source, modality…), the latest "
            "version of each with the analyst's verdict, and what is missing or pending."
        ),
        responses={200: s.ChecklistSerializer},
        tags=["orders"],
    ),
    submit=extend_schema(
        summary=gettext_lazy("Send the order to analysis"),
        description=gettext_lazy(
            "First sending, or again after pendências. Refused (409) while a document is missing or a "
            "document marked not conforming has no new version."
        ),
        request=None,
        responses={200: s.OrderDetailSerializer},
        tags=["orders"],
    ),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    permission_classes = [IsRT]
    pagination_class = KeysetPagination
    parser_classes = [JSONParser]
    serializer_class = s.OrderSerializer

    def get_queryset(self):
        return AprOrder.objects.for_user(self.request.user).select_related("case", "case__customer")

    def get_serializer_class(self):
        return s.OrderSerializer if self.action == "list" else s.OrderDetailSerializer

    def initial(self, request, *args, **kwargs):
        if self.action == "documents":
            # Before anything parses the body: a file past the limit is cut off while it streams.
            install_upload_limit(request._request)
        super().initial(request, *args, **kwargs)

    def _detail(self, order, code=status.HTTP_200_OK):
        order = self.get_queryset().get(pk=order.pk)
        headers = {}
        if code == status.HTTP_201_CREATED:
            headers["Location"] = reverse("api-order-detail", args=[order.pk])
        return Response(s.OrderDetailSerializer(order).data, status=code, headers=headers)

    def create(self, request):
        user = request.user
        serializer = s.OrderInputSerializer(data=request.data)
        if not isinstance(request.data, Mapping):
            serializer.is_valid(raise_exception=True)
        if not order_search_allowed(request._request):
            raise exceptions.Throttled(
                wait=SEARCH_RETRY_AFTER,
                detail=_("Too many searches without a result in the last hour. Try again later."),
            )
        case, claim_code = self._case(serializer, request)
        data = case_defaults(case)
        data.update({name: request.data[name] for name in ORDER_FIELDS if name in request.data})
        form = AprOrderForm(data=data, title=rt_title(user))
        validate_with_form(serializer, form)
        try:
            order = services_orders.order_register(
                case=case,
                rt=user,
                order=form.save(commit=False),
                claim_code=claim_code,
            )
        except services_orders.OrderExists as exc:
            return self._detail(exc.order)
        return self._detail(order, status.HTTP_201_CREATED)

    @staticmethod
    def _case(serializer, request):
        """'Buscar': the page's lookup form, then (the case, the claim code typed) — the case only if it
        awaits an order from this RT, else 404, the same answer whether the protocol exists or not."""
        data = {name: request.data[name] for name in LOOKUP_FIELDS if name in request.data}
        document = data.get("document")
        if "person_type" not in data and isinstance(document, str):
            data["person_type"] = "PF" if len("".join(ch for ch in document if ch.isalnum())) == 11 else "PJ"
        lookup = OrderLookupForm(data=data)
        found_ok = lookup.is_valid()
        serializer.is_valid()
        if not found_ok or any(name in serializer.errors for name in LOOKUP_FIELDS):
            # Every field the schema refuses is reported at once; the lookup's in the page's words.
            raise serializers.ValidationError({**serializer.errors, **form_errors(lookup)})
        found = lookup.cleaned_data
        case = case_for_order(
            rt=request.user,
            protocol=found["protocol"],
            document=found["document"],
            claim_code=found["claim_code"],
        )
        lookup_record(
            request._request,
            kind=LookupAudit.Kind.ORDER_SEARCH,
            query=found["protocol"],
            customer=case.customer if case else None,
            succeeded=case is not None,
        )
        if case is None:
            raise exceptions.NotFound(
                _(
                    "No case with this protocol and CPF/CNPJ awaits an APR order from you. Check the "
                    "data, whether the NS was issued and, for a request the customer filed, the claim "
                    "code the customer received."
                )
            )
        return case, found["claim_code"]

    @extend_schema(
        summary=gettext_lazy("Attach a document to the order"),
        description=gettext_lazy(
            "One file of one kind of the checklist (multipart/form-data), checked by content like the "
            "page's. Every upload is a new version; the same file again is refused (409)."
        ),
        request={"multipart/form-data": s.OrderUploadSerializer},
        responses={201: DocumentSerializer},
        tags=["orders"],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def documents(self, request, pk=None):
        order = self.get_object()
        serializer = s.OrderUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["kind"]
        if kind not in required_kinds(order.case, order):
            raise serializers.ValidationError(
                {"kind": [_("This document is not part of this order's checklist.")]}
            )
        form = UploadForm(data={}, files={"file": serializer.validated_data["file"]}, kind=kind)
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        version = services_orders.order_upload(
            order=order, kind=kind, uploaded=form.cleaned_data["file"], by=request.user
        )
        return Response(DocumentSerializer(version).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def checklist(self, request, pk=None):
        return Response(s.ChecklistSerializer(s.checklist_data(self.get_object())).data)

    @extend_schema(
        methods=["GET"],
        summary=gettext_lazy("The order's generation technical data"),
        description=gettext_lazy(
            "The plant as data (SPEC §16): modules, inverters, generators, storage, building, service "
            "entrance, participating units and declarations, with the totals and the analyst's verdict."
        ),
        responses={200: GenerationSerializer},
        tags=["orders"],
    )
    @extend_schema(
        methods=["PUT"],
        summary=gettext_lazy("Save the order's generation technical data"),
        description=gettext_lazy(
            "Replaces the whole step, judged by the page's rules (the participating units by those of the "
            "receiving units). Errors per field, rows as “inverters.0.power_kw”. The installed power must "
            "equal the access request's when the order is sent, not when this is saved."
        ),
        request=GenerationInputSerializer,
        responses={200: GenerationSerializer},
        tags=["orders"],
    )
    @action(detail=True, methods=["get", "put"])
    def generation(self, request, pk=None):
        order = self.get_object()
        if request.method == "PUT":
            serializer = GenerationInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services_generation.order_generation_save(
                order=order, by=request.user, values=service_values(serializer.validated_data)
            )
        return Response(generation_payload(order.case))

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        order = self.get_object()
        services_orders.order_submit(order=order, by=request.user)
        return self._detail(order)
