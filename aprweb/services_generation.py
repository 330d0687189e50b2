"""The order's "Dados técnicos da geração" step (SPEC §16): the RT saves it while the order takes documents;
the analyst judges it in the technical review. The data and their rules are the kernel's
(gdportal.generation); this module adds who may act and when — one transaction, like every service."""

from django.db import transaction
from django.utils.translation import gettext as _

from gdportal.cases.choices import CaseState
from gdportal.cases.services import ServiceError
from gdportal.generation.services import generation_store, generation_verdict

from . import rules
from .services_orders import _lock_for_order_rt


@transaction.atomic
def order_generation_save(*, order, by, values):
    """Save the step for the order's case. Only the order's RT, while the order takes documents."""
    case = _lock_for_order_rt(order, by)
    if case.state not in rules.UPLOAD_STATES:
        raise ServiceError(_("The generation data can be changed only while the order awaits documents."))
    return generation_store(case=case, by=by, values=values)


def data_verdict(*, case, by, verdict, note=""):
    """Called inside services_technical's transaction, the case locked and the analyst's right checked."""
    if case.state != CaseState.TECHNICAL_REVIEW:
        raise ServiceError(_("Documents are judged only while the order is under analysis."))
    return generation_verdict(case=case, by=by, verdict=verdict, note=note)
