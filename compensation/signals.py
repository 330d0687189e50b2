"""A plant connected through the portal becomes a generating unit by itself (SPEC §7.2, issue 12)."""

from django.dispatch import receiver
from django.utils import timezone

from gdportal.cases.choices import NON_DISPATCHABLE, CaseState, RequestType
from gdportal.cases.signals import case_moved

from .gd_class import gd_class
from .models import Generator, GeneratorExpansion
from .units_from_request import allocation_from_request


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
    existing = Generator.objects.select_for_update().filter(installation_id=case.installation_id).first()
    if case.request_type == RequestType.EXPANSION and existing is not None:
        generator = _expand(existing, case, values)
    else:
        # Another request at an installation with a plant (not filed as an ampliação) replaces its data.
        generator, _created = Generator.objects.update_or_create(
            installation_id=case.installation_id, defaults=values
        )
    # The participating units the titular confirmed on the case: the allocation from the next cycle.
    allocation_from_request(generator, case)


def _expand(generator, case, values):
    """An ampliação updates the plant it enlarges (SPEC §16): the total power and the modality change; the
    original request date and GD class stay with the power that was there, and the added power keeps its own
    date and class in a GeneratorExpansion row."""
    previous = generator.power_kw
    GeneratorExpansion.objects.create(
        generator=generator,
        case=case,
        previous_kw=previous,
        added_kw=max(values["power_kw"] - previous, 0),
        requested_on=values["requested_on"],
        gd_class=values["gd_class"],
        connected_on=values["connected_on"],
    )
    generator.power_kw = values["power_kw"]
    generator.modality = values["modality"]
    generator.save(update_fields=["power_kw", "modality"])
    return generator
