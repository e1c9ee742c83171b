"""The national referral mechanism: a directory of service providers and referrals of a
victim from one agency to another [SPEC 2.4, NA V]."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.fields import ChoiceArrayField, ChoiceLabels
from victims.models import AssistanceService
from victims.models.record import LANGUAGE_CHOICES

ServiceKind = AssistanceService.Kind


class ServiceProvider(models.Model):
    """An agency's entry in the referral directory: what it offers, to whom, where."""

    agency = models.OneToOneField("accounts.Agency", on_delete=models.CASCADE, related_name="directory_entry")
    services = ChoiceArrayField(models.CharField(max_length=20, choices=ServiceKind.choices),
                                verbose_name=_("services offered"), default=list)
    languages = ChoiceArrayField(models.CharField(max_length=10, choices=LANGUAGE_CHOICES),
                                 verbose_name=_("languages spoken"), default=list, blank=True)
    areas = models.CharField(_("areas served"), max_length=300, blank=True,
                             help_text=_("Cities, districts or regions; “national” if everywhere."))
    accepts_children = models.BooleanField(_("accepts children"), default=False)
    capacity = models.PositiveIntegerField(_("places available now"), null=True, blank=True)
    contact_point = models.CharField(_("contact point"), max_length=200)
    contact_phone = models.CharField(_("24-hour phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("referral e-mail"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("referral directory")
        ordering = ["agency__name"]

    def __str__(self):
        return str(self.agency)


class Referral(ChoiceLabels, models.Model):
    class Urgency(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency")
        URGENT = "urgent", _("Urgent")
        ROUTINE = "routine", _("Routine")

    class Reason(models.TextChoices):
        """HTCDS cas_ReasonForOutgoingReferral (and, at the receiving end, ...Incoming...)."""

        ADDITIONAL_SERVICES = "AdditionalServicesRequired", _("Additional services required")
        CHANGE_OF_LOCATION = "MigrationOrChangeOfLocation", _("Migration or change of location")
        OTHER = "Other", _("Other")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS)
    # While the receiving agency works with the victim it sees the victim's referral view.
    GIVES_ACCESS = (Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED)

    victim = models.ForeignKey("victims.Victim", on_delete=models.PROTECT, related_name="referrals")
    from_agency = models.ForeignKey("accounts.Agency", verbose_name=_("from"), on_delete=models.PROTECT,
                                    related_name="referrals_sent")
    to_agency = models.ForeignKey("accounts.Agency", verbose_name=_("to"), on_delete=models.PROTECT,
                                  related_name="referrals_received")
    services = ChoiceArrayField(models.CharField(max_length=20, choices=ServiceKind.choices),
                                verbose_name=_("services requested"), default=list)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    # Every referral before this field asked for services: the default is true of them all.
    reason = models.CharField(_("reason for the referral"), max_length=30, choices=Reason.choices,
                              default=Reason.ADDITIONAL_SERVICES)
    note = models.TextField(_("what the receiving agency needs to know"), blank=True,
                            help_text=_("No names or addresses: identity travels only where consent covers it."))
    is_international = models.BooleanField(_("international referral"), default=False, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SENT,
                              editable=False)
    consent = models.ForeignKey("victims.Consent", verbose_name=_("consent"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="referrals", editable=False)
    consent_override_reason = models.TextField(_("why the referral went without consent"), blank=True,
                                               editable=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                editable=False)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)
    response_due_at = models.DateTimeField(_("answer due"), editable=False)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="referrals_assigned")
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True, editable=False)
    decline_reason = models.TextField(_("reason for declining"), blank=True, editable=False)
    first_service_at = models.DateTimeField(_("first service"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["to_agency", "status"]), models.Index(fields=["from_agency", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["victim", "to_agency"], condition=models.Q(status__in=["sent", "accepted", "in_progress"]),
                name="referral_one_open_per_agency",
                violation_error_message=_("This victim already has an open referral to that agency."),
            ),
            models.CheckConstraint(
                condition=models.Q(consent__isnull=False) | ~models.Q(consent_override_reason=""),
                name="referral_has_consent_or_override",
                violation_error_message=_("A referral needs the victim's consent, or a recorded override."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="declined_referral_has_reason",
                violation_error_message=_("Declining a referral needs a reason."),
            ),
            models.CheckConstraint(
                condition=~models.Q(from_agency=models.F("to_agency")), name="referral_goes_elsewhere",
                violation_error_message=_("A referral goes to another agency."),
            ),
        ]

    def __str__(self):
        return f"referral {self.pk} to {self.to_agency}"

    def get_absolute_url(self):
        return reverse("referral-detail", args=[self.pk])

    def is_overdue(self, now=None):
        return self.status == self.Status.SENT and (now or timezone.now()) > self.response_due_at

    # Timings [SPEC 2.4]: how long each step of the mechanism took.
    @property
    def time_to_acceptance(self):
        return self.accepted_at - self.sent_at if self.accepted_at else None

    @property
    def time_to_first_service(self):
        return self.first_service_at - self.accepted_at if self.first_service_at and self.accepted_at else None


class ReferralEvent(models.Model):
    """Each step of a referral: when, by whom, from which status to which, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Referral.Status.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.referral}: {self.from_status} -> {self.to_status}"


class ReferralNotice(models.Model):
    """An agency is told of a new referral: shown in its inbox, and e-mailed to its referral
    address by the beat sweep (referrals.tasks). One row per referral and agency: a second
    notice, or a second e-mail, is impossible."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notices")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="referral_notices")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral notice")
        verbose_name_plural = _("referral notices")
        constraints = [models.UniqueConstraint(fields=["referral", "agency"], name="referral_notice_once")]

    def __str__(self):
        return f"notice of {self.referral}"
