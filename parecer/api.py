"""Stage 3 under /api/v1/ (SPEC §14): the parecer of a case, its PDF, accepting it, the Vistoria request and
the inspection's schedule and result.

Every case is read through Case.objects.for_user (anyone else's is a 404); who may act and in which state is
decided as on the pages (parecer/views.py): the titular accepts, the titular or the case's RT requests the
inspection, a case that may not ask yet is a 409 with the page's reasons — and every change goes through the
same services.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from gdportal.api.base import ApiView
from gdportal.api.files import NO_FORMAT, PDF_RESPONSE, FileViewMixin, document_response
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.cases.services import ServiceError
from gdportal.uploads import install_upload_limit

from .api_serializers import InspectionRequestSerializer, InspectionSerializer, ParecerSerializer
from .documents import PARECER_COPY_MAX_BYTES
from .forms import InspectionForm
from .services import current_parecer, inspection_blockers, is_holder, parecer_accept
from .services_inspection import current_inspection, inspection_request, may_request_inspection

CASE_ID = OpenApiParameter(
    "id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description=gettext_lazy("The case's id, as in /api/v1/cases/."),
)
PARECER_EXAMPLE = OpenApiExample(
    "favourable",
    response_only=True,
    value={
        "case_id": 42,
        "protocol": "2026000000042",
        "case_state": "parecer_issued",
        "favourable": True,
        "unfavourable_reason": "",
        "issued_at": "2026-11-30T14:05:00-03:00",
        "valid_until": "2027-03-30",
        "verification_code": "K7M2Q9XW4RTP",
        "verification_url": "https://gdportal.dev/verificar/K7M2Q9XW4RTP/",
        "acceptance": "awaiting",
        "accepted_at": None,
        "can_accept": True,
        "voltage": "BT",
        "phases": "single",
        "tariff_group": "B1",
        "connection_point": "Alimentador BHAD-05, transformador 45 kVA n.º 123456",
        "metering": "Medidor bidirecional",
        "protection": "Disjuntor termomagnético e DPS conforme ND 5.30",
        "customer_works": "",
        "works_needed": False,
        "works_description": "",
        "works_deadline_days": None,
        "works": "not_needed",
        "works_done_at": None,
        "financial_participation": "0.00",
        "payment": "not_applicable",
        "paid_at": None,
        "pdf_url": "https://gdportal.dev/api/v1/cases/42/parecer/pdf/",
        "pdf_sha256": "9f2c…",
        "may_request_inspection": False,
        "inspection_blockers": ["Aceite o parecer de acesso primeiro."],
    },
)
INSPECTION_EXAMPLE = OpenApiExample(
    "scheduled",
    response_only=True,
    value={
        "id": 7,
        "case_id": 42,
        "requested_at": "2027-01-10T09:30:00-03:00",
        "status": "scheduled",
        "scheduled_for": "2027-01-14",
        "period": "morning",
        "period_label": "Manhã (8h–12h)",
        "visited_on": None,
        "result": None,
        "meter_number": None,
        "connected_on": None,
        "report_items": [],
        "decided_at": None,
        "attached_copy": None,
    },
)


def case_for(request, case_id):
    """The user's filed case, or a 404 (another user's case does not exist for them; nor does an id that is
    not a number: DRF's get_object_or_404 turns the lookup's ValueError into the 404)."""
    return get_object_or_404(
        Case.objects.for_user(request.user).filed().select_related("installation", "rt"), pk=case_id
    )


def parecer_of(case):
    parecer = current_parecer(case)
    if parecer is None:
        raise Http404
    return parecer


def parecer_answer(request, case, parecer, status_code=status.HTTP_200_OK):
    data = ParecerSerializer(parecer, context={"request": request, "case": case}).data
    return Response(data, status=status_code)


class ParecerView(ApiView):
    @extend_schema(
        summary=gettext_lazy("The access opinion of a case"),
        description=gettext_lazy(
            "The current access opinion (parecer de acesso) as the case page shows it: favourable or not, "
            "validity, verification code, acceptance, grid works, financial participation and whether the "
            "inspection may be requested now. 404 while the case has none."
        ),
        parameters=[CASE_ID],
        responses={200: ParecerSerializer},
        examples=[PARECER_EXAMPLE],
        tags=["parecer"],
    )
    def get(self, request, **kwargs):
        case = case_for(request, kwargs["id"])
        return parecer_answer(request, case, parecer_of(case))


class ParecerPdfView(FileViewMixin, ApiView):
    @extend_schema(
        summary=gettext_lazy("The access opinion's PDF"),
        description=gettext_lazy(
            "The PDF the portal issued (A4, pt-BR), the same file as the case page's link; its SHA-256 is "
            "`pdf_sha256` of the access opinion."
        ),
        parameters=[CASE_ID, NO_FORMAT],
        responses=PDF_RESPONSE,
        tags=["parecer"],
    )
    def get(self, request, **kwargs):
        parecer = parecer_of(case_for(request, kwargs["id"]))
        if not parecer.document_id:
            raise Http404
        # The page's rule for files: only what DocumentVersion.objects.for_user lets this user open.
        return document_response(request.user, parecer.document_id)


class ParecerAcceptView(ApiView):
    @extend_schema(
        summary=gettext_lazy("Accept the access opinion"),
        description=gettext_lazy(
            "“Aceitar o parecer” (REN 1.000 art. 83): the holder only (an RT gets 403). 409 when the "
            "access opinion is not awaiting acceptance (already accepted, expired, cancelled…)."
        ),
        parameters=[CASE_ID],
        request=None,
        responses={200: ParecerSerializer},
        examples=[PARECER_EXAMPLE],
        tags=["parecer"],
    )
    def post(self, request, **kwargs):
        case = case_for(request, kwargs["id"])
        if not is_holder(request.user, case):
            raise PermissionDenied
        parecer = current_parecer(case)
        if parecer is None or case.state != CaseState.PARECER_ISSUED:
            # The page's words for a second click (parecer/views.py accept).
            raise ServiceError(_("This access opinion is not awaiting acceptance."))
        parecer = parecer_accept(case=case, by=request.user)
        case.refresh_from_db()
        return parecer_answer(request, case, parecer)


class InspectionRequestView(ApiView):
    parser_classes = [MultiPartParser]
    # The upload guard (gdportal/middleware.py) lets a multipart body reach this view: the copy (3 MB) with
    # room for a file a little over its limit, which then gets its message rather than a bare refusal.
    upload_files = 2

    def initialize_request(self, request, *args, **kwargs):
        install_upload_limit(request, PARECER_COPY_MAX_BYTES)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy("Request the inspection (Vistoria)"),
        description=gettext_lazy(
            "The Vistoria form of Atende (SPEC §6.3), as multipart/form-data: the holder or the case's RT, "
            "for an accepted, valid, favourable access opinion with no pending works and, where there is "
            "financial participation, the payment recorded — otherwise 409 with the reasons. Without "
            "`copy`, the access opinion Cemig issued is the one attached."
        ),
        parameters=[CASE_ID],
        request={"multipart/form-data": InspectionRequestSerializer},
        responses={201: InspectionSerializer},
        examples=[
            OpenApiExample(
                "request",
                request_only=True,
                value={
                    "holder_name": "Maria Aparecida Souza",
                    "document": "529.982.247-25",
                    "street": "Rua da Bahia",
                    "cep": "30160-011",
                    "street_number": "1000",
                    "complement": "",
                    "district": "Centro",
                    "municipality": "Belo Horizonte",
                    "email": "maria@example.com",
                    "phone": "(31) 98888-7777",
                    "mobile": "",
                    "declaration": True,
                },
            ),
            INSPECTION_EXAMPLE,
        ],
        tags=["inspection"],
    )
    def post(self, request, **kwargs):
        case = case_for(request, kwargs["id"])
        # In the page's order: who may ask, whether the case may ask now, then what was typed.
        if not may_request_inspection(case, request.user):
            raise PermissionDenied
        blockers = inspection_blockers(case)
        if blockers:
            raise ServiceError(" ".join(str(reason) for reason in blockers))
        typed = InspectionRequestSerializer(data=request.data)
        typed.is_valid(raise_exception=True)
        data, files = typed.form_data()
        form = InspectionForm(data, files, user=request.user)
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    (name if name != "__all__" else "non_field_errors"): list(errors)
                    for name, errors in form.errors.items()
                }
            )
        inspection = inspection_request(
            case=case,
            by=request.user,
            data=form.service_data(),
            declaration=form.cleaned_data["declaration"],
            attachment=form.cleaned_data.get("copy"),
        )
        answer = Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)
        answer["Location"] = request.build_absolute_uri(reverse("api-inspection", kwargs={"id": case.pk}))
        return answer


class InspectionView(ApiView):
    @extend_schema(
        summary=gettext_lazy("The inspection of a case"),
        description=gettext_lazy(
            "The latest inspection request: when it was asked, the visit's date and period once scheduled, "
            "and the result — the meter and the connection date, or the pending items of a failed one. 404 "
            "while none was requested."
        ),
        parameters=[CASE_ID],
        responses={200: InspectionSerializer},
        examples=[INSPECTION_EXAMPLE],
        tags=["inspection"],
    )
    def get(self, request, **kwargs):
        inspection = current_inspection(case_for(request, kwargs["id"]))
        if inspection is None:
            raise Http404
        return Response(InspectionSerializer(inspection).data)
