from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from gdportal.brformats import datetime_br
from gdportal.cache import cache_delete, cache_get_or_set


class NonWorkingDay(models.Model):
    """A date staff close that the holidays package does not know (municipal holiday, ponto facultativo)."""

    date = models.DateField(_("date"), unique=True)
    description = models.CharField(_("description"), max_length=120)

    CACHE_KEY = "deadlines:non-working-days"

    class Meta:
        verbose_name = _("non-working day")
        verbose_name_plural = _("non-working days")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} — {self.description}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache_delete(self.CACHE_KEY)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache_delete(self.CACHE_KEY)
        return result

    @classmethod
    def cached_dates(cls):
        # Every deadline computation reads this; with the cache down it comes from the table.
        return cache_get_or_set(
            cls.CACHE_KEY, lambda: frozenset(cls.objects.values_list("date", flat=True)), 300
        )


OPEN_ONLY = models.Q(state="open")


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Deadline.State.OPEN)

    def of_model(self, model):
        """The clocks of one kind of subject (filter on subject_id then: `OuterRef("pk")`, a list of ids)."""
        return self.filter(subject_type=ContentType.objects.get_for_model(model, for_concrete_model=True))

    def of(self, subject):
        return self.of_model(subject).filter(subject_id=subject.pk)


class Deadline(models.Model):
    """One clock of one subject (SPEC §9) — a case, an RT registration: started and closed by the service
    functions that move the subject. The engine knows the subject only as a content type and an id; subject
    models point back with a GenericRelation named `deadlines` (`case.deadlines.open()`)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        LAPSED = "lapsed", _("Lapsed")
        CANCELLED = "cancelled", _("Cancelled")

    # No index of its own: (subject_type, subject_id, state) below leads with it.
    subject_type = models.ForeignKey(
        ContentType,
        verbose_name=_("subject type"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField(_("kind"), max_length=40)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    # Reminders before an enforcing clock lapses (SPEC §8): when each is due, and when it was sent (once).
    remind_2bd_at = models.DateTimeField(_("2-business-day reminder at"), null=True, blank=True)
    remind_24h_at = models.DateTimeField(_("24-hour reminder at"), null=True, blank=True)
    reminded_2bd_at = models.DateTimeField(_("2-business-day reminder sent at"), null=True, blank=True)
    reminded_24h_at = models.DateTimeField(_("24-hour reminder sent at"), null=True, blank=True)
    # (The two reminder columns hold a kind's first and second reminder: 2 business days and 24 hours before
    # for the RT's clocks, 30 and 7 days before for the parecer's validity and the GFC's expiry.)
    # A paused clock stands still (services.deadline_pause): the sweep leaves it, its page says why.
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    pause_reason = models.CharField(_("why paused"), max_length=200, blank=True)
    paused_days = models.PositiveIntegerField(_("days paused"), default=0)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at"]
        # Only open clocks are ever searched by date (the sweep, the reminders, the board), so the date
        # indexes hold only them: a clock that lapses or closes leaves them instead of adding a row to each —
        # at 100,000 lapses, half the index writes of the sweep's clock updates (bench/README.md, issue 15).
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "state"], name="deadline_subject_state"),
            # With the id, in the sweep's order: a batch reads its 2,000 rows off the index, not every open
            # clock sharing the same due moment (a business day's end) and then sorts them.
            models.Index(fields=["due_at", "id"], condition=OPEN_ONLY, name="deadline_open_due"),
            models.Index(fields=["remind_24h_at"], condition=OPEN_ONLY, name="deadline_open_remind_24h"),
            models.Index(fields=["remind_2bd_at"], condition=OPEN_ONLY, name="deadline_open_remind_2bd"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind"],
                condition=models.Q(state="open"),
                name="deadline_one_open_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {datetime_br(self.due_at)}"

    @property
    def spec(self):
        from .kinds import get_kind

        return get_kind(self.kind)

    @property
    def label(self):
        return self.spec.label

    @property
    def awaited_party(self):
        return self.spec.party
