"""The clocks stage 1 starts (SPEC §9)."""

from django.utils.translation import gettext_lazy as _

from gdportal.accounts import roles
from gdportal.deadlines.registry import DeadlineKind, business_days, calendar_days, hours, register

from .lapse import expire_cases

COMMERCIAL_SLA = register(
    DeadlineKind(
        code="commercial_sla",
        label=_("Commercial analysis of the request"),
        party=_("Cemig — commercial analyst"),
        compute_due=business_days("GD_COMMERCIAL_SLA_BUSINESS_DAYS"),
        staff_role=roles.COMMERCIAL_ANALYST,
    )
)
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
CONSULTATION_ANSWER = register(
    DeadlineKind(
        code="consultation_answer",
        label=_("Answer to the access consultation"),
        party=_("Cemig"),
        compute_due=calendar_days("GD_CONSULTATION_ANSWER_DAYS"),
        staff_role=roles.COMMERCIAL_ANALYST,
    )
)
