"""The public flow-inversion calculator, /calculadora/ (SPEC §7.3, "Calculadora para liberação").

Anyone can type a class and an average consumption; a signed-in customer can instead pick one of their own
installations, whose class and last 12 readings fill the form. The rule itself is shared with the Atende
request form: gdportal.registry.flow_inversion.

Kept apart from compensation's other views (the titular's units and statements) so the two grow independently.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from gdportal.brformats import number_br
from gdportal.formfields import BRDecimalField, NamedRequiredMixin
from gdportal.registry import flow_inversion
from gdportal.registry.models import Installation, InstallationClass

FIELDS = ("installation_class", "average_kwh")


class CalculatorForm(NamedRequiredMixin, forms.Form):
    installation_class = forms.ChoiceField(
        label=_("Consumer class"), choices=[("", "---------"), *InstallationClass.choices]
    )
    # thousands=True: "1.250" is one thousand two hundred and fifty kWh, as a bill prints it.
    average_kwh = BRDecimalField(
        thousands=True,
        label=_("Average consumption of the last 12 billing cycles (kWh)"),
        help_text=_("The arithmetic mean of the kWh billed in the last 12 cycles, e.g. 350 or 412,5."),
        min_value=Decimal("0.01"),
        max_value=Decimal("1000000000"),
    )

    def clean_average_kwh(self):
        # Two decimals, so the formula shown with its numbers is the one computed.
        return self.cleaned_data["average_kwh"].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class InstallationPickForm(forms.Form):
    installation = forms.ChoiceField(label=_("Your installation"))

    def __init__(self, *args, installations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["installation"].choices = [
            (inst.number, f"{inst.number} — {inst.address}") for inst in installations
        ]


def own_installations(user):
    """A customer's own active installations (one query); nobody else gets a list — an RT or a member of
    staff reaches every installation, which is no list to pick from on a public page."""
    if not (user.is_authenticated and user.is_customer and user.customer_id):
        return []
    return list(Installation.objects.for_user(user).active().order_by("number"))


def result_for(installation_class, average_kwh):
    """What the page shows: the power and the formula with its numbers, as Brazilians write them."""
    factor = flow_inversion.adjustment_factor(installation_class)
    power = flow_inversion.compatible_power_kw(installation_class, average_kwh)
    return {
        "power": number_br(power, decimal_pos=2),
        "average": number_br(average_kwh),
        "factor": number_br(factor),
        "factor_percent": number_br(factor * 100),
        "capacity_factor": number_br(flow_inversion.capacity_factor()),
        "hours": number_br(flow_inversion.HOURS_PER_CYCLE),
        "class_label": InstallationClass(installation_class).label,
    }


@require_GET
def calculator(request):
    installations = own_installations(request.user)
    picked, average, form = None, None, None
    number = request.GET.get("installation", "").strip()
    if number:
        # Only the signed-in customer's own installations: any other number (someone else's, or any number
        # at all for a visitor) is not found, and no reading of it is ever read.
        picked = next((inst for inst in installations if inst.number == number), None)
        if picked is None:
            raise Http404
        average = flow_inversion.average_consumption(picked)
        if average is not None:
            form = CalculatorForm(
                {"installation_class": picked.installation_class, "average_kwh": number_br(average.kwh)}
            )
        else:
            form = CalculatorForm(initial={"installation_class": picked.installation_class})
    if form is None:
        form = CalculatorForm(request.GET if any(name in request.GET for name in FIELDS) else None)
    result = None
    if form.is_bound and form.is_valid():
        result = result_for(form.cleaned_data["installation_class"], form.cleaned_data["average_kwh"])
    pick = InstallationPickForm(initial={"installation": number}, installations=installations)
    factors = [
        (InstallationClass(key).label, number_br(value * 100))
        for key, value in flow_inversion.ADJUSTMENT_FACTORS.items()
    ]
    return render(
        request,
        "compensation/calculator.html",
        {
            "form": form,
            "pick": pick if installations else None,
            "picked": picked,
            "average": average,
            "result": result,
            "factors": factors,
            "capacity_factor": number_br(flow_inversion.capacity_factor()),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
