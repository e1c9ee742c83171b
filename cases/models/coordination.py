from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .case import Case


class CoordinationMeeting(models.Model):
    """Police, prosecutors and service providers meeting on a case [GP 11, NA V.D.10]."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    agencies = models.ManyToManyField("accounts.Agency", verbose_name=_("agencies attending"), related_name="+")
    decisions = models.TextField(_("decisions"))
    next_meeting_on = models.DateField(_("next meeting"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(m2m_fields=[agencies])

    class Meta:
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.case} meeting {self.held_on:%Y-%m-%d}"


class CooperationRequest(models.Model):
    """International cooperation [PR 1.2.9, NA IX.D.5, WG 27-28]."""

    class Kind(models.TextChoices):
        MLA = "mla", _("Mutual legal assistance")
        EXTRADITION = "extradition", _("Extradition")
        JIT = "jit", _("Joint investigation team")
        POLICE = "police", _("Police-to-police cooperation")
        TRANSFER = "transfer", _("Transfer of proceedings")
        ASSET_RECOVERY = "asset_recovery", _("Asset recovery")
        VIDEO_TESTIMONY = "video_testimony", _("Testimony by video link")

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", _("We request")
        INCOMING = "incoming", _("We are requested")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        EXECUTED = "executed", _("Executed")
        PARTLY_EXECUTED = "partly_executed", _("Partly executed")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class FollowUp(models.TextChoices):
        PENDING = "pending", _("Decision pending")
        PROSECUTED = "prosecuted", _("Prosecuted domestically")
        TRANSFERRED = "transferred", _("Proceedings transferred")
        NOT_PURSUED = "not_pursued", _("Not pursued (reason recorded)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cooperation_requests")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.OUTGOING)
    requesting_state = CountryField(_("requesting state"))
    requested_state = CountryField(_("requested state"))
    central_authority = models.CharField(_("central authority"), max_length=250, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    response_due_on = models.DateField(_("response due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Human-rights screening before cooperating [PR 1.2.9]: the date says it was done (no
    # risk ticked then means none was found), so "not screened" and "no risk" stay apart.
    screened_on = models.DateField(_("human-rights screening done on"), null=True, blank=True)
    risk_death_penalty = models.BooleanField(_("risk of the death penalty"), default=False)
    risk_torture = models.BooleanField(_("risk of torture or ill-treatment"), default=False)
    risk_unfair_trial = models.BooleanField(_("risk of an unfair trial"), default=False)
    risk_discrimination = models.BooleanField(_("risk of discrimination"), default=False)
    screening_notes = models.TextField(_("screening notes"), blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    # aut dedere aut judicare: a refused extradition is followed by a decision to prosecute.
    follow_up = models.CharField(_("extradite-or-prosecute follow-up"), max_length=15,
                                 choices=FollowUp.choices, blank=True)
    follow_up_notes = models.TextField(_("follow-up notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("international cooperation request")
        verbose_name_plural = _("international cooperation requests")
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="cooperation_refusal_has_reason",
                violation_error_message=_("A refused request needs the reason for refusal."),
            ),
            models.CheckConstraint(
                condition=~(models.Q(status="refused") & models.Q(kind="extradition")) | ~models.Q(follow_up=""),
                name="refused_extradition_has_follow_up",
                violation_error_message=_("A refused extradition needs its extradite-or-prosecute follow-up."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.requesting_state.code}->{self.requested_state.code}"

    def save(self, *args, **kwargs):
        # aut dedere aut judicare: refusing extradition opens the decision whether to prosecute.
        if self.kind == self.Kind.EXTRADITION and self.status == self.Status.REFUSED and not self.follow_up:
            self.follow_up = self.FollowUp.PENDING
        super().save(*args, **kwargs)

    @property
    def has_human_rights_risk(self):
        return any((self.risk_death_penalty, self.risk_torture, self.risk_unfair_trial, self.risk_discrimination))
