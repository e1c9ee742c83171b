"""Reflection and recovery, residence permits, asylum and return."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .record import Victim

# A victim's residence permit should last at least six months where the law follows [VS 23].
MINIMUM_PERMIT_DAYS = 183


class ReflectionPeriod(models.Model):
    """Time to recover and decide about cooperating, free of removal [NA IV fn 12]. Its length
    is the jurisdiction's setting (Jurisdiction.reflection_period_days)."""

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="reflection_periods")
    jurisdiction = models.ForeignKey("accounts.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), editable=False)
    granted_by = models.CharField(_("granted by"), max_length=200, blank=True)
    # Set only when a decision cuts the period short ("not a victim", victims.services); `ends_on`
    # keeps the end it was granted until.
    ended_on = models.DateField(_("ended early on"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reflection and recovery period")
        verbose_name_plural = _("reflection and recovery periods")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="reflection_ends_after_start",
                violation_error_message=_("A reflection period cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"reflection period of {self.victim} until {self.ends_on}"

    def compute_ends_on(self):
        return self.started_on + datetime.timedelta(days=self.jurisdiction.reflection_period_days)

    def save(self, *args, **kwargs):
        self.ends_on = self.compute_ends_on()
        super().save(*args, **kwargs)

    @property
    def last_day(self):
        return self.ended_on or self.ends_on

    def is_running(self, today=None):
        today = today or timezone.localdate()
        return self.started_on <= today <= self.last_day


class ResidencePermit(models.Model):
    class Kind(models.TextChoices):
        VICTIM = "victim", _("Residence permit for victims of trafficking")
        HUMANITARIAN = "humanitarian", _("Humanitarian")
        SHORT_TERM = "short_term", _("Short-term permit")
        WORK = "work", _("Work permit")
        PERMANENT = "permanent", _("Permanent residence")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied for")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        EXPIRED = "expired", _("Expired")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="residence_permits")
    kind = models.CharField(_("permit"), max_length=15, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    renewal_of = models.ForeignKey("self", verbose_name=_("renewal of"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="renewals")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("residence permit")
        verbose_name_plural = _("residence permits")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="granted") | (models.Q(issued_on__isnull=False)
                                                         & models.Q(expires_on__isnull=False)),
                name="granted_permit_has_dates",
                violation_error_message=_("A granted permit needs its issue and expiry dates."),
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(issued_on__isnull=True)
                | models.Q(expires_on__gt=models.F("issued_on")),
                name="permit_expires_after_issue",
                violation_error_message=_("A permit expires after it is issued."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.victim}"

    def clean(self):
        if self.renewal_of_id and self.renewal_of.victim_id != self.victim_id:
            raise ValidationError({"renewal_of": _("A renewal continues a permit of the same victim.")})

    @property
    def shorter_than_six_months(self):
        return bool(self.issued_on and self.expires_on and (self.expires_on - self.issued_on).days < MINIMUM_PERMIT_DAYS)


class AsylumClaim(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Refugee status granted")
        SUBSIDIARY = "subsidiary", _("Subsidiary protection")
        REJECTED = "rejected", _("Rejected")
        APPEALED = "appealed", _("Under appeal")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="asylum_claims")
    filed_on = models.DateField(_("filed on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asylum claim")
        verbose_name_plural = _("asylum claims")
        ordering = ["-filed_on"]

    def __str__(self):
        return f"asylum claim of {self.victim}"


class Return(models.Model):
    """A return to the country of origin or a third country: only after a completed risk
    assessment and a non-refoulement check, and never while a linked case is open
    [PR 1.2.3, NA VII.D.6-8]; victims.services.record_return enforces both."""

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="returns")
    destination = CountryField(_("returned to"))
    returned_on = models.DateField(_("returned on"))
    voluntary = models.BooleanField(_("voluntary return"), default=True)
    risk_assessment = models.ForeignKey("victims.RiskAssessment", verbose_name=_("risk assessment"),
                                        on_delete=models.PROTECT, related_name="+")
    non_refoulement_checked = models.BooleanField(
        _("non-refoulement checked: no risk of persecution, torture or re-trafficking on return"), default=False
    )
    non_refoulement_notes = models.TextField(_("non-refoulement check"), blank=True)
    receiving_organisation = models.CharField(_("receiving organisation"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-returned_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(non_refoulement_checked=True), name="return_needs_non_refoulement_check",
                violation_error_message=_("A return needs a completed non-refoulement check."),
            ),
        ]

    def __str__(self):
        return f"return of {self.victim}"
