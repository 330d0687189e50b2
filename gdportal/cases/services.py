"""What every stage does to a case: lock it, move it through a transition, number it, tell its people.

The stages' own service functions (atende/services.py, aprweb/services_*.py) check who may act and in which
state, and call these inside their transaction, so a refusal changes nothing and an e-mail exists only if the
change committed.
"""

import secrets

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from gdportal.notifications.services import email_queue

from .choices import EventAction
from .models import Case, CaseEvent, NumberSequence
from .rules import case_rule_errors
from .signals import case_moved


class ServiceError(Exception):
    """A refusal with a message for the user; nothing was changed."""


class RuleBroken(ServiceError):
    """A case breaks rules of SPEC §4.2 (`errors`: {field: message}); nothing was saved."""

    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__(" ".join(str(message) for message in self.errors.values()))


def case_check_rules(case):
    """The services' last word on §4.2, whatever filled the case (a form, the admin, a script, the API)."""
    errors = case_rule_errors(case)
    if errors:
        raise RuleBroken(errors)


def next_number(name):
    """Take the next value of a locked counter. Inside the caller's transaction: a rollback returns it."""
    NumberSequence.objects.get_or_create(name=name)
    # The UPDATE takes the row lock and holds it to the end of the caller's transaction: concurrent callers
    # queue here, each reads its own value, and a rollback gives the number back.
    NumberSequence.objects.filter(name=name).update(last_value=F("last_value") + 1)
    return NumberSequence.objects.get(name=name).last_value


def next_protocol(now=None):
    year = timezone.localtime(now or timezone.now()).year
    return f"{year}{next_number(f'protocol-{year}'):09d}"


def next_ns():
    return f"{2_000_000_000 + next_number('ns'):010d}"


# No 0/O, 1/I/L: the customer reads the code to their RT over the phone.
CLAIM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_claim_code():
    """What the customer hands to the RT of their choice: 8 characters (~40 bits), shown as XXXX-XXXX."""
    return "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(8))


def claim_code_matches(case, typed):
    typed = "".join(ch for ch in (typed or "").upper() if ch.isalnum())
    return bool(case.claim_code) and secrets.compare_digest(case.claim_code, typed)


def case_lock(case):
    """The case row, locked to the end of the caller's transaction (re-read: the caller's copy may be old)."""
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the RT.
    return Case.objects.select_for_update(of=("self",)).select_related("customer", "rt").get(pk=case.pk)


def case_event(case, *, by, action, note="", from_state="", to_state=""):
    # An action without a label would reach the timelines, the admin and the e-mails as a raw code.
    if action not in EventAction.values:
        raise ValueError(f"unknown case event action {action!r}: add it to EventAction")
    return CaseEvent.objects.create(
        case=case, actor=by, action=action, from_state=from_state, to_state=to_state, note=note
    )


def case_transition(transition, *, by, action, note=""):
    """Apply a bound transition of a locked case (`case_transition(case.submit, by=…, action="submitted")`).

    Refused with a message when the state does not allow it (a double click, a stale form, two analysts at
    once); otherwise saves the state, writes the audit event and tells the stages (`case_moved`).
    """
    case = transition.__self__
    if not can_proceed(transition):
        raise ServiceError(
            _(
                "This action is not possible while the case is “%(state)s”. Reload the page to see "
                "its current state."
            )
            % {"state": case.get_state_display()}
        )
    old = case.state
    transition()
    case.state_changed_at = timezone.now()
    try:
        case.save()
    except ConcurrentTransition as exc:
        raise ServiceError(_("Someone else changed this case at the same time. Reload the page.")) from exc
    event = case_event(case, by=by, action=action, from_state=old, to_state=case.state, note=note)
    case_moved.send(sender=Case, case=case, event=event)
    return event


def email_case(case, template, **context):
    """Queue an e-mail to the case's people (holder, requester, RT), in the caller's transaction."""
    email_queue(
        to=case.notify_emails,
        template=template,
        context={"case": case, **context},
        related_object=f"case:{case.pk}",
    )
