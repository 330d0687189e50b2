from django.db import models
from django.utils.translation import gettext_lazy as _


class GenerationType(models.TextChoices):
    SYNCHRONOUS = "synchronous", _("Synchronous without converter")
    INVERTER = "inverter", _("With inverter")
    MIXED = "mixed", _("Mixed")
    OTHER = "other", _("Other")


# The plants whose installed power is the inverters' AC output (SPEC §16); the rest count their generators.
INVERTER_BASED = {GenerationType.INVERTER, GenerationType.MIXED}


class BuildingType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COLLECTIVE_SHARED_ROOF = "collective_shared_roof", _("Collective use with a collective roof")
    COLLECTIVE_PRIVATE_ROOF = "collective_private_roof", _("Collective use with a private roof")
    GROUPING = "grouping", _("Grouping")


class UnitsMode(models.TextChoices):
    PERCENT = "percent", _("Percentages")
    PRIORITY = "priority", _("Order of priority")


class InstalledPowerRule(models.TextChoices):
    INVERTERS = "inverters", _("Sum of the inverters' AC power")
    SMALLER = "smaller", _("The smaller of the inverters' AC power and the modules' kWp")


class DeclarationCode(models.TextChoices):
    """The request form's declarations (REH 3.171/2023 Annex I, item 8); the label is the text declared."""

    READY = (
        "8.1",
        _(
            "The service entrance is ready and the plant is installed: "
            "I ask for the inspection right after the approval."
        ),
    )
    WAIVE_WITHDRAWAL = (
        "8.2",
        _("I waive the right to withdraw from the connection budget (REN 1.000 art. 89 §§ 7–8)."),
    )
    CONTRACTS_WITH_BUDGET = (
        "8.3",
        _("I ask for the contracts and the payment slip to be delivered with the budget."),
    )
    NORMS = (
        "8.4",
        _("The installation conforms to the distributor's norms and the applicable technical standards."),
    )
    TRUTH = "8.6", _("The information given here is true.")


# 8.2 and 8.3 are optional; the others must be made to submit the order.
REQUIRED_DECLARATIONS = [DeclarationCode.NORMS, DeclarationCode.TRUTH]
OPTIONAL_DECLARATIONS = [
    DeclarationCode.READY,
    DeclarationCode.WAIVE_WITHDRAWAL,
    DeclarationCode.CONTRACTS_WITH_BUDGET,
]
