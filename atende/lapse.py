"""What a lapsed enforcing clock does to its cases (SPEC §5.2, §9): → expired (decurso de prazo).

Called by the sweep inside its batch transaction with many rows at once, so it works on sets: one locking
SELECT, one UPDATE, bulk events, bulk history, bulk outbox rows. The per-case path (services.move_case) would
cost a hundred times more at 100,000 cases.
"""

from django.utils.translation import gettext as _

from gdportal.deadlines.models import Deadline
from gdportal.notifications.services import email_queue_bulk

from .choices import CaseState
from .models import AccessRequest, CaseEvent
from .signals import cases_moved_in_bulk

EXPIRABLE = [CaseState.AWAITING_TECHNICAL, CaseState.PENDING_CORRECTION]


def expire_cases(rows, now):
    case_ids = sorted({row["case_id"] for row in rows})
    # Only cases still waiting are moved: a case that moved on in the meantime keeps its state.
    current = list(
        AccessRequest.objects.select_for_update(of=("self",))
        .filter(id__in=case_ids, state__in=EXPIRABLE)
        .values("id", "state", "email", "customer__email", "rt__email", "requester_email")
    )
    ids = [case["id"] for case in current]
    if not ids:
        return 0
    AccessRequest.objects.filter(id__in=ids).update(
        state=CaseState.EXPIRED, state_changed_at=now, updated_at=now
    )
    note = _("The deadline lapsed without the APR Web step: rejected by lapse of time.")
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case_id=case["id"],
                action="expired",
                from_state=case["state"],
                to_state=CaseState.EXPIRED,
                note=note,
            )
            for case in current
        ],
        batch_size=2000,
    )
    # The case's other clocks stop with it.
    Deadline.objects.filter(case_id__in=ids, state=Deadline.State.OPEN).update(
        state=Deadline.State.CANCELLED, closed_at=now
    )
    AccessRequest.history.bulk_history_create(
        list(AccessRequest.objects.filter(id__in=ids)), update=True, default_change_reason="deadline lapsed"
    )
    cases_moved_in_bulk.send(sender=AccessRequest, case_ids=ids, state=CaseState.EXPIRED)
    email_queue_bulk(
        [
            {
                "to": [case["email"], case["customer__email"], case["rt__email"], case["requester_email"]],
                "template": "case_expired",
                "context": {"case_id": case["id"]},
                "related_object": f"case:{case['id']}",
            }
            for case in current
        ]
    )
    return len(ids)
