from django.dispatch import receiver

from atende.signals import case_moved

from .models import AprOrder


@receiver(case_moved, dispatch_uid="aprweb.mirror_case_state")
def mirror_case_state(sender, case, event, **kwargs):
    """Keep the orders' copy of the state equal to the case's, in the same transaction."""
    AprOrder.objects.filter(case=case).exclude(situation=case.state).update(situation=case.state)
