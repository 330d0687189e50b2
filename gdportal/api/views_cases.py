"""/api/v1/cases/: the user's cases (Case.objects.for_user), filtered and paged by keyset."""

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gdportal.cases import deadline_kinds as case_clocks
from gdportal.cases.choices import CaseKind, CaseState
from gdportal.cases.flow import flow_studies_request
from gdportal.cases.models import Case, CaseEvent, DocumentVersion, FlowStudy
from gdportal.cases.selectors import customers_served, open_clocks_prefetch
from gdportal.deadlines.models import Deadline

from .base import ApiViewSet
from .pagination import KeysetPagination
from .problems import problem
from .serializers_cases import CaseDetailSerializer, CaseSerializer

LIST_FILTERS = [
    OpenApiParameter(
        "state",
        OpenApiTypes.STR,
        enum=CaseState.values,
        many=True,
        explode=True,
        description=_("Only cases in these states (repeat the parameter for several)."),
    ),
    OpenApiParameter(
        "kind", OpenApiTypes.STR, enum=CaseKind.values, description=_("access or consultation.")
    ),
    OpenApiParameter("protocol", OpenApiTypes.STR, description=_("The 13-digit protocol.")),
    OpenApiParameter("installation", OpenApiTypes.STR, description=_("Installation number (10 digits).")),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description=_("Only cases changed at or after this moment (ISO 8601)."),
    ),
]


CASE_EXAMPLE = {
    "id": 42,
    "protocol": "2026000000042",
    "kind": "access",
    "state": "technical_review",
    "state_label": "Em análise técnica",
    "installation": "3000000012",
    "holder_name": "Maria Aparecida Souza",
    "rt": "Paulo Teste",
    "reason": "micro_le10",
    "power_kw": "8.50",
    "source": "solar",
    "modality": "local",
    "request_type": "without_increase",
    "created_at": "2026-11-03T09:12:00-03:00",
    "submitted_at": "2026-11-03T09:20:00-03:00",
    "state_changed_at": "2026-11-10T14:02:00-03:00",
    "updated_at": "2026-11-10T14:02:00-03:00",
}
DETAIL_EXAMPLE = {
    **CASE_EXAMPLE,
    "decision_note": "",
    "answer": "",
    "clocks": [
        {
            "kind": "technical_sla",
            "label": "Análise técnica dos documentos",
            "awaiting": "Cemig",
            "started_at": "2026-11-10T14:02:00-03:00",
            "due_at": "2026-11-17T14:02:00-03:00",
            "state": "open",
            "overdue": False,
            "paused": False,
            "paused_at": None,
        }
    ],
    "timeline": [
        {
            "id": 301,
            "created_at": "2026-11-03T09:20:00-03:00",
            "action": "submitted",
            "action_label": "Protocolado",
            "from_state": "draft",
            "to_state": "submitted",
            "note": "",
        }
    ],
    "documents": [],
}


def moment(text):
    """An ISO 8601 date-time from a query string, in UTC (a naive one is São Paulo's), or None.

    UTC because PostgreSQL refuses offsets ISO allows (+19:00) and a year-1 moment may overflow when moved."""
    if not text:
        return None
    try:
        parsed = parse_datetime(text)
        if parsed is None:
            return None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None


@extend_schema_view(
    list=extend_schema(
        examples=[
            # drf-spectacular wraps a list example in the page envelope itself.
            OpenApiExample("Um processo", value=CASE_EXAMPLE, response_only=True)
        ],
        summary=_("Your cases"),
        description=_("The cases you see on the status pages, newest first, 25 a page (cursor in `next`)."),
        parameters=LIST_FILTERS,
        tags=["cases"],
    ),
    retrieve=extend_schema(
        examples=[OpenApiExample("Em análise técnica", value=DETAIL_EXAMPLE, response_only=True)],
        summary=_("One case"),
        description=_(
            "State, clocks (whose turn, until when), the timeline and the newest version of each document."
        ),
        tags=["cases"],
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    pagination_class = KeysetPagination

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_queryset(self):
        cases = Case.objects.for_user(self.request.user).select_related("installation", "rt")
        if self.action == "retrieve":
            return cases.prefetch_related(
                open_clocks_prefetch(),
                Prefetch("events", queryset=CaseEvent.objects.order_by("created_at", "id")),
                Prefetch("flow_studies", queryset=FlowStudy.objects.order_by("-created_at", "-id")),
                Prefetch(
                    "documents",
                    queryset=DocumentVersion.objects.order_by("kind", "-uploaded_at", "-id").prefetch_related(
                        "findings"
                    ),
                ),
            )
        return self._filtered(cases)

    def _filtered(self, cases):
        params = self.request.query_params
        states = params.getlist("state")
        if states:
            cases = cases.filter(state__in=states)
        if params.get("kind"):
            cases = cases.filter(kind=params["kind"])
        if params.get("protocol"):
            cases = cases.filter(protocol=params["protocol"])
        if params.get("installation"):
            cases = cases.filter(installation__number=params["installation"])
        since = moment(params.get("updated_since"))
        if since is not None:
            cases = cases.filter(updated_at__gte=since)
        return cases

    def get_serializer(self, *args, **kwargs):
        user = self.request.user
        if user.is_authenticated and user.is_rt:
            cases = args[0] if args else None
            ids = (
                {c.customer_id for c in cases}
                if isinstance(cases, list)
                else ({cases.customer_id} if isinstance(cases, Case) else set())
            )
            kwargs.setdefault("context", self.get_serializer_context())["served_customers"] = (
                customers_served(user, ids)
            )
        return super().get_serializer(*args, **kwargs)

    @extend_schema(
        request=None,
        responses={201: OpenApiTypes.OBJECT},
        summary=_("Request the flow-inversion studies"),
        description=_(
            "“Solicitar estudos de inversão de fluxo” (REN 1.000 art. 78): the holder or the case's RT asks "
            "for the studies behind Cemig's decision; Cemig has 10 business days. Send an Idempotency-Key: a "
            "retry gets the same answer. 409 when the studies cannot be asked for now (the reason says why)."
        ),
        tags=["cases"],
    )
    @action(detail=True, methods=["post"], url_path="flow-studies-request")
    def flow_studies_request(self, request, pk=None):
        case = self.get_object()
        studies_request = flow_studies_request(case=case, by=request.user)
        clock = case.deadlines.filter(kind=case_clocks.FLOW_STUDIES.code, state=Deadline.State.OPEN).first()
        return Response(
            {
                "id": studies_request.pk,
                "case": case.pk,
                "requested_at": studies_request.requested_at,
                "due_at": clock.due_at if clock else None,
            },
            status=status.HTTP_201_CREATED,
        )

    def list(self, request, *args, **kwargs):
        errors = self._filter_errors(request.query_params)
        if errors:
            return problem(400, " ".join(m for _f, m in errors), errors, code="invalid")
        return super().list(request, *args, **kwargs)

    @staticmethod
    def _filter_errors(params):
        errors = []
        for state in params.getlist("state"):
            if state not in CaseState.values:
                errors.append(("state", str(_("Unknown state: %(s)s.") % {"s": state})))
        if "kind" in params and params["kind"] not in CaseKind.values:
            errors.append(("kind", str(_("Use access or consultation."))))
        since = params.get("updated_since")
        if since is not None and moment(since) is None:
            errors.append(
                (
                    "updated_since",
                    str(_("Use a date and time in ISO 8601, e.g. 2026-11-30T08:00:00-03:00.")),
                )
            )
        return errors
