"""A case's generation data written straight to the models (the data step's tests go through its forms)."""

from decimal import Decimal

from django.utils import timezone

from gdportal.generation.models import Declaration, GenerationData, InverterRow, ModuleRow, ParticipatingUnit


def plant_data(case, by, *, declarations=("8.4", "8.6"), units=(), version=1):
    data = GenerationData.objects.create(case=case, version=version, updated_by=by, breaker_a=63)
    ModuleRow.objects.create(
        data=data, manufacturer="Jinko", model="Tiger Neo 550", power_w=Decimal("550"), quantity=16
    )
    InverterRow.objects.create(
        data=data,
        manufacturer="Growatt",
        model="MIN 5000TL-X",
        power_kw=Decimal("5"),
        quantity=1,
        voltage_v=220,
        inmetro="004512/2022",
    )
    InverterRow.objects.create(
        data=data,
        manufacturer="Fronius",
        model="Primo 3.5-1",
        power_kw=Decimal("3.5"),
        quantity=1,
        voltage_v=220,
        inmetro="002872/2022",
    )
    for code in declarations:
        Declaration.objects.create(data=data, code=code, accepted=True, by=by, at=timezone.now())
    for position, (number, percentage) in enumerate(units):
        ParticipatingUnit.objects.create(
            data=data, position=position, installation_number=number, percentage=Decimal(percentage)
        )
    return data
