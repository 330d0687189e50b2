"""Stage 1 for integrators (SPEC §14): access requests and consultations under /api/v1/.

Every step is the page's (views_request): the same forms judging the same fields (AccessRequestForm,
ConsultationForm), the same refusals before the form (debts, a request under way), the same masking and
lookup audit, the same services saving and sending (case_save_draft, case_submit, case_cancel). A draft is its
filer's alone; anyone else gets a 404. The installation lookup is api_lookup.py.
"""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from gdportal.api.base import ApiViewSet
from gdportal.api.problems import problem
from gdportal.api.serializers_cases import DocumentSerializer
from gdportal.api.strict import validate_with_form
from gdportal.cases import rules
from gdportal.cases.choices import CaseKind
from gdportal.cases.models import Case, CaseEvent, DocumentVersion
from gdportal.cases.selectors import draft_for_user, open_clocks_prefetch, sent_draft_for_filer
from gdportal.registry.audit import lookup_record, registry_lookup_allowed
from gdportal.registry.models import LookupAudit
from gdportal.uploads import install_upload_limit

from . import api_serializers as s
from . import services
from .api_lookup import throttled
from .forms import AccessRequestForm, ConsultationForm
from .selectors import (
    customer_for_filer,
    installation_for_filer,
    open_requests_for,
    sees_personal_data,
)


def _pk(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- Drafts: access requests and consultations -------------------------------------------------------------
def debts_problem(debts, full_view):
    """409 with the service's words; the bills themselves only for whoever may see them (as the page)."""
    answer = problem(409, services.DebtsOverdue(debts), code="debts")
    if full_view:
        answer.data["debts"] = [
            {"reference": d.reference, "amount": str(d.amount), "due_date": d.due_date.isoformat()}
            for d in debts
        ]
    return answer


def case_detail(user, pk):
    """The case as /api/v1/cases/{id}/ shows it (its clocks, timeline and newest documents)."""
    cases = (
        Case.objects.for_user(user)
        .select_related("installation", "rt", "customer")
        .prefetch_related(
            open_clocks_prefetch(),
            Prefetch("events", queryset=CaseEvent.objects.order_by("created_at", "id")),
            Prefetch("documents", queryset=DocumentVersion.objects.order_by("kind", "-uploaded_at", "-id")),
        )
    )
    return get_object_or_404(cases, pk=pk)


class DraftViewSet(ApiViewSet):
    """A draft, its files, sending it and cancelling the case it became; the subclasses say which kind."""

    kind = None
    form_class = input_class = patch_class = output_class = None
    parser_classes = [JSONParser]
    queryset = Case.objects.none()  # the schema's path parameter type; every read goes through for_user
    route = ""

    def get_serializer_class(self):
        # What OPTIONS describes (DRF's metadata); each operation names its own serializers.
        return self.input_class

    def _form(self, data, *, customer, installation, instance=None):
        return self.form_class(
            data=data,
            instance=instance,
            customer=customer,
            installation=installation,
            full_view=sees_personal_data(self.request.user, customer),
            user=self.request.user,
            documents_later=True,
        )

    def _form_fields(self):
        return [name for name in self.form_class._meta.fields if name not in ("holder_name", "document")]

    def _draft(self, pk):
        """The user's draft of this kind; one they already sent is AlreadySent (409); anything else 404."""
        user = self.request.user
        try:
            draft = draft_for_user(user, _pk(pk))
        except Http404:
            sent = sent_draft_for_filer(user, _pk(pk))
            if sent is None or sent.kind != self.kind:
                raise
            raise services.AlreadySent(sent) from None
        if draft.kind != self.kind:
            raise Http404
        return draft

    def _answer(self, case, code=status.HTTP_200_OK):
        case = Case.objects.select_related("customer", "installation").get(pk=case.pk)
        context = {"full_view": sees_personal_data(self.request.user, case.customer)}
        headers = {}
        if code == status.HTTP_201_CREATED:
            headers["Location"] = reverse(f"api-{self.route}-detail", args=[case.pk])
        return Response(self.output_class(case, context=context).data, status=code, headers=headers)

    def create(self, request):
        user = request.user
        serializer = self.input_class(data=request.data)
        if not isinstance(request.data, Mapping):
            serializer.is_valid(raise_exception=True)
        number, client = self._holder_numbers(serializer, request.data)
        installation = installation_for_filer(user, number) if number else None
        customer = installation.customer if installation else customer_for_filer(user, client)
        if installation is not None and not installation.is_active:
            raise serializers.ValidationError(
                {
                    "installation": [
                        _("Installation %(number)s is closed and cannot receive generation.")
                        % {"number": installation.number}
                    ]
                }
            )
        full_view = sees_personal_data(user, customer)
        if not full_view:
            # Filing for a customer the RT does not serve is a registry lookup: audited and counted like one.
            if not registry_lookup_allowed(request._request):
                raise throttled()
            lookup_record(
                request._request,
                kind=LookupAudit.Kind.FORM,
                query=installation.number if installation else customer.number,
                customer=customer,
            )
        if self.kind == CaseKind.ACCESS:
            blocked = self._blocked(customer, installation, full_view)
            if blocked is not None:
                return blocked
        data = {name: request.data[name] for name in self._form_fields() if name in request.data}
        data.setdefault("uf", "MG")
        form = self._form(data, customer=customer, installation=installation)
        form.instance.filed_by = user
        form.instance.rt = user if user.is_rt else None
        validate_with_form(serializer, form)
        case = services.case_save_draft(case=form.save(), by=user)
        return self._answer(case, status.HTTP_201_CREATED)

    @staticmethod
    def _holder_numbers(serializer, data):
        """The installation or client number, checked before anything is looked up with it."""
        errors = {}
        for name in ("installation", "customer"):
            if name in data:
                try:
                    serializer.fields[name].run_validation(data[name])
                except serializers.ValidationError as exc:
                    errors[name] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        number, client = data.get("installation"), data.get("customer")
        if number and client:
            raise serializers.ValidationError(
                {"customer": [_("Give either the installation number or the client number, not both.")]}
            )
        if not (number or client):
            serializer.is_valid(raise_exception=True)  # the serializer says which is missing
        return number, client

    def _blocked(self, customer, installation, full_view):
        """The page's two refusals before the form: overdue debts, a request already under way (409)."""
        debts = list(customer.overdue_debts())
        if debts:
            return debts_problem(debts, full_view)
        if installation is None:
            return None
        open_case, visible = open_requests_for(self.request.user, [installation]).get(
            installation.pk, (None, False)
        )
        if open_case is None:
            return None
        answer = problem(409, rules.open_request_error(installation.number, open_case), code="open_request")
        answer.data["open_request"] = {
            "protocol": open_case.protocol if visible else None,
            "case_id": open_case.pk if visible else None,
        }
        return answer

    def retrieve(self, request, pk=None):
        try:
            return self._answer(self._draft(pk))
        except services.AlreadySent:
            raise Http404 from None  # sent: it is a case now (/api/v1/cases/{id}/), no longer a draft

    def partial_update(self, request, pk=None):
        draft = self._draft(pk)
        serializer = self.patch_class(data=request.data, partial=True)
        if not isinstance(request.data, Mapping):
            serializer.is_valid(raise_exception=True)
        data = model_to_dict(draft, fields=self._form_fields())
        data.update({name: request.data[name] for name in self._form_fields() if name in request.data})
        form = self._form(data, customer=draft.customer, installation=draft.installation, instance=draft)
        validate_with_form(serializer, form)
        case = services.case_save_draft(case=form.save(), by=request.user)
        return self._answer(case)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        user = request.user
        try:
            draft = self._draft(pk)
            case = services.case_submit(case=draft, by=user)
        except services.AlreadySent as exc:
            # A second send (a retry without Idempotency-Key, another tab): the protocol it already has.
            return self._submitted(exc.case, already=True)
        except services.DebtsOverdue as exc:
            return debts_problem(exc.debts, sees_personal_data(user, draft.customer))
        return self._submitted(case, already=False)

    def _submitted(self, case, *, already):
        case = case_detail(self.request.user, case.pk)
        context = {"full_view": sees_personal_data(self.request.user, case.customer)}
        body = {"protocol": case.protocol, "already_sent": already, "case": case}
        return Response(s.SubmittedSerializer(body, context=context).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        user = request.user
        case = get_object_or_404(Case.objects.for_user(user).filed().filter(kind=self.kind), pk=_pk(pk))
        if user.is_staff or not services.can_cancel(case, user):
            raise PermissionDenied  # the RT sees the case but only its holder cancels it (as the page)
        serializer = s.CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_cancel(case=case, by=user, reason=serializer.validated_data.get("reason", ""))
        case = case_detail(user, case.pk)
        context = {"full_view": sees_personal_data(user, case.customer)}
        return Response(s.MaskedCaseSerializer(case, context=context).data)


REQUEST_EXAMPLE = {
    "installation": "3000000001",
    "reason": "micro_le10",
    "installation_class": "residential",
    "cep": "30160-011",
    "street": "Rua da Bahia",
    "street_number": "1000",
    "district": "Centro",
    "municipality": "Belo Horizonte",
    "phone": "(31) 98888-7777",
    "email": "maria@example.com",
    "latitude": "-19.92",
    "longitude": "-43.94",
    "power_kw": "8.5",
    "source": "solar",
    "request_type": "without_increase",
    "modality": "local",
    "requester_name": "Maria Souza",
    "requester_phone": "(31) 98888-7777",
    "requester_email": "maria@example.com",
    "declaration": True,
}
CONSULTATION_EXAMPLE = {k: v for k, v in REQUEST_EXAMPLE.items() if k != "declaration"}


def draft_schemas(**documented):
    """Class decorator: the same operations for both kinds, documented with the view's own serializers."""
    return lambda view: draft_view_schemas(view, **documented)


def draft_view_schemas(view, *, tag, label, example):
    input_class, patch_class, output_class = view.input_class, view.patch_class, view.output_class
    return extend_schema_view(
        create=extend_schema(
            summary=gettext_lazy("Create a draft"),
            description=gettext_lazy(
                "Saves the fields as a draft, judged by the same rules and messages as the page's form. "
                "`installation` (or `customer`, the client number, for a unit without one) picks the holder; "
                "name and CPF/CNPJ come from the registry. Files are attached afterwards (documents/), then "
                "submit/ sends it."
            ),
            request=input_class,
            responses={201: output_class},
            examples=[OpenApiExample(label, value=example, request_only=True)],
            tags=[tag],
        ),
        retrieve=extend_schema(
            summary=gettext_lazy("One draft"),
            description=gettext_lazy("Your draft, as the “check your answers” page shows it."),
            responses={200: output_class},
            tags=[tag],
        ),
        partial_update=extend_schema(
            summary=gettext_lazy("Change a draft"),
            description=gettext_lazy(
                "The fields sent replace the draft's; the whole draft is judged again by the form."
            ),
            request=patch_class,
            responses={200: output_class},
            tags=[tag],
        ),
        submit=extend_schema(
            summary=gettext_lazy("Send the draft"),
            description=gettext_lazy(
                "Checks the debts and the rules again, issues the protocol, starts the clock and queues the "
                "e-mails. A draft already sent answers with its protocol (`already_sent`)."
            ),
            request=None,
            responses={200: s.SubmittedSerializer},
            tags=[tag],
        ),
        cancel=extend_schema(
            summary=gettext_lazy("Cancel the case"),
            description=gettext_lazy(
                "The holder cancels a case not yet connected (the RT may not: 403). Immediate and final."
            ),
            request=s.CancelSerializer,
            responses={200: s.MaskedCaseSerializer},
            tags=[tag],
        ),
    )(view)


@draft_schemas(
    tag="access-requests",
    label=gettext_lazy("Micro solar up to 10 kW"),
    example=REQUEST_EXAMPLE,
)
class AccessRequestViewSet(DraftViewSet):
    kind = CaseKind.ACCESS
    route = "access-request"
    form_class = AccessRequestForm
    input_class = s.AccessRequestInputSerializer
    patch_class = s.AccessRequestPatchSerializer
    output_class = s.AccessRequestSerializer

    def initial(self, request, *args, **kwargs):
        if self.action == "documents":
            # Before anything parses the body: a file past the limit is cut off while it streams.
            install_upload_limit(request._request)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy("Attach a document to the draft"),
        description=gettext_lazy(
            "One file of one kind (multipart/form-data): the holder's identity papers and, when the request "
            "needs a guarantee, its proof. Checked by content like the page's; a new file of a kind is a new "
            "version."
        ),
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={201: DocumentSerializer},
        tags=["access-requests"],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def documents(self, request, pk=None):
        draft = self._draft(pk)
        serializer = s.DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind, uploaded = serializer.validated_data["kind"], serializer.validated_data["file"]
        # The kind and the file are judged by the service (field-tagged ValidationError → 400 at the field).
        version = services.case_draft_attach(case=draft, kind=kind, uploaded=uploaded, by=request.user)
        return Response(DocumentSerializer(version).data, status=status.HTTP_201_CREATED)


@draft_schemas(
    tag="consultations",
    label=gettext_lazy("Consultation for a unit"),
    example=CONSULTATION_EXAMPLE,
)
class ConsultationViewSet(DraftViewSet):
    kind = CaseKind.CONSULTATION
    route = "consultation"
    form_class = ConsultationForm
    input_class = s.ConsultationInputSerializer
    patch_class = s.ConsultationPatchSerializer
    output_class = s.ConsultationSerializer
