from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.dispatch import receiver

from gdportal.cases.models import Case
from gdportal.cases.signals import case_moved, cases_moved_in_bulk
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.signals import clocks_changed

from .deadline_kinds import RT_CLOCKS
from .models import AprOrder


@receiver(case_moved, dispatch_uid="aprweb.mirror_case_state")
def mirror_case_state(sender, case, event, **kwargs):
    """Keep the orders' copy of the state equal to the case's, in the same transaction."""
    AprOrder.objects.filter(case=case).exclude(situation=case.state).update(situation=case.state)


@receiver(cases_moved_in_bulk, dispatch_uid="aprweb.mirror_bulk_state")
def mirror_bulk_state(sender, case_ids, state, **kwargs):
    AprOrder.objects.filter(case_id__in_array=set(case_ids)).update(situation=state)


def refresh_order_due(case_ids):
    """Copy each case's nearest open RT clock onto its orders: one UPDATE for any number of cases."""
    nearest = (
        Deadline.objects.of_model(Case)
        .filter(subject_id=OuterRef("case_id"), state=Deadline.State.OPEN, kind__in=RT_CLOCKS)
        .order_by("due_at", "id")
    )
    return AprOrder.objects.filter(case_id__in_array=set(case_ids)).update(
        due_at=Subquery(nearest.values("due_at")[:1]),
        due_kind=Coalesce(Subquery(nearest.values("kind")[:1]), Value("")),
    )


@receiver(clocks_changed, dispatch_uid="aprweb.mirror_order_due")
def mirror_order_due(sender, model, subject_ids, kinds, **kwargs):
    """Keep the orders' due date equal to their case's RT clocks, in the same transaction."""
    if model is not Case or (kinds is not None and not set(kinds) & set(RT_CLOCKS)):
        return
    refresh_order_due(subject_ids)
