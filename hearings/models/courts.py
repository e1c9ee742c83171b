from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Courtroom(models.Model):
    """A room of a court (an agency of kind court) and what it offers witnesses [GP 17]."""

    court = models.ForeignKey(
        "accounts.Agency", verbose_name=_("court"), on_delete=models.CASCADE, related_name="courtrooms",
        limit_choices_to={"kind": "court"},
    )
    name = models.CharField(_("name"), max_length=100)
    has_video_link = models.BooleanField(_("video link / CCTV equipment"), default=False)
    has_screen = models.BooleanField(_("screens for witnesses"), default=False)
    # No contact between victim and defendant before and after testimony [GP 17].
    has_safe_waiting_room = models.BooleanField(_("safe waiting room for witnesses"), default=False)
    has_separate_entrance = models.BooleanField(_("separate entrance for witnesses"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("courtroom")
        verbose_name_plural = _("courtrooms")
        ordering = ["court__name", "name"]
        constraints = [models.UniqueConstraint(fields=["court", "name"], name="courtroom_unique_name")]

    def __str__(self):
        return f"{self.court} – {self.name}"


class JudgeUnavailability(models.Model):
    """A judge's leave, training or other absence: no hearing may be set before them then."""

    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.CASCADE, related_name="unavailability",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("judge's non-availability")
        verbose_name_plural = _("judges' non-availability")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="judge_unavailability_ends_after_start",
                violation_error_message=_("The non-availability cannot end before it starts."),
            )
        ]

    def __str__(self):
        return f"{self.judge}: {self.starts_on:%Y-%m-%d} – {self.ends_on:%Y-%m-%d}"
