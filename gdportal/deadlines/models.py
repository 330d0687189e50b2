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


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Deadline.State.OPEN)


class Deadline(models.Model):
    """One clock of one case (SPEC §9): started and closed by the service functions that move the case."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        LAPSED = "lapsed", _("Lapsed")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deadlines")
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

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["state", "remind_24h_at"], name="deadline_remind_24h"),
            models.Index(fields=["state", "remind_2bd_at"], name="deadline_remind_2bd"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"], condition=models.Q(state="open"), name="deadline_one_open_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {datetime_br(self.due_at)}"

    @property
    def spec(self):
        from .registry import get_kind

        return get_kind(self.kind)

    @property
    def label(self):
        return self.spec.label

    @property
    def awaited_party(self):
        return self.spec.party
