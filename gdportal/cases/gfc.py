"""Garantia de fiel cumprimento (SPEC §6.5)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gdportal.brformats import number_br
from gdportal.deadlines import calendar
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.services import deadline_close, deadline_start
from gdportal.notifications.services import email_queue

from .choices import GFC_THRESHOLD_KW, CaseState, EventAction, GfcBank, GfcForm, Modality, Reason

# The codes of the GFC's clocks (deadline_kinds registers them; named here so this module, which the rules
# import, does not import the clock registry).
GFC_EXPIRY_KIND = "gfc_expiry"
GFC_KEPT_KIND = "gfc_kept"

EXEMPT_MODALITIES = {Modality.SHARED, Modality.MULTIPLE_UNITS}


def gfc_required(reason, power_kw, modality):
    return (
        reason == Reason.MINI
        and power_kw is not None
        and power_kw > GFC_THRESHOLD_KW
        and modality not in EXEMPT_MODALITIES
    )


def gfc_percentage(power_kw):
    return Decimal("0.05") if power_kw >= Decimal("1000") else Decimal("0.025")


def gfc_amount(power_kw):
    """2.5 % above 500 kW and below 1,000 kW, 5 % from 1,000 kW, of power × reference price."""
    price = Decimal(str(settings.GD_GFC_REFERENCE_PRICE))
    return (gfc_percentage(power_kw) * power_kw * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# The guarantee's life (SPEC §6.5). Services in the kernel: the commercial stage verifies it before the NS,
# the later stages make it releasable (connection + 30 days, cancellation, an unfavourable parecer).


def gfc_needed(case):
    return gfc_required(case.reason, case.power_kw, case.modality)


def _guarantee(case):
    from .models import Guarantee

    return Guarantee.objects.filter(case=case).first()


@transaction.atomic
def gfc_verify(*, case, by, form, bank, amount, expires_on, note=""):
    """The commercial analyst checks the guarantee before the NS: form, amount, bank, its own expiry date."""
    from .models import Guarantee
    from .services import ServiceError, case_event, case_lock

    if not by.has_perm("cases.manage_guarantee"):
        raise PermissionDenied
    case = case_lock(case)
    if case.state != CaseState.SUBMITTED:
        raise ServiceError(_("The guarantee is verified during the commercial analysis, before the NS."))
    if not gfc_needed(case):
        raise ServiceError(_("This request does not need a performance guarantee."))
    errors = {}
    if form not in GfcForm.values:
        errors["form"] = _("Choose the guarantee's form.")
    if form == GfcForm.BANK_GUARANTEE and bank not in GfcBank.values:
        errors["bank"] = _("A bank guarantee must come from one of the accepted banks.")
    owed = gfc_amount(case.power_kw)
    if amount is None or amount < owed:
        errors["amount"] = _("The guarantee must be at least R$ %(amount)s.") % {"amount": number_br(owed, 2)}
    today = timezone.localdate()
    if expires_on is None or expires_on <= today:
        errors["expires_on"] = _("The guarantee's expiry date must be in the future.")
    if errors:
        from .services import RuleBroken

        raise RuleBroken(errors)
    guarantee, _created = Guarantee.objects.update_or_create(
        case=case,
        defaults={
            "form": form,
            "bank": bank if form == GfcForm.BANK_GUARANTEE else "",
            "amount": amount,
            "expires_on": expires_on,
            "note": note,
            "verified_by": by,
            "verified_at": timezone.now(),
        },
    )
    case.guarantee = guarantee
    deadline_close(subject=case, kinds=[GFC_EXPIRY_KIND], state=Deadline.State.CANCELLED)
    deadline_start(subject=case, kind=GFC_EXPIRY_KIND)
    case_event(
        case,
        by=by,
        action=EventAction.GFC_VERIFIED,
        note=_("%(form)s, R$ %(amount)s, valid until %(date)s")
        % {
            "form": guarantee.get_form_display(),
            "amount": number_br(amount, 2),
            "date": expires_on.strftime("%d/%m/%Y"),
        },
    )
    return guarantee


def gfc_connected(case, connected_on):
    """At the connection the guarantee must last 30 more days: the clock that makes it releasable starts, and
    a guarantee whose own expiry is already past that day needs no more reminders."""
    guarantee = _guarantee(case)
    if guarantee is None or guarantee.status != guarantee.Status.HELD:
        return
    start = timezone.make_aware(dt.datetime.combine(connected_on, dt.time(12)))
    kept = deadline_start(subject=case, kind=GFC_KEPT_KIND, started_at=start)
    if calendar.end_of_day(guarantee.expires_on) >= kept.due_at:
        deadline_close(subject=case, kinds=[GFC_EXPIRY_KIND])


def gfc_mark_releasable(*, case, reason, at=None):
    """Releasable: 30 days after the connection, or at once when the case ends without a plant. Idempotent:
    a guarantee already releasable or released stays as it is. The customer and the commercial group are
    told (SPEC §8)."""
    from .deadline_kinds import _gfc_recipients
    from .services import case_event

    guarantee = _guarantee(case)
    if guarantee is None or guarantee.status != guarantee.Status.HELD:
        return None
    at = at or timezone.now()
    guarantee.status = guarantee.Status.RELEASABLE
    guarantee.releasable_at = at
    guarantee.releasable_reason = str(reason)[:200]
    guarantee.save(update_fields=["status", "releasable_at", "releasable_reason"])
    deadline_close(subject=case, kinds=[GFC_EXPIRY_KIND], state=Deadline.State.CANCELLED, at=at)
    case_event(case, by=None, action=EventAction.GFC_RELEASABLE, note=str(reason))
    email_queue(
        to=_gfc_recipients(case),
        template="gfc_releasable",
        context={"case": case, "guarantee": guarantee},
        related_object=f"case:{case.pk}",
    )
    return guarantee


@transaction.atomic
def gfc_release(*, case, by, note=""):
    """Staff record that the guarantee was returned to the customer."""
    from .services import ServiceError, case_event, case_lock

    if not by.has_perm("cases.manage_guarantee"):
        raise PermissionDenied
    case = case_lock(case)
    guarantee = _guarantee(case)
    if guarantee is None or guarantee.status != guarantee.Status.RELEASABLE:
        raise ServiceError(_("Only a releasable guarantee can be released."))
    guarantee.status = guarantee.Status.RELEASED
    guarantee.released_at, guarantee.released_by, guarantee.release_note = timezone.now(), by, note
    guarantee.save(update_fields=["status", "released_at", "released_by", "release_note"])
    case_event(case, by=by, action=EventAction.GFC_RELEASED, note=note)
    return guarantee
