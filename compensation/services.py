"""Receiving-unit registrations (SPEC §7.1): filed by the titular of a generating unit, accepted or refused by
the commercial analyst, with the e-mails of SPEC §8. Every change goes through here, in one transaction; the
rules themselves are in allocation_rules.py.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gdportal.cases.documents import register_kinds, storage_save
from gdportal.cases.services import RuleBroken, ServiceError
from gdportal.notifications.services import email_queue
from gdportal.registry.models import Voltage
from gdportal.uploads import PDF, check_upload, storage_key

from .allocation_rules import RowInput, add_months, check_allocation, default_unit_type, first_cycle_for
from .models import Allocation, AllocationSet, AllocationStatus, Generator

REVIEW_PERMISSION = "compensation.review_allocation"
# The legal instrument is kept across a failed submit like the request's documents (gdportal/cases/held.py),
# which needs its kind and file types registered.
LEGAL_INSTRUMENT = "allocation_legal_instrument"
register_kinds([(LEGAL_INSTRUMENT, gettext_lazy("Legal instrument of the shared generation"))], (PDF,))


class AllocationRuleBroken(RuleBroken):
    """Rules of §7.1 broken: `row_errors` {row index: {field: [messages]}} for the rows of the list,
    `field_errors` {field or None: [messages]} for the rest. Nothing was saved."""

    def __init__(self, errors):
        self.row_errors = {
            index: {name: list(m) for name, m in fields.items()} for index, fields in errors.rows.items()
        }
        self.field_errors = {name: list(messages) for name, messages in errors.fields.items()}
        super().__init__({name: " ".join(messages) for name, messages in self.field_errors.items()})
        self.args = (" ".join(errors.messages()),)


def is_titular(user, generator):
    """Only the generating unit's titular files (SPEC §7.1): not an RT on their behalf, not staff."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_staff
        and user.is_customer
        and user.customer_id
        and user.customer_id == generator.installation.customer_id
    )


def _recipients(allocation_set):
    """The titular (the registry's e-mail and the account that filed) and the contact person they named."""
    requester = allocation_set.requested_by
    return [
        allocation_set.generator.installation.customer.email,
        requester.email if requester else "",
        allocation_set.contact_email,
    ]


def _email(allocation_set, template, **context):
    email_queue(
        to=_recipients(allocation_set),
        template=template,
        context={"allocation_set": allocation_set, "rows": list(allocation_set.rows.all()), **context},
        related_object=f"compensation.allocationset:{allocation_set.pk}",
    )


def _checked_instrument(uploaded):
    if uploaded is None:
        return None
    try:
        return check_upload(uploaded, allowed=(PDF,))
    except ValidationError as exc:
        raise RuleBroken({"legal_instrument": exc.messages[0]}) from exc


def allocation_request(
    *,
    generator,
    by,
    mode,
    rows,
    unit_type,
    remainder_to=None,
    legal_form="",
    voltage="",
    contact_name="",
    contact_phone="",
    contact_mobile="",
    contact_email="",
    legal_instrument=None,
    now=None,
):
    """File a registration of receiving units for `generator` (pending until the analyst decides).

    `rows`: RowInput (or dicts with installation, percent, priority) in the order shown; `remainder_to`: the
    installation number that takes what is left in priority order. Raises PermissionDenied for anyone but the
    titular, AllocationRuleBroken with every broken rule.
    """
    if not is_titular(by, generator):
        raise PermissionDenied
    rows = [row if isinstance(row, RowInput) else RowInput(**row) for row in rows]
    checked = _checked_instrument(legal_instrument)
    now = now or timezone.now()
    with transaction.atomic():
        # One registration pending per generating unit: two submits at once queue here and the second sees
        # the first one's pending set.
        generator = (
            Generator.objects.select_for_update(of=("self",))
            .select_related("installation__customer")
            .get(pk=generator.pk)
        )
        errors, clean, remainder = check_allocation(
            generator=generator,
            unit_type=unit_type,
            legal_form=legal_form,
            mode=mode,
            rows=rows,
            remainder_to=remainder_to,
            has_legal_instrument=checked is not None,
        )
        if errors:
            raise AllocationRuleBroken(errors)
        key = ""
        if checked is not None:
            # Storage first (as gdportal/cases/documents.py): a rollback leaves an unreferenced object, never
            # a row naming a file that was not written. The original name is kept apart from the random key.
            legal_instrument.seek(0)
            # A storage that refuses it (disk full) is StorageUnavailable: a message, and nothing saved.
            key = storage_save(
                storage_key(f"compensation/{generator.pk}", checked.file_type), legal_instrument
            )
        allocation_set = AllocationSet.objects.create(
            generator=generator,
            mode=mode,
            remainder_to=remainder,
            status=AllocationStatus.PENDING,
            requested_at=now,
            requested_by=by,
            unit_type=unit_type,
            voltage=voltage if voltage in Voltage.values else generator.installation.voltage,
            legal_form=legal_form or "",
            contact_name=contact_name.strip(),
            contact_phone=contact_phone,
            contact_mobile=contact_mobile,
            contact_email=contact_email.strip().lower(),
            legal_instrument=key,
            legal_instrument_name=legal_instrument.name[:255] if checked else "",
            legal_instrument_sha256=checked.sha256 if checked else "",
        )
        Allocation.objects.bulk_create(
            Allocation(
                allocation_set=allocation_set,
                installation=row.installation,
                percent=row.percent,
                priority=row.priority,
            )
            for row in clean
        )
        _email(allocation_set, "allocation_received")
    return allocation_set


def _locked_pending(allocation_set):
    locked = (
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins (requested_by,
        # remainder_to).
        AllocationSet.objects.select_for_update(of=("self",))
        .select_related("generator__installation__customer", "requested_by", "remainder_to")
        .get(pk=allocation_set.pk)
    )
    if locked.status != AllocationStatus.PENDING:
        raise ServiceError(
            _("This registration was already decided: %(status)s.") % {"status": locked.get_status_display()}
        )
    return locked


def allocation_accept(*, allocation_set, by, now=None):
    """Accept a pending registration: it takes effect from the first cycle the notice allows
    (first_cycle_for), and the allocation in force until then gets its last cycle, the month before."""
    if not by.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_pending(allocation_set)
        generator = locked.generator
        # The registry may have changed since the request (a unit closed, changed hands): judged again.
        rows = [
            RowInput(installation=row.installation.number, percent=row.percent, priority=row.priority, line=i)
            for i, row in enumerate(
                locked.rows.select_related("installation").order_by("priority", "id"), start=1
            )
        ]
        errors, _clean, _remainder = check_allocation(
            generator=generator,
            unit_type=locked.unit_type or default_unit_type(generator),
            legal_form=locked.legal_form,
            mode=locked.mode,
            rows=rows,
            remainder_to=locked.remainder_to.number if locked.remainder_to else None,
            has_legal_instrument=bool(locked.legal_instrument),
            check_pending=False,
        )
        if errors:
            raise ServiceError(
                _("The registration no longer meets the rules; refuse it, giving this reason: %(reasons)s")
                % {"reasons": " ".join(errors.messages())}
            )
        first = first_cycle_for(timezone.localdate(locked.requested_at), timezone.localdate(now))
        # Every accepted set still (or not yet) in force from `first` on ends the month before. One whose own
        # first cycle is not before `first` never takes effect (last < first): it stays, as history.
        AllocationSet.objects.filter(generator=generator, status=AllocationStatus.ACCEPTED).filter(
            Q(last_cycle__isnull=True) | Q(last_cycle__gte=first)
        ).exclude(pk=locked.pk).update(last_cycle=add_months(first, -1))
        locked.status = AllocationStatus.ACCEPTED
        locked.first_cycle = first
        locked.last_cycle = None
        locked.decided_at = now
        locked.decided_by = by
        locked.save(update_fields=["status", "first_cycle", "last_cycle", "decided_at", "decided_by"])
        _email(locked, "allocation_accepted", first_cycle=first)
    return locked


def allocation_refuse(*, allocation_set, by, reason, now=None):
    """Refuse a pending registration with a reason the customer reads; the allocation in force stays."""
    if not by.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise RuleBroken({"reason": _("Give the reason for the refusal: the customer reads it.")})
    with transaction.atomic():
        locked = _locked_pending(allocation_set)
        locked.status = AllocationStatus.REFUSED
        locked.refusal_reason = reason
        locked.decided_at = now or timezone.now()
        locked.decided_by = by
        locked.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
        _email(locked, "allocation_refused")
    return locked
