"""Who may file what in Atende, and how much of the registry a filer sees (SPEC §4, §10)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from gdportal.cases.choices import OPEN_STATES, CaseKind
from gdportal.cases.models import Case
from gdportal.cases.selectors import customers_served  # noqa: F401  (bulk filing's, kept in the kernel)
from gdportal.registry.models import Customer, Installation


def filer_required(view):
    """Customers (with a registry record) and RTs file requests; staff and others do not."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.is_staff or not (user.is_rt or (user.is_customer and user.customer_id)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def rt_required(view):
    """An RT's own page (bulk filing, at /apr/lote/): a customer or staff gets 403; someone signed out goes to
    APR Web's sign-in (CPF), where RTs sign in, and comes back."""

    @login_required(login_url="aprweb:login")
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_staff or not request.user.is_rt:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def rt_serves(user, customer):
    """An RT serves a customer once a case of theirs is the RT's and past the commercial check.

    Filing a draft is not enough: anyone can type a form. A case whose NS was issued (Cemig checked the
    holder's documents) or that the customer handed over with the claim code is.
    """
    return Case.objects.filter(
        rt=user, customer_id=getattr(customer, "pk", customer), ns__isnull=False
    ).exists()


def sees_personal_data(user, customer):
    """Full CPF/CNPJ, contacts, address and debts: the customer, staff, and an RT who serves them."""
    if user.is_staff or (user.customer_id and user.customer_id == getattr(customer, "pk", customer)):
        return True
    return bool(user.is_rt and rt_serves(user, customer))


def installations_for_filer(user, kind, value):
    """Customers find only their own installations; an RT finds a customer's by an exact identifier."""
    qs = Installation.objects.for_user(user).select_related("customer").order_by("number")
    if kind == "document":
        return qs.filter(customer__document=value)
    return qs.filter(customer__number=value) | qs.filter(number=value)


def customers_for_filer(user, kind, value):
    qs = Customer.objects.for_user(user)
    return qs.filter(document=value) if kind == "document" else qs.filter(number=value)


def installation_for_filer(user, number):
    return get_object_or_404(Installation.objects.for_user(user).select_related("customer"), number=number)


def customer_for_filer(user, number):
    return get_object_or_404(Customer.objects.for_user(user), number=number)


def open_requests_for(user, installations):
    """{installation id: (its access request under way, whether `user` may open it)} in two queries.

    The lookup and the form point to the case under way (rules.open_access_request); a user who cannot see
    it (an RT the holder did not hand it to) is told that it exists, not its protocol.
    """
    ids = [inst.pk for inst in installations]
    if not ids:
        return {}
    open_cases = (
        Case.objects.filter(installation_id__in=ids, kind=CaseKind.ACCESS, state__in=OPEN_STATES)
        .only("pk", "protocol", "installation_id", "state")
        .order_by("submitted_at", "id")
    )
    found = {}
    for case in open_cases:
        found.setdefault(case.installation_id, case)
    visible = set(
        Case.objects.for_user(user).filter(pk__in=[c.pk for c in found.values()]).values_list("pk", flat=True)
    )
    return {inst_id: (case, case.pk in visible) for inst_id, case in found.items()}
