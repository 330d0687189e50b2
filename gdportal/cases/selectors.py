"""Reading cases for a user: one scope (Case.objects.for_user), 404 for anything that is not theirs."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from gdportal.deadlines.models import Deadline

from .choices import CaseState
from .models import Case


def open_clocks_prefetch():
    return Prefetch(
        "deadlines",
        to_attr="visible_clocks",
        queryset=Deadline.objects.filter(state__in=[Deadline.State.OPEN, Deadline.State.LAPSED]).order_by(
            "due_at"
        ),
    )


def case_for_user(user, protocol):
    return get_object_or_404(
        Case.objects.for_user(user)
        .filed()
        .select_related("customer", "installation", "rt")
        .prefetch_related(open_clocks_prefetch()),
        protocol=protocol,
    )


def draft_for_user(user, pk):
    return get_object_or_404(
        Case.objects.for_user(user).select_related("customer", "installation"),
        pk=pk,
        state=CaseState.DRAFT,
        filed_by=user,
    )


def sent_draft_for_filer(user, pk):
    """The case a user's draft became once they sent it, or None.

    The draft's pages are bookmarked, reached with Back, or posted twice by a double click after it was sent;
    its filer is led to the case instead of a 404. Only its filer, and only while they still see the case: for
    anyone else the draft's URL stays a 404, as it was.
    """
    return Case.objects.for_user(user).filed().filter(pk=pk, filed_by=user).only("pk", "protocol").first()


def customers_served(user, customer_ids):
    """The customers among `customer_ids` that `user`, an RT, serves: one of their cases is the RT's and past
    the commercial check (its NS issued). Filing a draft is not enough: anyone can type a form."""
    if not user.is_rt:
        return set()
    return set(
        Case.objects.filter(rt=user, customer_id__in=customer_ids, ns__isnull=False).values_list(
            "customer_id", flat=True
        )
    )
