from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.fields import ChoiceLabels


class ProtectionOrder(ChoiceLabels, models.Model):
    """A court order protecting a victim (and relatives) from a restrained person [SPEC 2.6,
    GP 6]. Its status moves only through protection.services."""

    class Kind(models.TextChoices):
        RESTRAINING = "restraining", _("Restraining order")
        PROTECTION = "protection", _("Protection order")
        NO_CONTACT = "no_contact", _("No-contact order")
        BAIL_CONDITIONS = "bail_conditions", _("Bail conditions")
        WITNESS_PROTECTION = "witness_protection", _("Witness-protection programme admission")
        ANONYMITY = "anonymity", _("Anonymity order")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        VARIED = "varied", _("Varied")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    IN_FORCE = (Status.ACTIVE, Status.VARIED)

    victim = models.ForeignKey("victims.Victim", verbose_name=_("protected victim"), on_delete=models.PROTECT,
                               related_name="protection_orders")
    protected_relatives = models.ManyToManyField(
        "victims.ProtectedRelative", verbose_name=_("protected relatives"), blank=True, related_name="protection_orders",
    )
    # The order protects the victim whatever becomes of the case record: it outlives it.
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="protection_orders")
    restrained_defendant = models.ForeignKey(
        "cases.Defendant", verbose_name=_("restrained person (defendant)"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="protection_orders",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    issuing_court = models.ForeignKey(
        "accounts.Agency", verbose_name=_("issuing court"), on_delete=models.PROTECT, related_name="issued_orders",
        limit_choices_to={"kind": "court"},
    )
    court_reference = models.CharField(_("court's reference"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    effective_from = models.DateField(_("effective from"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), help_text=_("What the restrained person must and must not do. "
                                                               "Never the victim's address."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE,
                              editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[protected_relatives])

    class Meta:
        verbose_name = _("protection order")
        verbose_name_plural = _("protection orders")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_from__gte=models.F("issued_on")), name="order_effective_after_issue",
                violation_error_message=_("An order cannot take effect before it is issued."),
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("effective_from")),
                name="order_expires_after_effect",
                violation_error_message=_("An order cannot expire before it takes effect."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.court_reference or f'#{self.pk}'}"

    def get_absolute_url(self):
        return reverse("protection-order-detail", args=[self.pk])

    @property
    def is_in_force(self):
        return self.status in self.IN_FORCE


class OrderEvent(models.Model):
    """Each status change and review of an order: what, when, who, why."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        VARIED = "varied", _("Varied")
        REVIEWED = "reviewed", _("Reviewed")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    order = models.ForeignKey(ProtectionOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                           help_text=_("Empty when the system expired the order."))
    details = models.TextField(_("details"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("protection order event")
        verbose_name_plural = _("protection order events")
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.order}: {self.get_kind_display()} {self.on:%Y-%m-%d}"


class Violation(models.Model):
    """A breach of an order. Recording one flags the victim for a risk re-assessment and tells
    the prosecutor and the supporting NGO (protection.services.report_violation)."""

    class Action(models.TextChoices):
        NONE_YET = "none_yet", _("No action yet")
        WARNING = "warning", _("Warning given")
        ARREST = "arrest", _("Arrest")
        CHARGED = "charged", _("Charged with breach")
        BAIL_REVOKED = "bail_revoked", _("Bail revoked")
        ORDER_VARIED = "order_varied", _("Order varied")
        OTHER = "other", _("Other")

    class Escalation(models.TextChoices):
        NONE = "none", _("Not escalated")
        POLICE = "police", _("Police")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        COURT = "court", _("Court")

    order = models.ForeignKey(ProtectionOrder, on_delete=models.PROTECT, related_name="violations")
    occurred_at = models.DateTimeField(_("when it happened"))
    description = models.TextField(_("what happened"), help_text=_("Never the victim's address."))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    editable=False)
    reported_at = models.DateTimeField(default=timezone.now, editable=False)
    action_taken = models.CharField(_("action taken"), max_length=15, choices=Action.choices,
                                    default=Action.NONE_YET)
    action_details = models.TextField(_("action details"), blank=True)
    escalation = models.CharField(_("escalated to"), max_length=10, choices=Escalation.choices,
                                  default=Escalation.NONE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("violation of a protection order")
        verbose_name_plural = _("violations of protection orders")
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"{self.order}: violation {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("protection-order-detail", args=[self.order_id])
