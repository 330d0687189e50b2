"""A plant connected through the portal becomes a generating unit by itself (SPEC §7.2, issue 12)."""

from django.dispatch import receiver
from django.utils import timezone

from gdportal.cases.choices import NON_DISPATCHABLE, CaseState
from gdportal.cases.signals import case_moved

from .gd_class import gd_class
from .models import Generator


@receiver(case_moved, dispatch_uid="compensation.generator_at_connection")
def generator_at_connection(sender, case, event, **kwargs):
    """At `connected`, in the case's transaction: the generator with its GD class from the request date.

    The connection date is the inspection's (read through the kernel's relation, without importing the
    stage that owns inspections), else today."""
    if event.to_state != CaseState.CONNECTED or case.installation_id is None:
        return
    connected_on = None
    if hasattr(case, "inspections"):
        connected_on = (
            case.inspections.exclude(connected_on=None)
            .order_by("-requested_at")
            .values_list("connected_on", flat=True)
            .first()
        )
    connected_on = connected_on or timezone.localdate()
    requested_on = timezone.localdate(case.submitted_at) if case.submitted_at else connected_on
    dispatchable = case.source not in NON_DISPATCHABLE
    values = {
        "case": case,
        "connected_on": connected_on,
        "power_kw": case.power_kw,
        "source": case.source,
        "modality": case.modality,
        "requested_on": requested_on,
        "dispatchable": dispatchable,
        "gd_class": gd_class(
            requested_on=requested_on,
            power_kw=case.power_kw,
            dispatchable=dispatchable,
            modality=case.modality,
        ),
    }
    # An ampliação of a plant already in the system updates its generator rather than adding a second one.
    Generator.objects.update_or_create(installation_id=case.installation_id, defaults=values)
