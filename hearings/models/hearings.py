import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from accounts.fields import ChoiceLabels
from deadlines import notice_times


class Party(models.TextChoices):
    """Who asked: for adjournments and for special measures [VS 26-27]."""

    PROSECUTION = "prosecution", _("Prosecution")
    DEFENCE = "defence", _("Defence")
    VICTIM = "victim", _("Victim or the victim's representative")
    COURT = "court", _("The court of its own motion")
    SERVICE_PROVIDER = "service_provider", _("Victim service provider")
    OTHER = "other", _("Other")


class Hearing(notice_times.KeepsNextNotice, ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminary hearing")
        DEPOSITION = "deposition", _("Deposition / pre-trial testimony")
        TRIAL_DAY = "trial_day", _("Trial day")
        SENTENCING = "sentencing", _("Sentencing")
        APPEAL = "appeal", _("Appeal hearing")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        ADJOURNED = "adjourned", _("Adjourned")
        CANCELLED = "cancelled", _("Cancelled")
        VACATED = "vacated", _("Vacated")

    # What may follow what: a held, cancelled or vacated hearing is over; an adjourned one is
    # replaced by the hearing it was adjourned to.
    TRANSITIONS = {
        Status.SCHEDULED: {Status.HELD, Status.ADJOURNED, Status.CANCELLED, Status.VACATED},
    }
    # Hearings that occupy the court, the judge and the prosecutor.
    OCCUPYING = (Status.SCHEDULED, Status.HELD)

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="hearings")
    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices)
    court = models.ForeignKey(
        "accounts.Agency", verbose_name=_("court"), on_delete=models.PROTECT, related_name="hearings",
        limit_choices_to={"kind": "court"},
    )
    courtroom = models.ForeignKey(
        "hearings.Courtroom", verbose_name=_("courtroom"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="hearings",
    )
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=120)
    # Kept with the row so overlaps are one indexed SQL comparison.
    ends_at = models.DateTimeField(_("ends"), editable=False)
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="hearings_as_judge",
    )
    prosecutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prosecutor"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="hearings_as_prosecutor",
    )
    video_link = models.URLField(
        _("video link"), blank=True,
        help_text=_("For participants who join remotely. Never put it in shared calendars: it opens the hearing."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED,
                              editable=False)
    # Delay is secondary victimisation [GP 8(b)]: every adjournment says why and who asked.
    adjournment_reason = models.TextField(_("reason for adjournment"), blank=True, editable=False)
    adjournment_requested_by = models.CharField(_("adjournment asked by"), max_length=20, choices=Party.choices,
                                                blank=True, editable=False)
    adjourned_to = models.OneToOneField(
        "self", verbose_name=_("adjourned to"), on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="adjourned_from",
    )
    status_reason = models.TextField(_("reason for cancelling or vacating"), blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Never a victim's or witness's name."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                   editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # When the deadline sweep must next look at it for a reminder (deadlines/notice_times.py).
    next_notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["next_notice_at"])

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["court", "starts_at"]),
            models.Index(fields=["prosecutor", "starts_at"]),
            models.Index(fields=["judge", "starts_at"]),
            # A period's hearings at every court (the coordination report) [SPEC 2.8].
            models.Index(fields=["starts_at"], name="hearing_by_start"),
            models.Index(fields=["next_notice_at"], condition=models.Q(next_notice_at__isnull=False),
                         name="hearing_next_notice"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_minutes__gt=0), name="hearing_has_duration",
                                   violation_error_message=_("A hearing lasts at least a minute.")),
            models.CheckConstraint(
                condition=~models.Q(status="adjourned")
                | (~models.Q(adjournment_reason="") & ~models.Q(adjournment_requested_by="")),
                name="hearing_adjournment_has_reason",
                violation_error_message=_("An adjournment needs its reason and who asked for it."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["cancelled", "vacated"]) | ~models.Q(status_reason=""),
                name="hearing_cancellation_has_reason",
                violation_error_message=_("Cancelling or vacating a hearing needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.case} – {self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("hearing-detail", args=[self.pk])

    # Moved, adjourned or cancelled: reminded afresh, or no longer.
    schedule_fields = ("starts_at", "status")

    def first_notice(self):
        return notice_times.first_hearing_notice(self)

    def save(self, *args, **kwargs):
        if self.starts_at is not None and self.duration_minutes:
            self.ends_at = self.starts_at + datetime.timedelta(minutes=self.duration_minutes)
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status == self.Status.SCHEDULED

    @property
    def place(self):
        return f"{self.court}, {self.courtroom.name}" if self.courtroom_id else str(self.court)


class HearingWitness(models.Model):
    """Someone who testifies at a hearing. A victim-witness is named only by the pseudonymous
    victim record; other witnesses by their role, never by name."""

    class Appearance(models.TextChoices):
        IN_PERSON = "in_person", _("In the courtroom")
        VIDEO_LINK = "video_link", _("By video link / CCTV")
        PRE_RECORDED = "pre_recorded", _("Pre-recorded statement")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="witnesses")
    victim = models.ForeignKey(
        "victims.Victim", verbose_name=_("victim-witness"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="hearing_appearances",
    )
    role = models.CharField(_("witness (role, never a name)"), max_length=150, blank=True,
                            help_text=_("For a witness who is not a victim: for example 'labour inspector'."))
    appearance = models.CharField(_("testifies"), max_length=15, choices=Appearance.choices,
                                  default=Appearance.IN_PERSON)
    interpreter_language = models.CharField(_("interpreter needed for"), max_length=60, blank=True,
                                            help_text=_("The language, if the witness needs an interpreter."))
    interpreter_booked = models.BooleanField(_("interpreter booked"), default=False)
    # A victim who will leave the country testifies early so they need not return [GP 8(c)].
    early_testimony = models.BooleanField(_("early testimony: the witness will leave the country"), default=False)
    leaves_country_on = models.DateField(_("leaves the country on"), null=True, blank=True)
    # A witness abroad testifies by video link or through mutual legal assistance: both need
    # arranging between countries [GP 8(c), PR 1.2.9].
    testifies_from = CountryField(_("testifies from abroad (country)"), blank=True,
                                  help_text=_("Only if the witness is abroad at the time of the hearing."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("witness at a hearing")
        verbose_name_plural = _("witnesses at hearings")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["hearing", "victim"], name="hearing_witness_victim_once"),
            models.CheckConstraint(
                condition=models.Q(victim__isnull=False) | ~models.Q(role=""), name="hearing_witness_named",
                violation_error_message=_("Choose the victim-witness, or say the witness's role."),
            ),
            models.CheckConstraint(
                condition=~models.Q(early_testimony=True) | models.Q(leaves_country_on__isnull=False),
                name="early_testimony_has_departure",
                violation_error_message=_("Early testimony needs the date the witness leaves the country."),
            ),
        ]

    def __str__(self):
        return str(self.victim) if self.victim_id else self.role

    @property
    def needs_interpreter(self):
        return bool(self.interpreter_language) and not self.interpreter_booked


class SpecialMeasure(models.Model):
    """A protective measure for one witness at one hearing, as the court record it is:
    who asked, whether the defence was heard, the decision and any appeal [VS 26-27, GP 11, 17]."""

    class Measure(models.TextChoices):
        SCREEN = "screen", _("Screen")
        VIDEO_LINK = "video_link", _("Video link / CCTV")
        CLOSED_SESSION = "closed_session", _("Closed session")
        ANONYMITY = "anonymity", _("Anonymity")
        DISTORTION = "distortion", _("Voice / face distortion")
        DEFENDANT_REMOVED = "defendant_removed", _("Removal of the defendant")
        SUPPORT_PERSON = "support_person", _("Support person")
        SERVICE_PROVIDER = "service_provider", _("Service provider present at the victim's wish")
        INTERPRETER = "interpreter", _("Interpreter")
        PRE_RECORDED = "pre_recorded", _("Pre-recorded statement")
        SAFE_WAITING_ROOM = "safe_waiting_room", _("Safe waiting room")
        SEPARATE_ENTRANCE = "separate_entrance", _("Separate entrance")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not yet decided")
        GRANTED = "granted", _("Granted")
        GRANTED_IN_PART = "granted_in_part", _("Granted in part")
        REFUSED = "refused", _("Refused")

    class Appeal(models.TextChoices):
        NONE = "", _("No appeal")
        LODGED = "lodged", _("Appeal lodged")
        UPHELD = "upheld", _("Decision upheld on appeal")
        OVERTURNED = "overturned", _("Decision overturned on appeal")

    GRANTED = (Decision.GRANTED, Decision.GRANTED_IN_PART)
    # Measures that keep the victim-witness away from the defendant at court [GP 17].
    KEEPS_APART = (Measure.SAFE_WAITING_ROOM, Measure.SEPARATE_ENTRANCE, Measure.VIDEO_LINK, Measure.PRE_RECORDED)

    witness = models.ForeignKey(HearingWitness, on_delete=models.CASCADE, related_name="special_measures")
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    requested_by = models.CharField(_("requested by"), max_length=20, choices=Party.choices)
    requested_on = models.DateField(_("requested on"))
    defence_heard = models.BooleanField(_("the defence was heard"), default=False)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_notes = models.TextField(_("reasons for the decision"), blank=True)
    appeal = models.CharField(_("appeal"), max_length=10, choices=Appeal.choices, blank=True, default="")
    appeal_notes = models.TextField(_("appeal notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("special measure")
        verbose_name_plural = _("special measures")
        ordering = ["witness_id", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["witness", "measure"], name="special_measure_once_per_witness"),
            models.CheckConstraint(
                condition=models.Q(decision="pending") | models.Q(decided_on__isnull=False),
                name="special_measure_decision_dated",
                violation_error_message=_("A decision needs the date it was made."),
            ),
            models.CheckConstraint(
                condition=models.Q(appeal="") | ~models.Q(decision="pending"),
                name="special_measure_appeal_after_decision",
                violation_error_message=_("Only a decision can be appealed."),
            ),
        ]

    def __str__(self):
        return f"{self.get_measure_display()} ({self.get_decision_display()})"

    @classmethod
    def in_force(cls, prefix=""):
        """SQL for "the court's order stands": granted and not overturned, or refused and
        overturned on appeal."""
        def q(**kw):
            return models.Q(**{f"{prefix}{k}": v for k, v in kw.items()})

        return (q(decision__in=cls.GRANTED) & ~q(appeal=cls.Appeal.OVERTURNED)) | (
            q(decision=cls.Decision.REFUSED) & q(appeal=cls.Appeal.OVERTURNED)
        )

    @property
    def is_in_force(self):
        granted = self.decision in self.GRANTED
        return granted != (self.appeal == self.Appeal.OVERTURNED)
