"""The kernel's view of a connected plant (gdportal.cases.plants), answered from the generating units."""

from gdportal.cases.plants import Plant

from .models import Generator


def current_plant(installation_id):
    generator = Generator.objects.filter(installation_id=installation_id).first()
    if generator is None:
        return None
    return Plant(
        power_kw=generator.power_kw,
        source=generator.source,
        modality=generator.modality,
        requested_on=generator.requested_on,
        connected_on=generator.connected_on,
    )
