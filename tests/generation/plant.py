"""A case's generation data saved through the step's service (its rules apply): two inverters that add up to
the request's 8,5 kW, so the generated form has more than one row to show."""

from decimal import Decimal

from tests import factories

INVERTERS = [
    {"manufacturer": "Growatt", "model": "MIN 5000TL-X", "power_kw": Decimal("5"), "quantity": 1,
     "voltage_v": 220, "inmetro": "004512/2022"},
    {"manufacturer": "Fronius", "model": "Primo 3.5-1", "power_kw": Decimal("3.5"), "quantity": 1,
     "voltage_v": 220, "inmetro": "002872/2022"},
]  # fmt: skip


def plant_data(case, by, *, declarations=("8.4", "8.6"), units=None, inverters=None):
    overrides = {"declarations": list(declarations), "inverters": inverters or INVERTERS}
    if units is not None:
        overrides["units"] = [
            {"installation": number, "percentage": Decimal(percentage), "priority": None}
            for number, percentage in units
        ]
    return factories.fill_generation(case, by, **overrides)
