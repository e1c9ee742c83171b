from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import ChoiceLabels


class Notification(ChoiceLabels, models.Model):
    """Something a person must know: a protection order violated, a deadline coming or missed.
    Unique per (deadline, threshold, recipient), (hearing, threshold, recipient) and (violation,
    recipient): sending twice is impossible, whatever runs twice."""

    class Kind(models.TextChoices):
        VIOLATION = "violation", _("Protection order violated")
        DEADLINE_REMINDER = "deadline_reminder", _("Deadline coming")
        DEADLINE_OVERDUE = "deadline_overdue", _("Deadline missed")
        ESCALATION = "escalation", _("Overdue: escalated to you")
        HEARING_REMINDER = "hearing_reminder", _("Hearing coming")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200, help_text=_("Never a victim's name."))
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    deadline = models.ForeignKey("deadlines.Deadline", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="notifications")
    # The threshold reached and the due time it was reached for ("7d@202612011700"): a deadline
    # extended or a hearing moved is reminded afresh.
    threshold = models.CharField(_("threshold"), max_length=40, blank=True)
    violation = models.ForeignKey("protection.Violation", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="notifications")
    hearing = models.ForeignKey("hearings.Hearing", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # The sweep's e-mail queue: only the few not yet sent.
            models.Index(fields=["id"], condition=models.Q(emailed_at__isnull=True), name="notification_to_email"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "threshold", "recipient"],
                                    condition=models.Q(deadline__isnull=False), name="notification_deadline_once"),
            models.UniqueConstraint(fields=["violation", "recipient"], condition=models.Q(violation__isnull=False),
                                    name="notification_violation_once"),
            models.UniqueConstraint(fields=["hearing", "threshold", "recipient"],
                                    condition=models.Q(hearing__isnull=False), name="notification_hearing_once"),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.subject}"


class SweepRun(models.Model):
    """One run of the deadline sweep: when, how long, what it did. The admin status page
    shows the last ones beside beat's heartbeat."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=20, default="beat")  # beat, command
    counts = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("deadline sweep")
        verbose_name_plural = _("deadline sweeps")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"sweep {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def duration(self):
        return None if self.finished_at is None else self.finished_at - self.started_at


class SweepFailure(models.Model):
    """An item the sweep could not handle: its error, and when it will be tried again
    (exponential backoff). The others go on meanwhile."""

    deadline = models.OneToOneField("deadlines.Deadline", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="sweep_failure")
    hearing = models.OneToOneField("hearings.Hearing", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="sweep_failure")
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField()
    failed_at = models.DateTimeField(default=timezone.now)
    retry_at = models.DateTimeField()

    class Meta:
        verbose_name = _("sweep failure")
        verbose_name_plural = _("sweep failures")
        ordering = ["-failed_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(deadline__isnull=False) | models.Q(hearing__isnull=False),
                                   name="sweep_failure_names_an_item"),
        ]

    def __str__(self):
        return f"{self.deadline or self.hearing}: {self.attempts} attempt(s)"
