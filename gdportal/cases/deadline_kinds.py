"""Clocks that cross stages (SPEC §9): the NS (stage 1) starts the APR ones and the order (stage 2) closes
them; the order starts the parecer's and stage 3 closes it; the commercial check starts the GFC's."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from gdportal.accounts import roles
from gdportal.deadlines import calendar
from gdportal.deadlines.kinds import (
    DeadlineKind,
    business_days,
    calendar_days,
    closed_days,
    days_before,
    hours,
    register,
    reminder_times,
)
from gdportal.transparency import stages as public

from .choices import Reason
from .lapse import expire_cases, lapse_each

APR_REGISTER = register(
    DeadlineKind(
        code="apr_register",
        public_stage=public.APR_DOCUMENTS,
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
        public_stage=public.APR_DOCUMENTS,
        label=_("Submit the technical documents in APR Web"),
        party=_("Responsible technician"),
        compute_due=business_days("GD_APR_SUBMIT_BUSINESS_DAYS"),
        enforcing=True,
        on_lapse=expire_cases,
    )
)


def parecer_days(case):
    """15 / 30 / 45 days (REN 1.000 art. 64): micro without grid works, micro with works, minigeneration."""
    if case.reason == Reason.MINI:
        return settings.GD_PARECER_DAYS_MINI
    if case.grid_works_needed:
        return settings.GD_PARECER_DAYS_MICRO_WITH_WORKS
    return settings.GD_PARECER_DAYS_MICRO


def _parecer_due(started_at, case):
    return calendar.end_of_day(
        calendar.add_calendar_days(calendar.local_date(started_at), parecer_days(case), closed=closed_days())
    )


# Day 0 is the complete request — the APR order submitted or resubmitted (SPEC §6.1) —, so stage 2 starts it
# and stage 3 closes it when the parecer is issued.
PARECER_SLA = register(
    DeadlineKind(
        code="parecer_sla",
        public_stage=public.PARECER,
        label=_("Issue the access opinion (REN 1.000 art. 64)"),
        party=_("Cemig — technical analyst"),
        compute_due=_parecer_due,
        staff_role=roles.TECHNICAL_ANALYST,
    )
)


def _gfc_expiry_due(started_at, case):
    return calendar.end_of_day(case.guarantee.expires_on)


def _gfc_recipients(case):
    """The customer's people and the commercial group (SPEC §8)."""
    staff = (
        Group.objects.filter(name=roles.COMMERCIAL_ANALYST)
        .filter(user__is_active=True)
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys([*case.notify_emails, *(e for e in staff if e)]))


def _gfc_releasable(rows, now):
    from .gfc import gfc_mark_releasable

    def act(case, now):
        gfc_mark_releasable(case=case, reason=_("30 days after the connection"), at=now)

    return lapse_each(rows, now, act)


# The guarantee's own expiry date, from the verification (SPEC §6.5): the commercial group is warned 30 and 7
# days before, while the date is not yet safe (it is once it reaches 30 days after the connection).
GFC_EXPIRY = register(
    DeadlineKind(
        code="gfc_expiry",
        label=_("Renew the performance guarantee (GFC) before it expires"),
        party=_("Customer"),
        compute_due=_gfc_expiry_due,
        staff_role=roles.COMMERCIAL_ANALYST,
        remind=days_before(30, 7),
        reminder_templates=("gfc_expiring", "gfc_expiring"),
        recipients=_gfc_recipients,
    )
)
GFC_KEPT = register(
    DeadlineKind(
        code="gfc_kept",
        label=_("Keep the performance guarantee until 30 days after the connection"),
        party=_("Cemig"),
        compute_due=calendar_days("GD_GFC_KEPT_DAYS"),
        enforcing=True,
        reminders=False,
        on_lapse=_gfc_releasable,
    )
)


def _technical_analysts(case):
    """The studies are the technical analysts' to deliver: their reminders go to the group."""
    staff = (
        Group.objects.filter(name=roles.TECHNICAL_ANALYST)
        .filter(user__is_active=True)
        .values_list("user__email", flat=True)
    )
    return sorted({e for e in staff if e})


def _studies_breach(rows, now):
    from .flow import record_breaches

    record_breaches(rows, now)


# "Solicitar estudos de inversão de fluxo" (REN 1.000 art. 78; SPEC §15): the utility delivers within 10
# business days. A staff SLA with reminders to the group 2 business days and 24 hours before; once overdue the
# breach (art. 78, Tipo 1) is recorded on the case.
FLOW_STUDIES = register(
    DeadlineKind(
        code="flow_studies",
        label=_("Deliver the flow-inversion studies (REN 1.000 art. 78)"),
        party=_("Cemig — technical analyst"),
        compute_due=business_days("GD_STUDIES_BUSINESS_DAYS"),
        staff_role=roles.TECHNICAL_ANALYST,
        remind=reminder_times,
        reminder_templates=("flow_studies_due", "flow_studies_due"),
        recipients=_technical_analysts,
        on_overdue=_studies_breach,
    )
)
