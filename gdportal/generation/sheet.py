"""`generation_sheet(case)`: the case's generation data as one plain dict, the single source the generated
request form and units list (PDF), the analyst's page and the API's read view take their text from.

Choices come as their display labels, numbers as Decimals, moments as aware datetimes. The RT's council and
registration live with the APR stage's RT registration: that stage registers a provider at start-up
(`register_rt_credentials`) so this kernel module imports no stage.
"""

from gdportal.brdocs import format_document

from .choices import DeclarationCode, UnitsMode
from .rules import data_totals, totals

_rt_credentials = None


def register_rt_credentials(provider):
    """`provider(user) -> {"council": str, "number": str}` (empty strings when unknown)."""
    global _rt_credentials
    _rt_credentials = provider


def rt_block(user):
    if user is None:
        return {"name": "", "council": "", "number": ""}
    credentials = _rt_credentials(user) if _rt_credentials else {}
    return {
        "name": user.get_full_name() or user.username,
        "council": credentials.get("council", ""),
        "number": credentials.get("number", ""),
    }


def _user_name(user):
    return (user.get_full_name() or user.username) if user else ""


def generation_sheet(case):
    from .models import GenerationData

    data = (
        GenerationData.objects.filter(case=case)
        .prefetch_related("modules", "inverters", "generators", "units", "declarations__by")
        .first()
    )
    sheet = {
        "protocol": case.protocol or "",
        "ns": case.ns or "",
        "holder": case.holder_name,
        "document": format_document(case.document),
        "installation": case.installation.number if case.installation_id else "",
        "address": case.address,
        "rt": rt_block(case.rt),
        "request_type": case.get_request_type_display(),
        "modality": case.get_modality_display(),
        "requested_kw": case.power_kw,
    }
    if data is None:
        sheet.update(
            generation_type="", modules=[], array_area_m2=None, inverters=[], generators=[],
            storage={"has": False, "kwh": None, "kw": None, "islanded": False},
            building={"type": "", "leased_roof": False, "lessor": ""},
            entrance={"breaker_a": None, "poles": None, "pole_under_30m": None},
            units=[], units_mode="", declarations=[], version=0,
            totals=_totals_block(totals("", [], [], [])),
        )  # fmt: skip
        return sheet
    holders = _unit_holders([u.installation_number for u in data.units.all()])
    by_priority = data.units_mode == UnitsMode.PRIORITY
    sheet.update(
        generation_type=data.get_generation_type_display(),
        modules=[
            {"manufacturer": r.manufacturer, "model": r.model, "power_w": r.power_w, "quantity": r.quantity}
            for r in data.modules.all()
        ],
        array_area_m2=data.array_area_m2,
        inverters=[
            {
                "manufacturer": r.manufacturer,
                "model": r.model,
                "power_kw": r.power_kw,
                "quantity": r.quantity,
                "voltage_v": r.voltage_v,
                "inmetro": r.inmetro,
            }
            for r in data.inverters.all()
        ],
        generators=[
            {
                "manufacturer": r.manufacturer,
                "model": r.model,
                "power_kva": r.power_kva,
                "quantity": r.quantity,
            }
            for r in data.generators.all()
        ],
        storage={
            "has": data.has_storage,
            "kwh": data.storage_kwh,
            "kw": data.storage_kw,
            "islanded": data.storage_islanded,
        },
        building={
            "type": data.get_building_type_display(),
            "leased_roof": data.leased_roof,
            "lessor": data.lessor_installation,
        },
        entrance={
            "breaker_a": data.breaker_a,
            "poles": data.breaker_poles,
            "pole_under_30m": data.pole_under_30m,
        },
        units_mode=data.get_units_mode_display(),
        units=[
            {
                "installation": u.installation_number,
                "holder": holders.get(u.installation_number, ""),
                "percentage": None if by_priority else u.percentage,
                "priority": u.priority if by_priority else None,
            }
            for u in data.units.all()
        ],
        declarations=[
            {
                "code": d.code,
                "text": str(DeclarationCode(d.code).label),
                "accepted": d.accepted,
                "by": _user_name(d.by),
                "at": d.at,
            }
            for d in data.declarations.all()
        ],
        version=data.version,
        totals=_totals_block(data_totals(data)),
    )
    return sheet


def _totals_block(values):
    return {
        "modules_kwp": values["modules_kwp"],
        "inverters_kw": values["inverters_kw"],
        "generators_kva": values["generators_kva"],
        "installed_kw": values["installed_kw"],
    }


def _unit_holders(numbers):
    """The registry's holder name of each participating installation (the units list names them)."""
    from gdportal.registry.models import Installation

    if not numbers:
        return {}
    rows = Installation.objects.filter(number__in=numbers).select_related("customer")
    return {i.number: i.customer.name for i in rows}
