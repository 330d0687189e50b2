from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gdportal.brdocs import (
    mask_email,
    mask_name,
    mask_phone,
    normalize_document,
    only_digits,
    validate_document,
)
from gdportal.brformats import number_br
from gdportal.cases import rules
from gdportal.cases.choices import GFC_THRESHOLD_KW, POWER_LIMITS, CaseKind, DocumentKind, RequestType
from gdportal.cases.documents import allowed_types, identity_kinds, kind_label, latest_versions
from gdportal.cases.filing_checks import FAST_TRACK_TERM, GRID_ZERO_DECLARATION, filing_errors
from gdportal.cases.gfc import EXEMPT_MODALITIES, gfc_amount, gfc_required
from gdportal.cases.held import FIELD as HELD_FIELD
from gdportal.cases.held import held_from_token, held_token
from gdportal.cases.models import Case
from gdportal.cases.plants import current_plant
from gdportal.cases.reason_fields import ReasonsField
from gdportal.formfields import (
    DOCUMENT_ATTRS,
    PROTOCOL_ATTRS,
    BRDecimalField,
    CEPField,
    DocumentField,
    NamedRequiredMixin,
    PhoneField,
    name_required_errors,
    set_input_attrs,
)
from gdportal.uploads import check_upload


class InstallationLookupForm(NamedRequiredMixin, forms.Form):
    q = forms.CharField(
        label=_("CPF/CNPJ, client number or installation number"),
        max_length=20,
        widget=forms.TextInput(attrs={k: v for k, v in DOCUMENT_ATTRS.items() if k != "data-mask"}),
    )

    def clean_q(self):
        raw = self.cleaned_data["q"]
        bare, digits = normalize_document(raw), only_digits(raw)
        if len(digits) == 10 and digits == bare:
            return ("number", digits)
        if len(bare) in (11, 14):
            return ("document", validate_document(bare))
        raise ValidationError(
            _(
                "Type a CPF (11 digits), a CNPJ (14 characters), or a client or installation number "
                "(10 digits)."
            ),
            code="lookup",
        )


# What the §15 checks read from the form besides the installation (gdportal/cases/filing_checks.py).
FILING_INPUTS = ("coordinates_confirmed", "coordinates_reason", "fast_track_term", "grid_zero")
FILING_FIELDS = ("latitude", "longitude", *FILING_INPUTS, "modality", "power_kw")


# Issue 10: the order of templates/atende/request_form.html (the error summary lists errors in this order) and
# autofill tokens for the personal fields (WCAG 1.3.5).
REQUEST_PAGE_ORDER = (
    [
        "reason",
        "holder_name",
        "document",
        "installation_class",
        "cep",
        "street",
        "street_number",
        "complement",
    ]
    + ["district", "municipality", "uf", "phone", "mobile", "email", "latitude", "longitude"]
    + ["coordinates_confirmed", "coordinates_reason", "power_kw", "source", "modality", "request_type"]
    + ["fast_track_term", "grid_zero", "requester_name", "requester_phone", "requester_email"]
)
REQUEST_PAGE_END = ["gfc_form", "gfc_bank", "file_gfc_proof", "other_info", "declaration"]
REQUEST_INPUT_ATTRS = {
    "street": {"autocomplete": "address-line1"},
    "complement": {"autocomplete": "address-line2"},
    "district": {"autocomplete": "address-level3"},
    "municipality": {"autocomplete": "address-level2"},
    "uf": {"autocomplete": "address-level1", "autocapitalize": "characters"},
    "mobile": {"autocomplete": "mobile tel"},
    "email": {"autocomplete": "email"},
    "requester_name": {"autocomplete": "name"},
    "requester_email": {"autocomplete": "email"},
}


class AccessRequestForm(forms.ModelForm):
    """The 'Solicitar Mini/Micro Geração Distribuída' form (SPEC §4.2)."""

    # Shown, never typed: the holder's CPF/CNPJ is the registry's (masked for an RT who does not serve them).
    document = forms.CharField(label=_("CPF/CNPJ"), required=False, disabled=True)
    cep = CEPField()
    phone = PhoneField(label=_("Phone"))
    mobile = PhoneField(label=_("Mobile"), required=False)
    requester_phone = PhoneField(label=_("Requester phone"))
    latitude = BRDecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, help_text=_("Decimal degrees, e.g. -19,9167")
    )
    longitude = BRDecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, help_text=_("Decimal degrees, e.g. -43,9345")
    )
    power_kw = BRDecimalField(
        label=_("Installed power (kW)"),
        max_digits=9,
        decimal_places=2,
        thousands=True,
        help_text=_(
            "E.g. 8,5 or 1.500. The comma marks the decimals (a dot does too, as in 8.5); a dot followed by "
            "three digits groups thousands: 1.000 is one thousand kW."
        ),
    )
    declaration = forms.BooleanField(
        label=_(
            "I declare that I know the documentation required for the request and that the information "
            "given is true."
        ),
        required=True,
    )
    # SPEC §15: the override of the coordinates check, and the art. 73-A term and declaration.
    coordinates_confirmed = forms.BooleanField(label=_("I confirm the coordinates given"), required=False)
    coordinates_reason = forms.CharField(
        label=_("Why the coordinates differ from the registered address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("At least 20 characters, e.g. the plant stands on another part of the property."),
    )
    fast_track_term = forms.BooleanField(
        label=FAST_TRACK_TERM,
        required=False,
        help_text=_(
            "Local self-consumption up to 7,5 kW: with this term the request is dispensed from the "
            "flow-inversion analysis (REN 1.000 art. 73-A)."
        ),
    )
    grid_zero = forms.BooleanField(
        label=GRID_ZERO_DECLARATION,
        required=False,
        help_text=_("Dispenses the request from the flow-inversion analysis (REN 1.000 art. 73-A)."),
    )

    class Meta:
        model = Case
        fields = [
            "reason",
            "holder_name",
            "installation_class",
            "document",
            "cep",
            "street",
            "street_number",
            "complement",
            "district",
            "municipality",
            "uf",
            "phone",
            "mobile",
            "email",
            "latitude",
            "longitude",
            "power_kw",
            "source",
            "request_type",
            "modality",
            "coordinates_confirmed",
            "coordinates_reason",
            "fast_track_term",
            "grid_zero",
            "requester_name",
            "requester_phone",
            "requester_email",
            "other_info",
            "gfc_form",
            "gfc_bank",
            "declaration",
        ]
        widgets = {"other_info": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self, *args, customer, installation=None, full_view=True, user=None, documents_later=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.customer = customer
        # The API and bulk filing save the fields first and attach the files afterwards: the draft may lack
        # them, and case_submit refuses to send it until they are there.
        self.documents_later = documents_later
        self.installation = installation
        self.full_view = full_view
        self.user = user
        self.open_case, self.open_case_visible = None, False
        # The plant already there, for the page's hint and prefill only (the expansion rule itself reads it
        # in gdportal/cases/rules.py, for an expansion only): the API and bulk filing show neither, and a
        # query per row would make a 500-row file cost 500 more.
        shown = installation is not None and not documents_later
        self.current_plant = current_plant(installation.pk) if shown else None
        if self.current_plant is not None:
            self.fields["power_kw"].help_text = "{} {}".format(
                _(
                    "This installation already has a %(current)s kW plant: for an expansion, type the total "
                    "power after the change."
                )
                % {"current": number_br(self.current_plant.power_kw)},
                self.fields["power_kw"].help_text,
            )
        self.fields["holder_name"].disabled = True
        # Both come from the registry whatever is posted; only what is shown depends on who is looking.
        self.initial["holder_name"] = customer.name if full_view else mask_name(customer.name)
        self.initial["document"] = customer.document_display if full_view else customer.document_masked
        if not full_view:
            self.registry_contacts = ", ".join(
                filter(None, [mask_email(customer.email), mask_phone(customer.phone)])
            )
        self.fields["uf"].help_text = _("Cemig's concession: Minas Gerais (MG).")
        # Shown, not chosen: Cemig serves MG only. Read-only rather than disabled, so the value is still
        # posted and checked (clean_uf) like any other.
        self.fields["uf"].widget.attrs.update(readonly=True, **{"class": "bg-body-secondary"})
        for name in ("gfc_form", "gfc_bank"):
            if name in self.fields:
                self.fields[name].required = False
        if not self.instance.pk:
            self.initial.update(self._prefill())
        self.existing = latest_versions(self.instance) if self.instance.pk else {}
        self.file_kinds = list(identity_kinds(customer.person_type)) + [DocumentKind.GFC_PROOF]
        for kind in self.file_kinds:
            self.fields[f"file_{kind}"] = forms.FileField(
                label=kind_label(kind),
                required=False,
                help_text=_("PDF, JPG or PNG, up to %(max)s MB.")
                % {"max": settings.GD_UPLOAD_MAX_BYTES // 2**20},
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            )
        # Files kept from an earlier submit of this form that failed (gdportal/cases/held.py), the user's own.
        token = self.data.get(HELD_FIELD) if self.is_bound else None
        held = held_from_token(user, token)
        self.held = {kind: row for kind, row in held.items() if kind in self.file_kinds}
        self.verified_uploads = []  # new files that passed the checks: held if the form fails after all
        self.attachments = []  # (kind, UploadedFile or HeldUpload): what the saved draft takes
        files = [f"file_{kind}" for kind in self.file_kinds if kind != DocumentKind.GFC_PROOF]
        self.order_fields(REQUEST_PAGE_ORDER + files + REQUEST_PAGE_END)
        set_input_attrs(self, REQUEST_INPUT_ATTRS)
        name_required_errors(self)

    def _prefill(self):
        """What the registry fills in. For an RT who does not serve the customer yet, nothing personal:
        the RT types the address, coordinates and contacts they collected on site."""
        data = {"uf": "MG"}
        inst = self.installation
        if inst is not None:
            data.update(
                installation_class=inst.installation_class,
                district=inst.district,
                municipality=inst.municipality,
                uf=inst.state,
            )
            # A plant already there: this request most likely enlarges it (SPEC §16), typed once already.
            if self.current_plant is not None:
                data.update(
                    request_type=RequestType.EXPANSION,
                    source=self.current_plant.source,
                    modality=self.current_plant.modality,
                )
        else:
            data["request_type"] = RequestType.NEW_UNIT
        if not self.full_view:
            return data
        data.update(
            email=self.customer.email,
            phone=self.customer.phone,
            requester_name=self.customer.name,
            requester_email=self.customer.email,
            requester_phone=self.customer.phone,
        )
        if inst is not None:
            data.update(
                cep=inst.cep_display,
                street=inst.street,
                street_number=inst.street_number,
                complement=inst.complement,
                latitude=inst.latitude,
                longitude=inst.longitude,
            )
        return data

    @property
    def power_limits(self):
        """For portal.js, which picks the motivo from the power: 'micro_le10:0:10 micro_gt10:10:75 …'."""
        return " ".join(f"{reason}:{low}:{high}" for reason, (low, high) in POWER_LIMITS.items())

    @property
    def gfc_threshold(self):
        return GFC_THRESHOLD_KW

    @property
    def gfc_exempt(self):
        return " ".join(sorted(EXEMPT_MODALITIES))

    # --- field rules ------------------------------------------------------------------------------------
    def clean_holder_name(self):
        return self.customer.name

    def clean_document(self):
        return self.customer.document

    def clean_uf(self):
        uf = (self.cleaned_data.get("uf") or "").strip().upper()
        if message := rules.state_error(uf):
            raise ValidationError(message, code="state")
        return uf

    def clean_latitude(self):
        return self._in_bounds("latitude", "lat")

    def clean_longitude(self):
        return self._in_bounds("longitude", "lon")

    def _in_bounds(self, name, axis):
        value = self.cleaned_data.get(name)
        if message := rules.coordinate_error(value, axis):
            raise ValidationError(message, code="bounds")
        return value

    def clean(self):
        data = super().clean()
        self._check_open_request()
        self._check_request_type(data)
        self._check_power(data)
        self._check_gfc(data)
        self._check_files(data)
        self._check_filing(data)
        return data

    def _check_filing(self, data):
        """SPEC §15 at the fields: coordinates against the registry, the art. 73-A term and declaration."""
        probe = SimpleNamespace(
            kind=CaseKind.ACCESS,
            installation=self.installation,
            installation_id=self.installation.pk if self.installation else None,
            **{name: data.get(name) for name in FILING_FIELDS},
        )
        for name, message in filing_errors(probe).items():
            self.add_error(name, message)

    @property
    def show_coordinates_override(self):
        """The page offers the override once the check refused the coordinates, or when it was ticked."""
        if not self.is_bound:
            return bool(self.instance.coordinates_confirmed)
        return bool(self.data.get("coordinates_confirmed")) or bool(
            {"latitude", "coordinates_reason"} & set(self.errors)
        )

    def _check_open_request(self):
        """The view stops a new request for an installation with one under way; a draft typed before that
        one was sent meets the rule here (and the service has the last word)."""
        if self.installation is None:
            return
        self.open_case = rules.open_access_request(self.installation.pk, exclude_pk=self.instance.pk)
        if message := rules.open_request_error(self.installation.number, self.open_case):
            self.add_error(None, message)
            self.open_case_visible = bool(
                self.user and Case.objects.for_user(self.user).filter(pk=self.open_case.pk).exists()
            )

    def _check_request_type(self, data):
        if message := rules.request_type_error(data.get("request_type"), self.installation is not None):
            self.add_error("request_type", message)
            return
        if self.installation is not None:
            errors = rules.expansion_errors(
                data.get("request_type"), self.installation.pk, self.installation.number, data.get("power_kw")
            )
            for field, message in errors.items():
                if field not in self.errors:
                    self.add_error(field, message)

    def _check_power(self, data):
        if message := rules.power_error(data.get("power_kw"), data.get("reason"), data.get("source")):
            self.add_error("power_kw", message)

    def _check_gfc(self, data):
        self.gfc_required = gfc_required(data.get("reason"), data.get("power_kw"), data.get("modality"))
        if not self.gfc_required:
            data["gfc_form"], data["gfc_bank"] = "", ""
            return
        self.gfc_amount = gfc_amount(data["power_kw"])
        gfc = [data.get(name) for name in ("reason", "power_kw", "modality", "gfc_form", "gfc_bank")]
        for field, message in rules.gfc_errors(*gfc).items():
            self.add_error(field, message)
        if data.get("gfc_form") != "bank":
            data["gfc_bank"] = ""

    def _check_files(self, data):
        needed = list(identity_kinds(self.customer.person_type))
        if self.gfc_required:
            needed.append(DocumentKind.GFC_PROOF)
        for kind in self.file_kinds:
            name = f"file_{kind}"
            uploaded = data.get(name)
            if uploaded:
                try:
                    check_upload(uploaded, allowed=allowed_types(kind))
                except ValidationError as exc:
                    # A file held from an earlier submit stays held: only a verified file replaces it.
                    self.add_error(name, exc)
                    continue
                self.verified_uploads.append((kind, uploaded))
                source = uploaded
            else:
                source = self.held.get(kind)
            if source is not None:
                if kind in needed:
                    self.attachments.append((kind, source))
            elif kind in needed and kind not in self.existing and not self.documents_later:
                self.add_error(name, _("Attach this document."))

    # --- the attachments as the page shows them ---------------------------------------------------------
    @property
    def held_token(self):
        return held_token(self.user, self.held)

    def _file_row(self, kind):
        attached = self.held.get(kind) or self.existing.get(kind)
        return {"kind": kind, "field": self[f"file_{kind}"], "attached": attached, "held": kind in self.held}

    @property
    def file_rows(self):
        """The identity documents: each with the file already attached (held or the draft's), if any."""
        return [self._file_row(kind) for kind in self.file_kinds if kind != DocumentKind.GFC_PROOF]

    @property
    def gfc_file_row(self):
        return self._file_row(DocumentKind.GFC_PROOF) if DocumentKind.GFC_PROOF in self.file_kinds else None

    def save(self, commit=True):
        case = super().save(commit=False)
        case.customer = self.customer
        case.installation = self.installation
        case.holder_name = self.customer.name
        case.gfc_amount = getattr(self, "gfc_amount", None) if self.gfc_required else None
        case.declaration = True
        return case


class ConsultationForm(AccessRequestForm):
    """Consulta de acesso (SPEC §4.3): same data, no installation number needed, no attachments."""

    class Meta(AccessRequestForm.Meta):
        fields = [
            f
            for f in AccessRequestForm.Meta.fields
            if f not in ("gfc_form", "gfc_bank", "declaration", *FILING_INPUTS)
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in self.file_kinds:
            del self.fields[f"file_{kind}"]
        self.file_kinds = []
        self.held = {}
        del self.fields["declaration"]

    def _check_open_request(self):
        pass  # a consultation is possible while a request is under way

    def _check_request_type(self, data):
        pass

    def _check_gfc(self, data):
        self.gfc_required = False

    def _check_files(self, data):
        pass

    def _check_filing(self, data):
        pass  # a consultation files nothing: no coordinates check, no art. 73-A

    def save(self, commit=True):
        case = super().save(commit=False)
        case.kind = "consultation"
        case.declaration = False
        return case


class DecisionForm(NamedRequiredMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    reasons = ReasonsField(label=_("Reasons of the rejection (catalogue)"))


class CancelForm(NamedRequiredMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the cancellation is immediate and cannot be undone.")
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublicLookupForm(NamedRequiredMixin, forms.Form):
    protocol = forms.CharField(
        label=_("Protocol number"), max_length=20, widget=forms.TextInput(attrs=PROTOCOL_ATTRS)
    )
    document = DocumentField(label=_("CPF/CNPJ of the holder"))

    def clean_protocol(self):
        protocol = only_digits(self.cleaned_data["protocol"])
        if len(protocol) != 13:
            raise ValidationError(_("The protocol has 13 digits."), code="protocol")
        return protocol
