import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accounts.fields import ChoiceArrayField, ChoiceLabels

from .vocabularies import CaseOrigin, ExploitationForm, InvestigationType


class Case(ChoiceLabels, models.Model):
    class Stage(models.TextChoices):
        INTAKE = "intake", _("Intake")
        INVESTIGATION = "investigation", _("Investigation")
        CHARGING = "charging", _("Charging decision")
        PRE_TRIAL = "pre_trial", _("Prosecution (pre-trial)")
        TRIAL = "trial", _("Trial")
        JUDGMENT = "judgment", _("Judgment / sentencing")
        APPEAL = "appeal", _("Appeal")
        CLOSED = "closed", _("Closed")
        CLOSED_NO_CHARGE = "closed_no_charge", _("Closed without charge")

    class Priority(models.TextChoices):
        # Cases with child victims are handled first [GP 19].
        CHILD = "child", _("Child victim: first priority")
        HIGH = "high", _("High")
        NORMAL = "normal", _("Normal")

    reference = models.CharField(_("reference number"), max_length=50, unique=True)
    title = models.CharField(
        _("title"), max_length=200, help_text=_("A non-identifying title: never a victim's name.")
    )
    jurisdiction = models.ForeignKey(
        "accounts.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="cases"
    )
    court = models.ForeignKey(
        "accounts.Agency", verbose_name=_("court"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="court_cases", limit_choices_to={"kind": "court"},
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    origin = models.CharField(
        _("how the case started"), max_length=30, choices=CaseOrigin.choices, blank=True
    )
    investigation_type = models.CharField(
        _("investigation type"), max_length=20, choices=InvestigationType.choices, blank=True
    )
    parallel_financial_investigation = models.BooleanField(_("parallel financial investigation"), default=False)
    exploitation_forms = ChoiceArrayField(
        models.CharField(max_length=40, choices=ExploitationForm.choices),
        verbose_name=_("forms of exploitation"), default=list, blank=True,
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE, editable=False)
    stage_entered_at = models.DateTimeField(_("in this stage since"), default=timezone.now, editable=False)
    closure_reason = models.TextField(_("reason for closing"), blank=True, editable=False)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    # Trafficking need not cross a border [NA IX.A]: these are all optional.
    is_transnational = models.BooleanField(_("transnational"), default=False)
    countries_of_origin = CountryField(_("countries of origin"), multiple=True, blank=True)
    countries_of_transit = CountryField(_("countries of transit"), multiple=True, blank=True)
    countries_of_destination = CountryField(_("countries of destination"), multiple=True, blank=True)
    is_restricted = models.BooleanField(
        _("restricted"), default=False,
        help_text=_("Only named members of the case team see a restricted case (for example when a "
                    "public official is involved); agency-wide access is withdrawn."),
    )
    investigation_summary = models.TextField(
        _("investigation summary"), blank=True,
        help_text=_("Investigative detail: seen by investigators, prosecutors and their supervisors only."),
    )
    team_group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="case_team", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Incremented on every edit; a form that was loaded at an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["team_group"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["stage"]), models.Index(fields=["priority"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(stage="closed_no_charge") | ~models.Q(closure_reason=""),
                name="case_closed_without_charge_has_reason",
                violation_error_message=_("Closing without charge needs a reason."),
            )
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("case-detail", args=[self.pk])

    def holder(self, team_role):
        """Who holds `team_role` in the case team now (the latest to take it up), or None."""
        assignment = (self.assignments.filter(team_role=team_role, ended_on__isnull=True).select_related("user")
                      .order_by("-started_on", "-id").first())
        return assignment.user if assignment else None

    @transaction.atomic
    def save(self, *args, **kwargs):
        if self.team_group_id is None:
            self.team_group = Group.objects.create(name=f"case-team:{uuid.uuid4().hex}")
        super().save(*args, **kwargs)


class CaseStageChange(models.Model):
    """Each move through the lifecycle: when, by whom, from where, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=20, choices=Case.Stage.choices)
    to_stage = models.CharField(_("to"), max_length=20, choices=Case.Stage.choices)
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.case}: {self.from_stage} -> {self.to_stage}"


class StageTimeStandard(models.Model):
    """How long a case should stay in a stage, per jurisdiction; stricter for child cases
    [GP 12, 19]. Without a row, settings.CASE_STAGE_STANDARD_DAYS applies."""

    jurisdiction = models.ForeignKey(
        "accounts.Jurisdiction", on_delete=models.CASCADE, related_name="stage_standards"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Case.Stage.choices)
    days = models.PositiveIntegerField(_("days"))
    child_days = models.PositiveIntegerField(_("days when a child is a victim"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage time standard")
        verbose_name_plural = _("stage time standards")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "stage"], name="stage_standard_unique"),
            models.CheckConstraint(condition=models.Q(child_days__lte=models.F("days")), name="child_standard_stricter",
                                 violation_error_message=_("The standard for child cases cannot be longer than the general one.")),
        ]

    def __str__(self):
        return f"{self.jurisdiction}: {self.get_stage_display()} {self.days}/{self.child_days} days"


class CaseAgency(models.Model):
    """An agency's part in a case; it gives the agency's members access (unless restricted)."""

    class Role(models.TextChoices):
        INVESTIGATING = "investigating", _("Investigating agency")
        PROSECUTING = "prosecuting", _("Prosecuting office")
        COURT = "court", _("Court")
        SUPPORTING = "supporting", _("Supporting service provider")
        COORDINATING = "coordinating", _("Coordination / focal point")
        INSPECTING = "inspecting", _("Inspecting / referring agency")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agency_roles")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="case_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agency in case")
        verbose_name_plural = _("agencies in case")
        constraints = [models.UniqueConstraint(fields=["case", "agency", "role"], name="case_agency_unique_role")]

    def __str__(self):
        return f"{self.agency} ({self.get_role_display()})"


class CaseAssignment(models.Model):
    """Who holds a function in the case team, from when to when, and why it changed."""

    class TeamRole(models.TextChoices):
        LEAD_INVESTIGATOR = "lead_investigator", _("Lead investigator")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        VICTIM_REPRESENTATIVE = "victim_representative", _("Victim representative / lawyer")
        NGO_CASEWORKER = "ngo_caseworker", _("Supporting NGO caseworker")
        JUDGE = "judge", _("Judge")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments")
    team_role = models.CharField(_("team function"), max_length=30, choices=TeamRole.choices)
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason for change"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case team assignment")
        verbose_name_plural = _("case team assignments")
        ordering = ["team_role", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "team_role"], condition=models.Q(ended_on__isnull=True),
                name="case_assignment_one_open",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="case_assignment_ends_after_start",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.get_team_role_display()}: {self.user}"

    @property
    def is_current(self):
        return self.ended_on is None


class CaseExclusion(models.Model):
    """A named person kept out of a case whatever their agency or function [PR 1.2.7]."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exclusions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_exclusions")
    reason = models.CharField(_("reason"), max_length=300)
    excluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exclusion from case")
        verbose_name_plural = _("exclusions from case")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_exclusion_unique")]

    def __str__(self):
        return f"{self.user} excluded from {self.case}"


# Direct foreign-key grant tables (django-guardian): grants are given to groups only.
class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="group_grants")


class CaseUserObjectPermission(UserObjectPermissionBase):
    # Exists so guardian never falls back to its generic table; the policy grants to groups.
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
