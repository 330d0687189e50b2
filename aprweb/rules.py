"""The order rules of SPEC §5.2, in one place.

The order form calls `order_errors` for its field messages; `services_orders.order_register` calls
`order_check` again as the last word, because an order may reach the service without the form (a script, the
API, a test) and the date rule moves with the clock.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gdportal.cases.choices import CaseState
from gdportal.cases.services import claim_code_matches

from .models import TECHNICIAN_MAX_KVA, AprOrder, OrderRequestType, Title

# States in which an RT may (re)register the order for a case (SPEC §5.2).
ORDER_STATES = [CaseState.AWAITING_TECHNICAL, CaseState.PENDING_CORRECTION]
# Corrected files may also be attached to a rejected case before its re-analysis is requested (SPEC §6.2).
UPLOAD_STATES = [*ORDER_STATES, CaseState.TECHNICAL_REJECTED]


def may_take_case(case, rt, claim_code):
    """A case filed by an RT is that RT's; a case the customer filed is taken only with its claim code."""
    if case.rt_id:
        return case.rt_id == rt.pk
    return claim_code_matches(case, claim_code)


def check_request_type(value):
    # Every case that reaches an APR order is a distributed-generation access request.
    if value != OrderRequestType.ANALYZE_GD:
        raise ValidationError(
            _("Distributed generation cases use “Analyze distributed generation”."), code="gd"
        )


def check_demand(value, *, title=None):
    """Demand in kVA above zero; an electrotechnical technician signs projects up to 800 kVA."""
    if value is None or Decimal(value) <= 0:
        raise ValidationError(_("The demand must be greater than zero."), code="min")
    if title == Title.ELECTROTECHNICIAN and Decimal(value) > TECHNICIAN_MAX_KVA:
        raise ValidationError(
            _("An electrotechnical technician signs projects up to 800 kVA (Decreto 90.922/85)."),
            code="signing_limit",
        )


def check_expected_connection(value):
    if value is not None and value < timezone.localdate():
        raise ValidationError(_("The expected connection date cannot be in the past."), code="past")


def _checks(title):
    return {
        "request_type": check_request_type,
        "demand_kva": lambda value: check_demand(value, title=title),
        "expected_connection": check_expected_connection,
    }


def order_errors(values, *, title=None):
    """{field: [ValidationError]} for every rule `values` break. A field missing from `values` is not judged:
    the form leaves out a field that already failed its own format check. `title` is the RT's professional
    title (aprweb.models.Title), on which the demand cap depends."""
    errors = {}
    for field, check in _checks(title).items():
        if field in values:
            try:
                check(values[field])
            except ValidationError as exc:
                errors[field] = exc.error_list
    return errors


def order_check(order, *, title=None):
    """Judge an unsaved AprOrder however it was built: ValidationError keyed by field if a rule breaks."""
    # Built by hand, an order may carry "8.5" or "2027-03-01": read each value as its column would.
    values = {
        field: AprOrder._meta.get_field(field).to_python(getattr(order, field)) for field in _checks(title)
    }
    errors = order_errors(values, title=title)
    if errors:
        raise ValidationError(errors)
