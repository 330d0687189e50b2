"""Sample generation data for seed_demo's cases (SPEC §16): inverters adding up to the request's power,
modules of about the same kWp, the required declarations, and a participating unit of the same holder when
the modality sends credits elsewhere."""

from decimal import Decimal

from gdportal.cases.choices import Modality


def sample_values(case):
    power = Decimal(str(case.power_kw))
    modules = max(1, int((power * 1000 / Decimal(550)).to_integral_value()))
    values = {
        "generation_type": "inverter",
        "array_area_m2": (Decimal("2.6") * modules).quantize(Decimal("0.01")),
        "building_type": "individual",
        "breaker_a": 50,
        "breaker_poles": 2,
        "pole_under_30m": True,
        "units_mode": "percent",
        "modules": [{"manufacturer": "Canadian Solar", "model": "CS6W-550MS", "power_w": Decimal(550),
                     "quantity": modules}],
        "inverters": [{"manufacturer": "Growatt", "model": "MIN 8000TL-X", "power_kw": power, "quantity": 1,
                       "voltage_v": 220, "inmetro": "004512/2022"}],
        "generators": [],
        "units": [],
        "declarations": ["8.4", "8.6"],
    }  # fmt: skip
    if case.modality in (Modality.REMOTE, Modality.SHARED, Modality.MULTIPLE_UNITS):
        other = (
            case.customer.installations.filter(status="active")
            .exclude(pk=case.installation_id)
            .order_by("number")
            .first()
        )
        if other is not None:
            values["units"] = [{"installation": other.number, "percentage": Decimal(50), "priority": None}]
    return values
