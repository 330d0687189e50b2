"""The five stages of the public transparency page (SPEC §14) and which clocks count in each.

The kernel owns the list; each stage fills it by naming a stage on the clocks it declares
(`DeadlineKind(public_stage=stages.COMMERCIAL, …)`), so nothing here imports a stage. A clock without a
public stage (the RT registration's review, the parecer's validity, the GFC's…) stays off the page.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

COMMERCIAL = "commercial"
APR_DOCUMENTS = "apr_documents"
TECHNICAL = "technical"
PARECER = "parecer"
INSPECTION = "inspection"

CEMIG = "cemig"
RT = "rt"


@dataclass(frozen=True)
class Stage:
    code: str
    label: object  # lazy translation
    # Whose clock it is. Only the utility's clocks measure the share closed within the regulatory deadline;
    # the RT's count as time taken, and the page says whose time it was.
    party: str

    @property
    def utility(self):
        return self.party == CEMIG


STAGES = (
    Stage(COMMERCIAL, _("Commercial analysis"), CEMIG),
    Stage(APR_DOCUMENTS, _("Technical documents in APR Web (responsible technician)"), RT),
    Stage(TECHNICAL, _("Technical analysis (conformity of the documents)"), CEMIG),
    Stage(PARECER, _("Access opinion (parecer)"), CEMIG),
    Stage(INSPECTION, _("Inspection"), CEMIG),
)
BY_CODE = {stage.code: stage for stage in STAGES}


def kinds_by_stage():
    """{stage code: [clock kind codes]} from the registered kinds, every stage present (maybe empty)."""
    from gdportal.deadlines.kinds import all_kinds

    found = {stage.code: [] for stage in STAGES}
    for code, kind in sorted(all_kinds().items()):
        if kind.public_stage in found:
            found[kind.public_stage].append(code)
    return found


def utility_kinds():
    """The clock kinds whose lapse is the utility's breach (SPEC §9: counted per month and clock)."""
    return [code for stage, codes in kinds_by_stage().items() if BY_CODE[stage].utility for code in codes]
