"""The parecer's section on the case page (templates/parecer/_case_panel.html), registered as a case panel
(gdportal.cases.extensions) so atende shows it without importing this app.

Read in a fixed number of queries whatever the case holds: the current parecer, the current
inspection, the guarantee only for a case that needs one, and — only when the user could ask for the
inspection now — the two the rule itself reads (inspection_blockers).
"""

from gdportal.cases.choices import CaseKind, CaseState
from gdportal.cases.gfc import gfc_needed
from gdportal.cases.models import Guarantee

from .models import Inspection, Parecer
from .services import inspection_blockers, is_holder, may_cancel_parecer
from .services_inspection import may_request_inspection

# Where "Solicitar vistoria" may appear: the first request, and again after a failed inspection.
INSPECTION_STATES = (CaseState.PARECER_ACCEPTED, CaseState.INSPECTION_FAILED)


def case_panel_present(case_id):
    """When the section may show something (gdportal.cases.extensions): a parecer, an inspection or a
    guarantee exists."""
    return [
        Parecer.objects.filter(case_id=case_id),
        Inspection.objects.filter(case_id=case_id),
        Guarantee.objects.filter(case_id=case_id),
    ]


def case_panel_context(case, user):
    if case.kind != CaseKind.ACCESS:
        return None
    parecer = Parecer.objects.filter(case=case).order_by("-issued_at", "-id").first()
    inspection = Inspection.objects.filter(case=case).order_by("-requested_at", "-id").first()
    guarantee = Guarantee.objects.filter(case=case).first() if gfc_needed(case) else None
    if parecer is None and inspection is None and guarantee is None:
        return None
    holder = is_holder(user, case)
    blockers, may_ask = [], False
    if parecer is not None and case.state in INSPECTION_STATES and may_request_inspection(case, user):
        blockers = inspection_blockers(case)
        may_ask = not blockers
    return {
        "parecer": parecer,
        "inspection": inspection,
        "guarantee": guarantee,
        "can_accept": holder and parecer is not None and case.state == CaseState.PARECER_ISSUED,
        "may_ask_inspection": may_ask,
        "inspection_blockers": blockers,
        # The RT never cancels a parecer (SPEC §6.4); staff do it in the admin, at the titular's request.
        "can_cancel_parecer": holder and may_cancel_parecer(case, user),
    }
