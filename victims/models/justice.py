"""The victim in the justice process: non-punishment, detention, participation and their
requests about their own data."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case

from .record import Victim

# Offences a victim may have committed because they were trafficked [PR 1.2.2, 2.1, VS 21]:
# charging the victim with one of them raises the non-criminalisation flag.
RELATED_OFFENCES = ("immigration", "documents", "prostitution", "begging", "illegal_work", "compelled_offence")


class NonPunishmentDecision(models.Model):
    """The decision not to punish a victim for an offence tied to their trafficking; until it
    exists, the victim and the prosecutor's dashboard carry the non-criminalisation flag."""

    class Outcome(models.TextChoices):
        NOT_PROSECUTED = "not_prosecuted", _("Not prosecuted")
        DISCONTINUED = "discontinued", _("Proceedings discontinued")
        NO_PENALTY = "no_penalty", _("Convicted without penalty")
        ACQUITTED = "acquitted", _("Acquitted")
        RECORD_EXPUNGED = "record_expunged", _("Criminal record expunged")
        PROSECUTION_CONTINUES = "prosecution_continues", _("Prosecution continues (reasoned)")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="non_punishment_decisions")
    defendant = models.OneToOneField("cases.Defendant", on_delete=models.CASCADE,
                                     related_name="non_punishment_decision")
    outcome = models.CharField(_("decision"), max_length=25, choices=Outcome.choices)
    decided_on = models.DateField(_("decided on"), default=timezone.localdate)
    authority = models.CharField(_("decided by"), max_length=200)
    reasoning = models.TextField(_("reasoning"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("non-punishment decision")
        verbose_name_plural = _("non-punishment decisions")
        ordering = ["-decided_on"]

    def __str__(self):
        return f"non-punishment decision for {self.victim}"

    def clean(self):
        if self.defendant_id and self.defendant.victim_id != self.victim_id:
            raise ValidationError({"defendant": _("This defendant is not recorded as the same person as the victim.")})


class Detention(models.Model):
    """A register of every detention of a victim [PR 1.2.2]. Detaining a child (or anyone
    whose age is in doubt) is refused unless a court ordered it as a last resort."""

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="detentions")
    place = models.CharField(_("place of detention"), max_length=200)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    authority = models.CharField(_("ordered by"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    necessity_reasoning = models.TextField(_("why detention is necessary"))
    court_order = models.CharField(_("court order (reference)"), max_length=200, blank=True)
    last_resort_reasoning = models.TextField(
        _("why no alternative exists (children: required)"), blank=True,
    )
    review_dates = ArrayField(models.DateField(), verbose_name=_("judicial review dates"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("detention")
        verbose_name_plural = _("detentions")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="detention_ends_after_start",
                violation_error_message=_("A detention cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"detention of {self.victim} from {self.started_on}"

    def clean(self):
        if self.victim_id and self.victim.is_treated_as_child and not (
                self.court_order.strip() and self.last_resort_reasoning.strip()):
            raise ValidationError(_(
                "Routine detention of a child is refused. A child, or anyone whose age is in doubt, may be "
                "detained only by court order as a last resort: record the order and why no alternative exists."))

    @property
    def next_review_on(self):
        today = timezone.localdate()
        upcoming = sorted(d for d in self.review_dates if d >= today)
        return upcoming[0] if upcoming else None


class ParticipationEntry(models.Model):
    """The victim's views at a stage, or a notice given to them [VS 19, 22]."""

    class Kind(models.TextChoices):
        VIEWS = "views", _("Views of the victim")
        NOTICE = "notice", _("Notice given to the victim")

    class NoticeAbout(models.TextChoices):
        STAGE_CHANGE = "stage_change", _("Stage of the proceedings")
        HEARING_DATE = "hearing_date", _("Hearing date")
        RELEASE = "release", _("Release or escape of the accused")
        DECISION = "decision", _("A decision and its reasons")
        RIGHTS = "rights", _("Their rights")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Telephone")
        LETTER = "letter", _("Letter")
        VIA_NGO = "via_ngo", _("Through the supporting NGO")
        VIA_LAWYER = "via_lawyer", _("Through their lawyer")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="participation")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("entry"), max_length=10, choices=Kind.choices)
    stage = models.CharField(_("stage"), max_length=20, blank=True,
                             choices=Case.Stage.choices)
    notice_about = models.CharField(_("notice about"), max_length=15, choices=NoticeAbout.choices, blank=True)
    on = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("how"), max_length=12, choices=Channel.choices, blank=True)
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participation entry")
        verbose_name_plural = _("participation log")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="notice") | ~models.Q(notice_about=""), name="notice_says_what_about",
                violation_error_message=_("Say what the notice was about."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.on})"

    def clean(self):
        if self.case_id and self.victim_id and not self.victim.case_links.filter(case_id=self.case_id).exists():
            raise ValidationError({"case": _("This victim is not linked to the case.")})


class DataSubjectRequest(models.Model):
    """A request by the victim about their own data, and how it was handled [NA VII.D.9]."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access to their data")
        CORRECTION = "correction", _("Correction")
        WITHDRAWAL = "withdrawal", _("Withdrawal of consent")
        ERASURE = "erasure", _("Erasure")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused (reason recorded)")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="data_requests")
    kind = models.CharField(_("request"), max_length=12, choices=Kind.choices)
    consent = models.ForeignKey(
        "victims.Consent", verbose_name=_("consent concerned"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="data_requests", help_text=_("For a withdrawal: the consent the victim withdraws."),
    )
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    handled_on = models.DateField(_("handled on"), null=True, blank=True)
    outcome = models.TextField(_("how it was handled"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["done", "refused"])
                | (models.Q(handled_on__isnull=False) & ~models.Q(outcome="")),
                name="handled_request_says_how",
                violation_error_message=_("A handled request needs the date and how it was handled."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} request of {self.victim}"

    def clean(self):
        if self.consent_id and self.victim_id and self.consent.victim_id != self.victim_id:
            raise ValidationError({"consent": _("Choose a consent of this victim.")})
        # A withdrawal is done when the consent is withdrawn, which revokes what it gave.
        if self.kind == self.Kind.WITHDRAWAL and self.status == self.Status.DONE and (
                self.consent_id is None or self.consent.withdrawn_on is None):
            raise ValidationError({"consent": _(
                "A withdrawal request is done once the consent it concerns is withdrawn: withdraw that consent "
                "first, then record the request as done.")})
