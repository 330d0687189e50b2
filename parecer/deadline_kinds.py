"""The clocks of stage 3 (SPEC §9): after the parecer, whose turn it is and until when."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gdportal.accounts import roles
from gdportal.cases.lapse import lapse_each
from gdportal.deadlines import calendar
from gdportal.deadlines.kinds import (
    BUSINESS_DAYS,
    DeadlineKind,
    business_days,
    calendar_days,
    closed_days,
    counting,
    days_before,
    register,
)
from gdportal.transparency import stages as public


def _tacit_lapse(rows, now):
    from .services import parecer_accept_tacitly

    return lapse_each(rows, now, parecer_accept_tacitly)


def _validity_lapse(rows, now):
    from .services import parecer_expire

    return lapse_each(rows, now, parecer_expire)


def _new_inspection_lapse(rows, now):
    from .services_inspection import inspection_lapse

    return lapse_each(rows, now, inspection_lapse)


TACIT_ACCEPTANCE = register(
    DeadlineKind(
        code="parecer_acceptance",
        label=_("Accept the access opinion (silence accepts it)"),
        party=_("Holder"),
        compute_due=business_days("GD_PARECER_ACCEPT_BUSINESS_DAYS"),
        enforcing=True,
        reminders=False,  # the lapse accepts: nothing is lost by silence, so no warning is owed
        on_lapse=_tacit_lapse,
    )
)
# With financial participation silence does not accept (REN 1.000 art. 83): the titular's turn is still to
# accept, within the validity. A plain reminder of whose turn it is; the validity is what lapses.
EXPRESS_ACCEPTANCE = register(
    DeadlineKind(
        code="parecer_acceptance_express",
        label=_("Accept the access opinion (within its validity)"),
        party=_("Holder"),
        compute_due=calendar_days("GD_PARECER_VALID_DAYS"),
    )
)
VALIDITY = register(
    DeadlineKind(
        code="parecer_validity",
        label=_("Request the inspection within the access opinion's validity"),
        party=_("Holder"),
        compute_due=calendar_days("GD_PARECER_VALID_DAYS"),
        enforcing=True,
        on_lapse=_validity_lapse,
        remind=days_before(30, 7),
        reminder_templates=("parecer_expiring", "parecer_expiring"),
    )
)
GRID_WORKS = register(
    DeadlineKind(
        code="grid_works",
        label=_("Carry out the grid works (REN 1.000 art. 88)"),
        party=_("Cemig — works"),
        compute_due=calendar_days("GD_GRID_WORKS_DAYS"),
        staff_role=roles.TECHNICAL_ANALYST,
    )
)


def _inspection_days(case):
    parecer = case.pareceres.order_by("-issued_at", "-id").first()
    voltage = parecer.voltage if parecer else getattr(case.installation, "voltage", "BT")
    if voltage == "MT":
        return settings.GD_INSPECTION_BUSINESS_DAYS_MT
    return settings.GD_INSPECTION_BUSINESS_DAYS_BT


@counting(BUSINESS_DAYS)
def _inspection_due(started_at, case):
    day = calendar.add_business_days(
        calendar.local_date(started_at), _inspection_days(case), closed=closed_days()
    )
    return calendar.end_of_day(day)


INSPECTION = register(
    DeadlineKind(
        code="inspection",
        public_stage=public.INSPECTION,
        label=_("Carry out the inspection (REN 1.000 art. 91)"),
        party=_("Cemig — inspector"),
        compute_due=_inspection_due,
        staff_role=roles.INSPECTOR,
    )
)
INSPECTION_REPORT = register(
    DeadlineKind(
        code="inspection_report",
        public_stage=public.INSPECTION,
        label=_("Deliver the inspection report (REN 1.000 art. 94)"),
        party=_("Cemig — inspector"),
        compute_due=business_days("GD_INSPECTION_REPORT_BUSINESS_DAYS"),
        staff_role=roles.INSPECTOR,
    )
)
NEW_INSPECTION = register(
    DeadlineKind(
        code="inspection_again",
        label=_("Fix the pending items and request the inspection again"),
        party=_("Holder"),
        compute_due=calendar_days("GD_NEW_INSPECTION_DAYS"),
        enforcing=True,
        on_lapse=_new_inspection_lapse,
        remind=days_before(30, 7),
        reminder_templates=("inspection_again_reminder", "inspection_again_reminder"),
    )
)
