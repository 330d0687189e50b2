"""What the RT declared on the data step (SPEC §16), as the later stages read it: 8.1 makes the inspection
request automatic after the parecer's acceptance, 8.3 is shown to the analyst issuing the parecer."""

from .choices import DeclarationCode


def declaration(case, code):
    """The accepted declaration `code` of the case's data, with who made it and when; None when not made."""
    from .models import Declaration

    return Declaration.objects.select_related("by").filter(data__case=case, code=code, accepted=True).first()


def ready_for_inspection(case):
    """Declaration 8.1: the service entrance is ready and the plant installed — inspection right away."""
    return declaration(case, DeclarationCode.READY)


def contracts_with_budget(case):
    """Declaration 8.3: the contracts and the payment slip are to go with the orçamento."""
    return declaration(case, DeclarationCode.CONTRACTS_WITH_BUDGET)
