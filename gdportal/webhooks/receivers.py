from django.dispatch import receiver

from gdportal.cases.signals import case_moved, cases_moved_in_bulk

from . import fanout


@receiver(case_moved, dispatch_uid="webhooks.fan_out_transition")
def fan_out_transition(sender, case, event, **kwargs):
    """Inside the transaction that moved the case: its deliveries commit, or roll back, with it."""
    fanout.fan_out_transition(case, event)


@receiver(cases_moved_in_bulk, dispatch_uid="webhooks.fan_out_bulk")
def fan_out_bulk(sender, case_ids, state, **kwargs):
    fanout.fan_out_bulk(case_ids, state)
