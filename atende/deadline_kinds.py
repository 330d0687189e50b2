"""The clocks of stage 1's own work (SPEC §9); the APR clocks the NS starts are the kernel's."""

from django.utils.translation import gettext_lazy as _

from gdportal.accounts import roles
from gdportal.deadlines.kinds import DeadlineKind, business_days, calendar_days, register
from gdportal.transparency import stages as public

COMMERCIAL_SLA = register(
    DeadlineKind(
        code="commercial_sla",
        public_stage=public.COMMERCIAL,
        label=_("Commercial analysis of the request"),
        party=_("Cemig — commercial analyst"),
        compute_due=business_days("GD_COMMERCIAL_SLA_BUSINESS_DAYS"),
        staff_role=roles.COMMERCIAL_ANALYST,
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
