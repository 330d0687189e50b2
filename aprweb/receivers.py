from django.dispatch import receiver

from gdportal.cases.signals import case_moved, cases_moved_in_bulk

from .models import AprOrder


@receiver(case_moved, dispatch_uid="aprweb.mirror_case_state")
def mirror_case_state(sender, case, event, **kwargs):
    """Keep the orders' copy of the state equal to the case's, in the same transaction."""
    AprOrder.objects.filter(case=case).exclude(situation=case.state).update(situation=case.state)


@receiver(cases_moved_in_bulk, dispatch_uid="aprweb.mirror_bulk_state")
def mirror_bulk_state(sender, case_ids, state, **kwargs):
    AprOrder.objects.filter(case_id__in=case_ids).update(situation=state)
