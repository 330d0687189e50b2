import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from gdportal import requestid
from gdportal.lookups import array_or_in
from gdportal.publish import publish_on_commit

from .models import OutboundEmail

logger = logging.getLogger(__name__)

# Attempts per row, rendering and delivery alike; then the row is failed until an operator resends it.
MAX_ATTEMPTS = 8
# A row claimed longer ago than this belongs to a worker that died mid-send; it may be claimed again
# (settings.GD_EMAIL_STALE_CLAIM_SECONDS; this is its default). Longer than EMAIL_TIMEOUT and the task's hard
# time limit, so a slow but living worker is never overtaken.
STALE_CLAIM = timedelta(minutes=10)


def _stale_claim():
    return timedelta(seconds=getattr(settings, "GD_EMAIL_STALE_CLAIM_SECONDS", STALE_CLAIM.total_seconds()))


# Bulk rows keep ids in their JSON context; a loader per key turns them back into objects at send time
# (e.g. {"case_id": 7} -> {"case": <Case 7>}). Apps register theirs in AppConfig.ready().
CONTEXT_LOADERS = {}


def register_context_loader(key, loader):
    CONTEXT_LOADERS[key] = loader


def _render(template, context):
    with translation.override(settings.LANGUAGE_CODE):
        ctx = {"site_name": "GD Portal", "base_url": settings.GDPORTAL_BASE_URL, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", ctx).strip().replace("\n", " ")
        return (
            subject[:250],
            render_to_string(f"emails/{template}.txt", ctx),
            render_to_string(f"emails/{template}.html", ctx),
        )


def email_queue_bulk(rows):
    """Write many outbox rows in one statement (the deadline sweep); the sender renders them.

    `rows`: dicts with template, context (JSON: ids, not objects), related_object and optionally to. Without
    "to", the sender resolves the recipients from the case the context names.
    """
    emails = [
        OutboundEmail(
            to=sorted({a.strip().lower() for a in row.get("to", []) if a}),
            template=row["template"],
            context=row["context"],
            related_object=row.get("related_object", ""),
            request_id=requestid.get(),
        )
        for row in rows
        if "to" not in row or any(row["to"])
    ]
    OutboundEmail.objects.bulk_create(emails, batch_size=2000)
    if emails:
        from .tasks import send_pending

        publish_on_commit(send_pending)
    return len(emails)


def email_queue_for_subjects_sql(*, model, ids, template, context_key, tag, now=None):
    """One queued row per row of `model` among `ids`, written by a single INSERT … SELECT (the sweep's lapse,
    thousands of cases at once: building a model instance per row made it ten times slower, bench/sweep.py).

    Each row carries only {context_key: id} and related_object "<tag>:<id>"; the sender loads the subject
    with the loader registered for `context_key`, renders `template` and takes the recipients from it.
    """
    ids = list(ids)
    if not ids:
        return 0
    qn = connection.ops.quote_name
    pk = qn(model._meta.pk.column)
    # One array parameter on PostgreSQL, not a placeholder per row (gdportal/lookups.py says why).
    where, id_params = array_or_in(pk, ids, connection)

    def as_json(expression):
        # A JSON column is jsonb on PostgreSQL (text needs a cast) and text on SQLite.
        return f"CAST({expression} AS jsonb)" if connection.vendor == "postgresql" else expression

    # Table and column names come from model metadata, quoted by the backend; every value is a parameter.
    sql = (
        f"INSERT INTO {qn(OutboundEmail._meta.db_table)} "  # noqa: S608  # nosec B608
        f"({qn('to')}, subject, body_text, body_html, template, context, status, attempts, last_error, "
        f"created_at, related_object, request_id) "
        f"SELECT {as_json('%s')}, '', '', '', %s, {as_json(f'%s || {pk} || %s')}, %s, 0, '', %s, "
        f"%s || {pk}, %s "
        f"FROM {qn(model._meta.db_table)} WHERE {where}"
    )
    params = [
        "[]",
        template,
        f'{{"{context_key}": ',
        "}",
        OutboundEmail.Status.QUEUED,
        now or timezone.now(),
        f"{tag}:",
        requestid.get(),
        *id_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    if written:
        from .tasks import send_pending

        publish_on_commit(send_pending)
    return written


def email_queue(*, to, template, context, related_object=""):
    """Render `template` (subject/text/html under templates/emails/) and store it in the outbox.

    Call inside the transaction that decided the e-mail: if it rolls back, the row never existed and nothing
    is sent. The send itself is queued only after commit.
    """
    recipients = sorted({addr.strip().lower() for addr in to if addr})
    if not recipients:
        return None
    subject, body_text, body_html = _render(template, context)
    email = OutboundEmail.objects.create(
        to=recipients,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
        related_object=related_object,
        request_id=requestid.get(),
    )
    from .tasks import send_email

    # After commit, and never failing the caller: with the broker down the row stays queued for send_pending.
    publish_on_commit(send_email, email.pk)
    return email


def _claimable(now):
    # A stale claim belongs to a worker that died mid-send; on the row's last allowed attempt it is failed by
    # email_fail_abandoned instead, or a template that kills the worker would be retried for ever.
    return Q(status=OutboundEmail.Status.QUEUED) | Q(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=now - _stale_claim(), attempts__lt=MAX_ATTEMPTS
    )


def email_claim(email_id):
    """Atomically take a queued (or stale) row for sending; None if another worker has it or it was sent."""
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(_claimable(now), pk=email_id).update(
        status=OutboundEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return OutboundEmail.objects.get(pk=email_id) if claimed else None


def _render_row(email):
    """Render a bulk row from its context (loaders turn ids back into objects); False if nobody to send to."""
    context = {}
    for key, value in email.context.items():
        loader = CONTEXT_LOADERS.get(key)
        context.update(loader(value) if loader else {key: value})
    if "_to" in context:
        # A loader that resolves the recipients itself (a password reset: the account, if any).
        email.to = context.pop("_to")
        if not email.to:
            OutboundEmail.objects.filter(pk=email.pk).update(
                status=OutboundEmail.Status.SKIPPED, sent_at=timezone.now()
            )
            return False
    email.subject, email.body_text, email.body_html = _render(email.template, context)
    if not email.to and "case" in context:
        email.to = context["case"].notify_emails  # answers go to the customer and the RT (the seed)
    # Keep what is sent on the row, as for e-mails rendered at queue time.
    OutboundEmail.objects.filter(pk=email.pk).update(
        to=email.to, subject=email.subject, body_text=email.body_text, body_html=email.body_html
    )
    return True


# No retry heals these: the template is missing, or the object the row names was deleted (a loader's
# Model.DoesNotExist). The row fails at its first attempt.
PERMANENT_ERRORS = (TemplateDoesNotExist, ObjectDoesNotExist)


def _record_failure(email, exc, *, stage):
    """Put the row back in the queue for a later attempt, or mark it failed once MAX_ATTEMPTS is spent (at
    once for an error no retry heals). Logged with the row id and the traceback. True if it failed for good.
    """
    final = email.attempts >= MAX_ATTEMPTS or isinstance(exc, PERMANENT_ERRORS)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.FAILED if final else OutboundEmail.Status.QUEUED,
        last_error=f"{stage}: {exc!r}"[:2000],
        claimed_at=None,
    )
    logger.log(
        logging.ERROR if final else logging.WARNING,
        "e-mail %s not sent, %s failed (attempt %s of %s)%s",
        email.pk,
        stage,
        email.attempts,
        MAX_ATTEMPTS,
        "; marked failed" if final else "; queued again",
        exc_info=exc,
    )
    return final


def email_send(email_id):
    """Send one outbox row at most once.

    Every failure, rendering or delivery, counts as an attempt and is logged and stored on the row. Raises
    while another attempt may succeed (the task retries); returns False once the row is failed for good.
    """
    try:
        email = email_claim(email_id)
    except Exception:
        logger.exception("e-mail %s: could not be claimed", email_id)
        raise
    if email is None:
        return False
    if not email.body_text:
        try:
            if not _render_row(email):
                return False
        except Exception as exc:
            if _record_failure(email, exc, stage="rendering"):
                return False
            raise
    message = EmailMultiAlternatives(
        subject=settings.EMAIL_SUBJECT_PREFIX + email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        headers={requestid.HEADER: email.request_id} if email.request_id else None,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except Exception as exc:
        if _record_failure(email, exc, stage="delivery"):
            return False
        raise
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.SENT, sent_at=timezone.now())
    return True


def email_pending_ids(limit=500):
    return list(
        OutboundEmail.objects.filter(_claimable(timezone.now()))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def email_fail_abandoned():
    """Fail the rows whose worker stopped (killed, timed out) during their last allowed attempt."""
    stale = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING,
        claimed_at__lt=timezone.now() - _stale_claim(),
        attempts__gte=MAX_ATTEMPTS,
    )
    ids = list(stale.values_list("pk", flat=True)[:500])
    if not ids:
        return 0
    failed = stale.filter(pk__in=ids).update(
        status=OutboundEmail.Status.FAILED,
        last_error="abandoned: the worker stopped during the last allowed attempt",
        claimed_at=None,
    )
    logger.error("e-mails %s marked failed: the worker stopped during their last allowed attempt", ids)
    return failed


def email_requeue(*, email_ids, by):
    """Queue failed rows again with a fresh set of attempts (the admin's Resend, once the cause is fixed).

    Only failed rows: a queued or sending row is already on its way, a sent one must not go twice.
    """
    failed = OutboundEmail.objects.filter(pk__in=email_ids, status=OutboundEmail.Status.FAILED)
    ids = list(failed.values_list("pk", flat=True))
    count = failed.filter(pk__in=ids).update(status=OutboundEmail.Status.QUEUED, attempts=0, claimed_at=None)
    if count:
        from .tasks import send_pending

        logger.info("e-mails %s queued again by %s", ids, by)
        publish_on_commit(send_pending)
    return count
