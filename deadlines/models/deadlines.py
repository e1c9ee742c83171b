from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.fields import ChoiceLabels
from deadlines import notice_times


class Deadline(notice_times.KeepsNextNotice, ChoiceLabels, models.Model):
    """A date something must be done by, as a row: the sweep [SPEC 2.7] reminds and escalates
    from these, and the case, the calendar and the dashboard show them [SPEC 2.5].

    Statutory and procedural deadlines are entered by people; generated ones follow from
    other records (a stage entered, a referral sent, an order's review date...) and carry a
    `source_key` so regenerating them never makes a second row."""

    class Kind(models.TextChoices):
        # Statutory
        PRE_TRIAL_DETENTION = "pre_trial_detention", _("Pre-trial detention limit")
        INDICTMENT = "indictment", _("Indictment")
        DISCLOSURE = "disclosure", _("Disclosure")
        APPEAL_WINDOW = "appeal_window", _("Appeal window")
        # Procedural: agreed between police, prosecutors and defence [GP 12]
        PROCEDURAL = "procedural", _("Procedural (agreed)")
        # Generated
        STAGE_STANDARD = "stage_standard", _("Stage time standard")
        REFERRAL_RESPONSE = "referral_response", _("Referral answer")
        ORDER_REVIEW = "order_review", _("Protection order review")
        ORDER_EXPIRY = "order_expiry", _("Protection order expiry")
        RISK_REASSESSMENT = "risk_reassessment", _("Risk re-assessment after a violation")
        REFLECTION_END = "reflection_end", _("End of the reflection period")
        PERMIT_EXPIRY = "permit_expiry", _("Residence permit expiry")
        COOPERATION_RESPONSE = "cooperation_response", _("Cooperation request answer")

    STATUTORY = (Kind.PRE_TRIAL_DETENTION, Kind.INDICTMENT, Kind.DISCLOSURE, Kind.APPEAL_WINDOW)
    ENTERED = (*STATUTORY, Kind.PROCEDURAL)  # the kinds people enter; the others are generated

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        MISSED = "missed", _("Missed")
        EXTENDED = "extended", _("Extended")

    PENDING = (Status.OPEN, Status.EXTENDED)  # still to be met
    # Deadlines that mark a date rather than a task: when the date comes they are done, not
    # missed (an order's expiry is acted on by the sweep itself: the order becomes expired).
    EVENTS = (Kind.REFLECTION_END, Kind.ORDER_EXPIRY)

    kind = models.CharField(_("type"), max_length=25, choices=Kind.choices)
    title = models.CharField(_("what is due"), max_length=200, help_text=_("Never a victim's name."))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN,
                              editable=False)
    # An extension keeps the first due date and says why [SPEC 2.5].
    original_due_at = models.DateTimeField(_("first due"), null=True, blank=True, editable=False)
    extension_reason = models.TextField(_("reason for extension"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("met or missed at"), null=True, blank=True, editable=False)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible person"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="deadlines",
    )
    responsible_agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("responsible agency"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="deadlines",
    )
    # What the deadline is about. Who may see it follows the most specific of these
    # (see DeadlineRule in deadlines/access.py).
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="deadlines")
    victim = models.ForeignKey("victims.Victim", verbose_name=_("victim"), on_delete=models.CASCADE, null=True,
                               blank=True, related_name="deadlines")
    defendant = models.ForeignKey("cases.Defendant", verbose_name=_("defendant"), on_delete=models.CASCADE,
                                  null=True, blank=True, related_name="deadlines")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="deadlines", editable=False)
    cooperation_request = models.ForeignKey("cases.CooperationRequest", on_delete=models.CASCADE, null=True,
                                            blank=True, related_name="deadlines", editable=False)
    protection_order = models.ForeignKey("protection.ProtectionOrder", on_delete=models.CASCADE, null=True,
                                         blank=True, related_name="deadlines", editable=False)
    source_key = models.CharField(max_length=100, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                   editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the deadline sweep must next look at it (deadlines/notice_times.py).
    next_notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["next_notice_at"])

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["next_notice_at"], condition=models.Q(next_notice_at__isnull=False),
                         name="deadline_next_notice"),
            # "Mine": the pending deadlines a person, or their agency when no person is named, answers for.
            models.Index(fields=["responsible_user", "due_at"], condition=models.Q(status__in=["open", "extended"]),
                         name="deadline_pending_by_person"),
            models.Index(fields=["responsible_agency", "due_at"],
                         condition=models.Q(status__in=["open", "extended"], responsible_user__isnull=True),
                         name="deadline_pending_by_agency"),
            # Deadlines extended in a period, by the date first set (the coordination report) [SPEC 2.8].
            models.Index(fields=["original_due_at"], condition=models.Q(original_due_at__isnull=False),
                         name="deadline_extended_from"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source_key"], condition=~models.Q(source_key=""),
                                    name="deadline_generated_once"),
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(victim__isnull=False)
                | models.Q(referral__isnull=False) | models.Q(protection_order__isnull=False),
                name="deadline_is_about_something",
                violation_error_message=_("A deadline belongs to a case, a victim, a referral or an order."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="extended") | ~models.Q(extension_reason=""),
                name="deadline_extension_has_reason",
                violation_error_message=_("An extension needs its reason."),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.due_at:%Y-%m-%d})"

    # Extended, closed or retyped: the sweep looks at it again from its first threshold.
    schedule_fields = ("due_at", "status", "kind")

    def first_notice(self):
        return notice_times.first_deadline_notice(self)

    @property
    def is_pending(self):
        return self.status in self.PENDING

    @property
    def is_overdue(self):
        return self.is_pending and self.due_at < timezone.now()

    @property
    def is_generated(self):
        return bool(self.source_key)

    @property
    def category(self):
        if self.kind in self.STATUTORY:
            return _("Statutory")
        return _("Procedural") if self.kind == self.Kind.PROCEDURAL else _("Generated")
