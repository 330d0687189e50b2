"""What the later stages read from the generation data (SPEC §16), so none of them queries its tables
directly: the parecer asks for declarations 8.1 and 8.3, the compensation for the confirmed units."""

from .choices import DeclarationCode, UnitsMode
from .models import Declaration, GenerationData


def declared(case, code):
    """Whether the case's data carry declaration `code` (e.g. DeclarationCode.READY, "8.1") accepted now."""
    return Declaration.objects.filter(data__case=case, code=code, accepted=True).exists()


def inspection_requested_with_the_order(case):
    """8.1: the entrance is ready and the plant installed — the inspection is asked for at the acceptance."""
    return declared(case, DeclarationCode.READY)


def contracts_with_the_budget(case):
    """8.3: the analyst issuing the parecer sends the contracts and the payment slip with it."""
    return declared(case, DeclarationCode.CONTRACTS_WITH_BUDGET)


def confirmed_units(case):
    """(mode, [(installation number, percentage, priority)]) of the participating units the titular
    confirmed — what becomes the case's allocation at the connection — or (None, []) when there are none or
    any is still unconfirmed (the list applies whole)."""
    data = GenerationData.objects.filter(case=case).first()
    if data is None:
        return None, []
    units = list(data.units.all())
    if not units or any(u.confirmed_at is None for u in units):
        return None, []
    mode = UnitsMode(data.units_mode)
    return mode, [(u.installation_number, u.percentage, u.priority) for u in units]
