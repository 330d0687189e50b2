"""The technical analyst's review form (SPEC §5.4): a verdict and a note per document, a "todos conformes"
shortcut, and the decision — one form, one submit. It only reads what was typed; the decision and every
verdict are services_technical.case_technical_review's, in one transaction."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from gdportal.cases.choices import Verdict


@dataclass
class ReviewRow:
    """A checklist row as the form shows it: what is chosen now (typed, or saved before)."""

    row: object  # selectors.ChecklistRow
    verdict_name: str
    note_name: str
    verdict: str
    note: str


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

    # The verdict on "Dados técnicos da geração" (SPEC §16), given like a document's.
    data_verdict = forms.ChoiceField(choices=[("", "—"), *Verdict.choices], required=False)
    data_note = forms.CharField(required=False, max_length=4000)

    def __init__(self, *args, rows, generation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.generation = generation
        if generation is not None:
            self.fields["data_verdict"].initial = generation.verdict_current
            self.fields["data_note"].initial = generation.verdict_note if generation.verdict_current else ""
        # The latest version of each checklist row is judged; a missing document has nothing to judge.
        self.judged = [row for row in rows if row.latest is not None]
        for row in self.judged:
            version = row.latest
            self.fields[f"verdict-{version.pk}"] = forms.ChoiceField(
                choices=[("", "—"), *Verdict.choices], required=False, initial=version.verdict
            )
            self.fields[f"note-{version.pk}"] = forms.CharField(
                required=False, max_length=4000, initial=version.verdict_note
            )
        self.rows = [self._row(row) for row in rows]

    def _row(self, row):
        if row.latest is None:
            return ReviewRow(row, "", "", "", "")
        verdict_name, note_name = f"verdict-{row.latest.pk}", f"note-{row.latest.pk}"
        return ReviewRow(
            row, verdict_name, note_name, self[verdict_name].value() or "", self[note_name].value() or ""
        )

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
