"""The clocks stage 2 starts (SPEC §9): on its orders' cases and on RT registrations."""

from django.utils.translation import gettext_lazy as _

from gdportal.accounts import roles
from gdportal.cases import deadline_kinds as apr_clocks
from gdportal.cases.lapse import expire_cases
from gdportal.deadlines.kinds import DeadlineKind, business_days, calendar_days, register
from gdportal.transparency import stages as public

CORRECTION = register(
    DeadlineKind(
        code="correction",
        public_stage=public.APR_DOCUMENTS,
        label=_("Correct the pending items and resubmit in APR Web"),
        party=_("Responsible technician"),
        compute_due=calendar_days("GD_CORRECTION_DAYS"),
        enforcing=True,
        on_lapse=expire_cases,
    )
)
TECHNICAL_SLA = register(
    DeadlineKind(
        code="technical_sla",
        public_stage=public.TECHNICAL,
        label=_("Check the conformity of the documents (REN 1.000 art. 71)"),
        party=_("Cemig — technical analyst"),
        compute_due=business_days("GD_TECHNICAL_REVIEW_BUSINESS_DAYS"),
        staff_role=roles.TECHNICAL_ANALYST,
    )
)
RT_REGISTRATION_REVIEW = register(
    DeadlineKind(
        code="rt_registration_review",
        label=_("RT registration analysis"),
        party=_("Cemig — registration analyst"),
        compute_due=business_days("GD_RT_REVIEW_BUSINESS_DAYS"),
        staff_role=roles.REGISTRATION_ANALYST,
    )
)

# The clocks that wait for the RT: the nearest open one is each order's due date in the order search (copied
# onto AprOrder.due_at by aprweb.receivers, so the "most urgent first" sort reads one indexed column).
RT_CLOCKS = (apr_clocks.APR_REGISTER.code, apr_clocks.APR_SUBMIT.code, CORRECTION.code)
