"""RT registration (SPEC §5.1): the request, the registration analyst's approval or rejection, and the three
e-mails an approval sends."""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gdportal.accounts.identifiers import identifier_key
from gdportal.cases.services import ServiceError
from gdportal.deadlines.services import deadline_close, deadline_start
from gdportal.notifications.services import email_queue

from . import deadline_kinds as clocks
from .models import RTRegistration
from .tokens import apr_password_path


@transaction.atomic
def rt_registration_submit(*, registration):
    now = timezone.now()
    registration.save()
    # The analysis SLA (GD_RT_REVIEW_BUSINESS_DAYS), on the staff board like every other clock.
    registration.review_clock = deadline_start(
        subject=registration, kind=clocks.RT_REGISTRATION_REVIEW.code, started_at=now
    )
    email_queue(
        to=[registration.email],
        template="rt_registration_received",
        context={"registration": registration},
        related_object=f"rt-registration:{registration.pk}",
    )
    return registration


def _lock_registration(registration):
    return RTRegistration.objects.select_for_update().get(pk=registration.pk)


@transaction.atomic
def rt_registration_approve(*, registration, by):
    if not by.has_perm("aprweb.review_registration"):
        raise PermissionDenied
    registration = _lock_registration(registration)
    if registration.status != RTRegistration.Status.PENDING:
        raise ServiceError(_("This registration was already decided."))
    User = get_user_model()
    key = identifier_key(registration.email)
    if User.objects.filter(Q(cpf=registration.cpf) | Q(email_key=key) | Q(username=key)).exists():
        raise ServiceError(_("An account with this CPF or e-mail already exists."))
    if len(key) > User._meta.get_field("username").max_length:
        raise ServiceError(_("This e-mail is too long."))
    first, _sep, last = registration.name.partition(" ")
    user = User(
        username=key,
        email=registration.email,
        first_name=first[:150],
        last_name=last[:150],
        kind=User.Kind.RT,
        cpf=registration.cpf,
    )
    initial_password = secrets.token_urlsafe(9)
    user.set_password(initial_password)
    user.save()
    registration.status = RTRegistration.Status.APPROVED
    registration.user = user
    registration.decided_at = timezone.now()
    registration.decided_by = by
    registration.save()
    deadline_close(
        subject=registration, kinds=[clocks.RT_REGISTRATION_REVIEW.code], at=registration.decided_at
    )
    context = {"registration": registration, "user": user}
    related = f"rt-registration:{registration.pk}"
    # The seed's three e-mails, in this order.
    email_queue(
        to=[user.email],
        template="rt_atende_login",
        related_object=related,
        context={**context, "initial_password": initial_password},
    )
    email_queue(to=[user.email], template="rt_apr_approved", context=context, related_object=related)
    email_queue(
        to=[user.email],
        template="rt_apr_password_link",
        related_object=related,
        context={**context, "link": apr_password_path(user)},
    )
    return registration


@transaction.atomic
def rt_registration_reject(*, registration, by, reason):
    if not by.has_perm("aprweb.review_registration"):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the registration is rejected."))
    registration = _lock_registration(registration)
    if registration.status != RTRegistration.Status.PENDING:
        raise ServiceError(_("This registration was already decided."))
    registration.status = RTRegistration.Status.REJECTED
    registration.rejection_reason = reason
    registration.decided_at = timezone.now()
    registration.decided_by = by
    registration.save()
    deadline_close(
        subject=registration, kinds=[clocks.RT_REGISTRATION_REVIEW.code], at=registration.decided_at
    )
    email_queue(
        to=[registration.email],
        template="rt_registration_rejected",
        context={"registration": registration},
        related_object=f"rt-registration:{registration.pk}",
    )
    return registration
