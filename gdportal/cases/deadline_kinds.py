"""Clocks that cross stages (SPEC §9): the NS (stage 1) starts them, the APR order (stage 2) closes them."""

from django.utils.translation import gettext_lazy as _

from gdportal.deadlines.kinds import DeadlineKind, business_days, hours, register

from .lapse import expire_cases

APR_REGISTER = register(
    DeadlineKind(
        code="apr_register",
        label=_("Register the order in APR Web"),
        party=_("Responsible technician"),
        compute_due=hours("GD_APR_REGISTER_HOURS"),
        enforcing=True,
        on_lapse=expire_cases,
    )
)
APR_SUBMIT = register(
    DeadlineKind(
        code="apr_submit",
        label=_("Submit the technical documents in APR Web"),
        party=_("Responsible technician"),
        compute_due=business_days("GD_APR_SUBMIT_BUSINESS_DAYS"),
        enforcing=True,
        on_lapse=expire_cases,
    )
)
