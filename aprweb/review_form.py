"""The technical analyst's review form (SPEC §5.4): a verdict and a note per document, a "todos conformes"
shortcut, and the decision — one form, one submit. It only reads what was typed; the decision and every
verdict are services_technical.case_technical_review's, in one transaction."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from gdportal.cases.choices import Verdict
from gdportal.cases.flow import FIELD_FLOW
from gdportal.cases.flow_forms import study_fields, study_kwargs
from gdportal.cases.reason_fields import ReasonsField, share_catalogue
from gdportal.cases.reasons_services import draft_reason_codes


@dataclass
class ReviewRow:
    """A checklist row as the form shows it: what is chosen now (typed, or saved before)."""

    row: object  # selectors.ChecklistRow
    verdict_name: str
    note_name: str
    verdict: str
    note: str
    reasons: object = None  # BoundField: the reasons of a Não conforme
    new_fact: object = None  # BoundField: "Fato novo" (one round of pendências, SPEC §15)
    new_fact_note: object = None
    errors: list = None


class TechnicalReviewForm(forms.Form):
    DECISIONS = [
        ("", _("Only save the verdicts")),
        ("approve", _("Approve")),
        ("suspend", _("Suspend with the pending items")),
        ("reject", _("Reject")),
    ]
    all_conforming = forms.BooleanField(
        label=_("Mark every document not yet judged as conforming"), required=False
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, required=False)
    grid_works_needed = forms.BooleanField(label=_("Grid works are needed"), required=False)
    note = forms.CharField(
        label=_("Note to the RT (suspension) or reason (rejection)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reasons = ReasonsField(
        label=_("Reasons of the suspension or rejection"),
        help_text=_(
            "Required to reject. To suspend, the reasons of the documents not conforming are sent; add here "
            "any reason of the whole order."
        ),
    )

    # The verdict on "Dados técnicos da geração" (SPEC §16), given like a document's.
    data_verdict = forms.ChoiceField(choices=[("", "—"), *Verdict.choices], required=False)
    data_note = forms.CharField(required=False, max_length=4000)

    def __init__(self, *args, rows, case=None, generation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.generation = generation
        if generation is not None:
            self.fields["data_verdict"].initial = generation.verdict_current
            self.fields["data_note"].initial = generation.verdict_note if generation.verdict_current else ""
        # "Por inversão de fluxo" with its study (SPEC §15) — never offered on a case art. 73-A dispenses.
        self.offers_flow_inversion = case is not None and not case.flow_dispensation
        if self.offers_flow_inversion:
            self.fields[FIELD_FLOW] = forms.BooleanField(
                label=_("For flow inversion (attach the study, its engineer and ART)"), required=False
            )
            self.fields.update(study_fields())
        # The latest version of each checklist row is judged; a missing document has nothing to judge.
        self.judged = [row for row in rows if row.latest is not None]
        chosen = draft_reason_codes([row.latest for row in self.judged]) if self.judged else {}
        for row in self.judged:
            version = row.latest
            self.fields[f"verdict-{version.pk}"] = forms.ChoiceField(
                choices=[("", "—"), *Verdict.choices], required=False, initial=version.verdict
            )
            self.fields[f"note-{version.pk}"] = forms.CharField(
                required=False, max_length=4000, initial=version.verdict_note
            )
            self.fields[f"reasons-{version.pk}"] = ReasonsField(
                label=_("Reasons"), initial=chosen.get(version.pk, []), help_text=""
            )
            self.fields[f"new_fact-{version.pk}"] = forms.BooleanField(
                label=_("Fato novo"), required=False, initial=version.new_fact
            )
            self.fields[f"new_fact_note-{version.pk}"] = forms.CharField(
                label=_("What is the new fact?"),
                required=False,
                max_length=2000,
                initial=version.new_fact_note,
            )
        share_catalogue(field for field in self.fields.values() if isinstance(field, ReasonsField))
        self.rows = [self._row(row) for row in rows]

    def _row(self, row):
        if row.latest is None:
            return ReviewRow(row, "", "", "", "")
        pk = row.latest.pk
        verdict_name, note_name = f"verdict-{pk}", f"note-{pk}"
        return ReviewRow(
            row,
            verdict_name,
            note_name,
            self[verdict_name].value() or "",
            self[note_name].value() or "",
            reasons=self[f"reasons-{pk}"],
            new_fact=self[f"new_fact-{pk}"],
            new_fact_note=self[f"new_fact_note-{pk}"],
        )

    def row_errors(self):
        """Each row's field errors (after a refusal), for the template."""
        for item in self.rows:
            if item.row.latest is not None:
                pk = item.row.latest.pk
                names = [
                    f"verdict-{pk}",
                    f"note-{pk}",
                    f"reasons-{pk}",
                    f"new_fact-{pk}",
                    f"new_fact_note-{pk}",
                ]
                item.errors = [error for name in names for error in self.errors.get(name, [])]

    def verdict_reasons(self):
        """{version id: [reasons]} chosen for the versions marked not conforming."""
        return {
            pk: list(self.cleaned_data[f"reasons-{pk}"])
            for pk, (verdict, _note) in self.verdicts().items()
            if verdict == Verdict.NONCONFORMING
        }

    def new_facts(self):
        """{version id: explanation} of the versions ticked "Fato novo"."""
        return {
            row.latest.pk: self.cleaned_data[f"new_fact_note-{row.latest.pk}"]
            for row in self.judged
            if self.cleaned_data[f"new_fact-{row.latest.pk}"]
        }

    def data_verdict_given(self):
        """(verdict, note) on the generation data, or None. The shortcut counts it like a document."""
        if self.generation is None:
            return None
        verdict = self.cleaned_data.get("data_verdict") or ""
        if not verdict and not self.generation.verdict_current and self.cleaned_data["all_conforming"]:
            verdict = Verdict.CONFORMING
        return (verdict, self.cleaned_data.get("data_note") or "") if verdict else None

    def verdicts(self):
        """{version id: (verdict, note)} the form gives. With the shortcut, a version judged neither on the
        form nor before counts as conforming; one the analyst judged keeps that verdict."""
        result = {}
        for row in self.judged:
            version = row.latest
            verdict = self.cleaned_data[f"verdict-{version.pk}"]
            note = self.cleaned_data[f"note-{version.pk}"]
            if not verdict and not version.verdict and self.cleaned_data["all_conforming"]:
                verdict = Verdict.CONFORMING
            if verdict:
                result[version.pk] = (verdict, note)
        return result

    def flow_kwargs(self):
        """The flow-inversion part of the decision, for case_technical_review."""
        if not self.offers_flow_inversion:
            return {}
        return {"flow_inversion": self.cleaned_data.get(FIELD_FLOW, False), **study_kwargs(self.cleaned_data)}
