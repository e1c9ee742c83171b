"""Consent, assistance, cooperation with the authorities and counselling notes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .record import Victim


class Consent(models.Model):
    """Informed, voluntary, withdrawable consent for one purpose (and, for sharing and
    referral, one named agency) [NA VII.D.9]. Consent to share gives that agency access to
    the victim; withdrawing it takes that access away again (victims.grants)."""

    class Purpose(models.TextChoices):
        DATA_PROCESSING = "data_processing", _("Processing of personal data")
        SHARE_RECORD = "share_record", _("Sharing the victim record with an agency")
        SHARE_IDENTITY = "share_identity", _("Sharing the record and identity with an agency")
        REFERRAL = "referral", _("Referral to an agency")
        PHOTOGRAPHS = "photographs", _("Photographs and recordings")

    AGENCY_PURPOSES = (Purpose.SHARE_RECORD, Purpose.SHARE_IDENTITY, Purpose.REFERRAL)

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="victim_consents", help_text=_("The agency data is shared with or the victim is referred to."),
    )
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    informed = models.BooleanField(
        _("the victim was told what this means, in a language they understand"), default=False
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_note = models.CharField(_("withdrawal note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["given_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["victim", "purpose", "agency"], condition=models.Q(withdrawn_on__isnull=True),
                nulls_distinct=False, name="consent_one_in_force",
                violation_error_message=_("This consent is already in force."),
            ),
            models.CheckConstraint(
                condition=models.Q(informed=True), name="consent_is_informed",
                violation_error_message=_("Consent counts only if the victim was told what it means."),
            ),
            models.CheckConstraint(
                condition=~models.Q(purpose__in=["share_record", "share_identity", "referral"])
                | models.Q(agency__isnull=False),
                name="consent_to_share_names_agency",
                violation_error_message=_("Consent to share or refer names the agency."),
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
                violation_error_message=_("Consent cannot be withdrawn before it was given."),
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} ({self.victim})"

    @property
    def in_force(self):
        return self.withdrawn_on is None


class AssistanceService(models.Model):
    """A service the victim receives. Never conditional on cooperation with the authorities
    [WG 58, VS 23, PR 1.2.3]: nothing here reads CooperationWithAuthorities."""

    class Kind(models.TextChoices):
        SHELTER = "shelter", _("Shelter / safe accommodation")
        MEDICAL = "medical", _("Medical care")
        PSYCHOLOGICAL = "psychological", _("Psychological support")
        LEGAL_AID = "legal_aid", _("Legal aid")
        INTERPRETATION = "interpretation", _("Interpretation")
        EDUCATION = "education", _("Education / vocational training")
        FINANCIAL = "financial", _("Financial assistance")
        COURT_ACCOMPANIMENT = "court_accompaniment", _("Accompaniment to court")
        OTHER = "other", _("Other")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("service"), max_length=20, choices=Kind.choices)
    provider = models.ForeignKey("accounts.Agency", verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="victim_services")
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assistance service")
        verbose_name_plural = _("assistance services")
        ordering = ["-started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="service_ends_after_start",
                violation_error_message=_("A service cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.victim}"


class CooperationWithAuthorities(models.Model):
    """Whether the victim cooperates with the investigation. Recorded apart on purpose: no
    service, referral or permit decision may read it [WG 58, VS 23] (tests/test_victims_rules.py
    checks that no such code path imports it)."""

    class Status(models.TextChoices):
        NOT_ASKED = "not_asked", _("Not asked")
        CONSIDERING = "considering", _("Considering (reflection period)")
        COOPERATING = "cooperating", _("Cooperating")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrew cooperation")

    victim = models.OneToOneField(Victim, on_delete=models.CASCADE, primary_key=True, related_name="cooperation")
    status = models.CharField(_("cooperation"), max_length=15, choices=Status.choices, default=Status.NOT_ASKED)
    since = models.DateField(_("since"), default=timezone.localdate)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cooperation with the authorities")
        verbose_name_plural = _("cooperation with the authorities")

    def __str__(self):
        return f"cooperation of {self.victim_id}"


class CounsellingNote(models.Model):
    """A counselling note: read and written by the supporting NGO only."""

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="counselling_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("counselling note")
        verbose_name_plural = _("counselling notes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"counselling note {self.pk}"
