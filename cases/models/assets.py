from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .case import Case


class Asset(models.Model):
    """Proceeds and instrumentalities, from tracing to return or compensation [PR 1.2.8]."""

    class Kind(models.TextChoices):
        PROCEEDS = "proceeds", _("Proceeds of crime")
        INSTRUMENTALITY = "instrumentality", _("Instrumentality")

    class Stage(models.TextChoices):
        TRACED = "traced", _("Traced")
        FROZEN = "frozen", _("Frozen / seized")
        CONFISCATED = "confiscated", _("Confiscated")
        RETURNED = "returned", _("Returned")
        COMPENSATION = "compensation", _("Used for victim compensation")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assets")
    defendant = models.ForeignKey("cases.Defendant", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="assets")
    description = models.CharField(_("description"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country where held"))
    estimated_value = models.DecimalField(_("estimated value"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    stage = models.CharField(_("stage"), max_length=15, choices=Stage.choices, default=Stage.TRACED)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["id"]

    def __str__(self):
        return self.description

    def clean(self):
        if self.defendant_id and self.case_id and self.defendant.case_id != self.case_id:
            raise ValidationError({"defendant": _("This defendant belongs to another case.")})


class CompensationClaim(models.Model):
    """A victim's claim for compensation, by the route taken [NA VII.D.2-5]."""

    class Route(models.TextChoices):
        SENTENCE = "sentence", _("Part of the criminal sentence")
        CIVIL_IN_CRIMINAL = "civil_in_criminal", _("Civil claim in the criminal case")
        CIVIL_ACTION = "civil_action", _("Separate civil action")
        LABOUR_COURT = "labour_court", _("Labour court")
        STATE_FUND = "state_fund", _("State compensation fund")
        CONFISCATED = "confiscated", _("From confiscated proceeds")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        AWARDED = "awarded", _("Awarded")
        REJECTED = "rejected", _("Rejected")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid in full")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="compensation_claims")
    victim = models.ForeignKey("victims.Victim", on_delete=models.PROTECT, related_name="compensation_claims")
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.FILED)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    amount_claimed = models.DecimalField(_("claimed"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount_awarded = models.DecimalField(_("awarded"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount_paid = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("compensation claim")
        verbose_name_plural = _("compensation claims")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_paid__isnull=True) | models.Q(amount_awarded__isnull=False),
                name="compensation_paid_needs_award",
                violation_error_message=_("An amount paid needs the amount awarded."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount_paid__isnull=True) | models.Q(amount_paid__lte=models.F("amount_awarded")),
                name="compensation_paid_within_award",
                violation_error_message=_("The amount paid cannot exceed the amount awarded."),
            ),
        ]

    def __str__(self):
        return f"{self.get_route_display()} for {self.victim}"

    def clean(self):
        if self.victim_id and self.case_id and not self.victim.case_links.filter(case_id=self.case_id).exists():
            raise ValidationError({"victim": _("This victim is not linked to the case.")})
