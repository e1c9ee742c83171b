"""Risk assessments, safety plans and relatives who need protection too."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .record import Victim


class RiskAssessment(models.Model):
    class Level(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    level = models.CharField(_("risk level"), max_length=10, choices=Level.choices)
    threats_to_victim = models.TextField(_("threats to the victim"), blank=True)
    threats_to_relatives = models.TextField(_("threats to relatives"), blank=True)
    # The victim must know what the authorities can and cannot protect them from [PR 1.2.3].
    limits_of_protection_explained = models.BooleanField(_("limits of protection explained to the victim"),
                                                         default=False)
    completed = models.BooleanField(_("assessment completed"), default=False)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]

    def __str__(self):
        return f"{self.get_level_display()} risk ({self.assessed_on})"

    def clean(self):
        if self.completed and not self.limits_of_protection_explained:
            raise ValidationError({"limits_of_protection_explained": _(
                "An assessment is complete only once the limits of protection were explained to the victim.")})


class SafetyPlan(models.Model):
    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="safety_plans")
    risk_assessment = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, related_name="safety_plans")
    measures = models.TextField(_("measures"))
    agreed_on = models.DateField(_("agreed with the victim on"), default=timezone.localdate)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")
        ordering = ["-agreed_on", "-id"]

    def __str__(self):
        return f"safety plan of {self.victim}"

    def clean(self):
        if self.risk_assessment_id and self.risk_assessment.victim_id != self.victim_id:
            raise ValidationError({"risk_assessment": _("Choose an assessment of this victim.")})


class ProtectedRelative(models.Model):
    """A relative under threat is a protected person too [NA VI.D.2c]. Names are identity:
    shown only to those who may see the victim's identity."""

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="protected_relatives")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=100)
    country = CountryField(_("lives in"), blank=True)
    threat = models.TextField(_("threat"), blank=True)
    protection_measures = models.TextField(_("protection measures"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("protected relative")
        verbose_name_plural = _("protected relatives")
        ordering = ["id"]

    def __str__(self):
        return f"relative of {self.victim}"
