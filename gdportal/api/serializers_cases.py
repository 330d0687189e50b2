"""The case as the API shows it: what its filer sees on the status page, nothing more (SPEC §14)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gdportal.brdocs import mask_name
from gdportal.cases.choices import CaseKind, CaseState, EventAction
from gdportal.cases.models import Case, CaseEvent, DocumentFinding, DocumentVersion
from gdportal.deadlines.models import Deadline


class ClockSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=_("Clock code (SPEC §9)."))
    label = serializers.CharField(help_text=_("What is awaited."))
    awaiting = serializers.CharField(source="awaited_party", help_text=_("Whose turn it is."))
    overdue = serializers.SerializerMethodField(help_text=_("Past its due date."))
    paused = serializers.SerializerMethodField(help_text=_("Standing still (e.g. works under way)."))

    class Meta:
        model = Deadline
        fields = [
            "kind",
            "label",
            "awaiting",
            "started_at",
            "due_at",
            "state",
            "overdue",
            "paused",
            "paused_at",
        ]

    def get_overdue(self, clock) -> bool:
        from django.utils import timezone

        return clock.state == Deadline.State.LAPSED or (
            clock.paused_at is None and clock.due_at < timezone.now()
        )

    def get_paused(self, clock) -> bool:
        return clock.paused_at is not None


class EventSerializer(serializers.ModelSerializer):
    action = serializers.ChoiceField(choices=EventAction.choices)
    action_label = serializers.CharField(source="get_action_display")
    from_state = serializers.CharField(help_text=_("State before (empty for events that move nothing)."))
    to_state = serializers.CharField(help_text=_("State after (empty for events that move nothing)."))

    class Meta:
        model = CaseEvent
        fields = ["id", "created_at", "action", "action_label", "from_state", "to_state", "note"]


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentFinding
        fields = ["code", "message"]


class DocumentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField()
    verdict = serializers.CharField(help_text=_("conforming, not_conforming or empty while not judged."))
    checked_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the automatic checks read the file; null until then.")
    )
    findings = FindingSerializer(
        many=True,
        read_only=True,
        help_text=_("What the automatic checks found in the file: warnings to verify, never a refusal."),
    )

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "kind",
            "kind_label",
            "original_name",
            "size",
            "sha256",
            "content_type",
            "uploaded_at",
        ]
        fields += ["verdict", "verdict_note", "checked_at", "findings"]


class FlowStudySerializer(serializers.Serializer):
    """A flow-inversion study of the case (SPEC §15): what it backs, its PDF, its engineer and ART."""

    decision = serializers.CharField(
        help_text=_(
            "technical_reject, technical_suspend, parecer_unfavourable, injection_limit or studies_delivered."
        )
    )
    decision_label = serializers.CharField(source="get_decision_display")
    document = serializers.IntegerField(source="document_id", help_text=_("The PDF's document id."))
    engineer = serializers.CharField()
    art_number = serializers.CharField()
    created_at = serializers.DateTimeField()


class CaseSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices, read_only=True)
    state = serializers.ChoiceField(choices=CaseState.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    installation = serializers.SerializerMethodField(help_text=_("Installation number (10 digits)."))
    rt = serializers.SerializerMethodField(help_text=_("The responsible technician's name, if any."))

    class Meta:
        model = Case
        fields = ["id", "protocol", "kind", "state", "state_label", "installation", "holder_name", "rt"]
        fields += ["reason", "power_kw", "source", "modality", "request_type", "created_at", "submitted_at"]
        fields += ["state_changed_at", "updated_at"]
        read_only_fields = fields

    def to_representation(self, case):
        data = super().to_representation(case)
        # An RT sees a customer's name in full only once they serve them (their case past the commercial
        # check), as on the pages; before that — their own draft for a stranger — it is masked.
        served = self.context.get("served_customers")
        if served is not None and case.customer_id not in served:
            data["holder_name"] = mask_name(data["holder_name"])
        return data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_installation(self, case):
        return case.installation.number if case.installation_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rt(self, case):
        return case.rt.get_full_name() if case.rt_id else None


class CaseDetailSerializer(CaseSerializer):
    clocks = ClockSerializer(many=True, source="visible_clocks", read_only=True)
    timeline = EventSerializer(many=True, source="events", read_only=True)
    documents = serializers.SerializerMethodField()
    decision_note = serializers.CharField(read_only=True, help_text=_("Reason of the last decision."))
    answer = serializers.CharField(read_only=True, help_text=_("The answer to a consultation."))
    flow_studies = FlowStudySerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + ["decision_note", "answer", "clocks", "timeline", "documents"]
        fields += ["flow_studies"]
        # SPEC §15: why the case is dispensed from the flow-inversion analysis (art. 73-A), '' when it is not.
        fields += ["flow_dispensation"]
        read_only_fields = fields

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, case):
        """The newest version of each kind (older versions stay in the case, never overwritten)."""
        latest = {}
        for version in case.documents.all():  # prefetched, ordered kind, newest first
            latest.setdefault(version.kind, version)
        return DocumentSerializer(latest.values(), many=True).data
