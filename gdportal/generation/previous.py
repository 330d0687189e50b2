"""The data an ampliação starts from (SPEC §16): the plant's own data step, filed with the request that
connected it — the RT changes what the expansion changes instead of typing the plant again."""

from gdportal.cases.choices import CaseState, RequestType


def previous_plant_data(case):
    """The GenerationData of the latest connected request at the case's installation, for an ampliação
    without data of its own yet; None otherwise (another request type, a new unit, a plant imported without
    data)."""
    from .models import GenerationData

    if case.request_type != RequestType.EXPANSION or not case.installation_id:
        return None
    return (
        GenerationData.objects.filter(
            case__installation_id=case.installation_id, case__state=CaseState.CONNECTED
        )
        .exclude(case=case)
        .order_by("-case__state_changed_at", "-id")
        .first()
    )
