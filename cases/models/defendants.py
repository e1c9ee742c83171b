from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from accounts.fields import ChoiceArrayField
from accounts.review import ReviewsRecodedValues

from .case import Case
from .vocabularies import RETIRED_ROLES, Act, ExploitationForm, Means, Offence, PerpetratorRole


class Defendant(ReviewsRecodedValues):
    """A suspect or accused: a natural person or a legal person (company, agency, venue)."""

    RETIRED = {"roles": RETIRED_ROLES}

    class Kind(models.TextChoices):
        NATURAL = "natural", _("Natural person")
        LEGAL = "legal", _("Legal person (company, agency, venue)")

    class Custody(models.TextChoices):
        AT_LIBERTY = "at_liberty", _("At liberty")
        ARRESTED = "arrested", _("Arrested")
        PRE_TRIAL_DETENTION = "pre_trial_detention", _("Pre-trial detention")
        BAIL = "bail", _("Released on bail")
        SERVING_SENTENCE = "serving_sentence", _("Serving sentence")
        FUGITIVE = "fugitive", _("Fugitive")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="defendants")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NATURAL)
    name = models.CharField(_("name"), max_length=250)
    aliases = models.CharField(_("aliases"), max_length=300, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = CountryField(_("nationality / country of registration"), blank=True)
    registration_number = models.CharField(_("registration number (legal persons)"), max_length=100, blank=True)
    roles = ChoiceArrayField(
        models.CharField(max_length=30, choices=PerpetratorRole.choices),
        verbose_name=_("role in the scheme"), default=list, blank=True,
    )
    is_public_official = models.BooleanField(
        _("public official"), default=False,
        help_text=_("Makes the case restricted: only named team members see it, and every view is logged."),
    )
    official_position = models.CharField(_("official position"), max_length=200, blank=True)
    is_organised_crime = models.BooleanField(_("part of an organised criminal group"), default=False)
    foreign_prior_convictions = models.TextField(_("prior convictions abroad"), blank=True)
    custody = models.CharField(_("custody"), max_length=25, choices=Custody.choices, default=Custody.AT_LIBERTY)
    arrested_on = models.DateField(_("arrested on"), null=True, blank=True)
    detention_started_on = models.DateField(_("pre-trial detention from"), null=True, blank=True)
    detention_limit_on = models.DateField(
        _("pre-trial detention legal limit"), null=True, blank=True,
        help_text=_("The date the law's maximum pre-trial detention runs out."),
    )
    bail_conditions = models.TextField(_("bail conditions"), blank=True)
    # The same person as a victim: charging them with an offence tied to their trafficking raises
    # the non-criminalisation flag [PR 1.2.2].
    victim = models.ForeignKey(
        "victims.Victim", verbose_name=_("also a victim (same person)"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="as_defendant",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("defendant")
        verbose_name_plural = _("defendants")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(detention_limit_on__isnull=True) | models.Q(detention_started_on__isnull=False),
                name="defendant_detention_limit_needs_start",
                violation_error_message=_("A detention limit needs the date pre-trial detention started."),
            ),
            models.CheckConstraint(
                condition=models.Q(detention_limit_on__isnull=True)
                | models.Q(detention_limit_on__gte=models.F("detention_started_on")),
                name="defendant_detention_limit_after_start",
                violation_error_message=_("The detention limit cannot fall before detention started."),
            ),
        ]

    def __str__(self):
        return self.name


class Charge(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        FILED = "filed", _("Filed")
        AMENDED = "amended", _("Amended")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    defendant = models.ForeignKey(Defendant, on_delete=models.CASCADE, related_name="charges")
    statute_reference = models.CharField(
        _("statute as applied"), max_length=200, help_text=_("The legal provision actually applied, e.g. 'Penal Code art. 160'.")
    )
    offence = models.CharField(_("offence"), max_length=30, choices=Offence.choices)
    # Act, means and purpose elements: none required beyond what the law itself requires
    # (means are not needed for child victims) [WG 54-55].
    acts = ChoiceArrayField(models.CharField(max_length=20, choices=Act.choices), verbose_name=_("acts"),
                            default=list, blank=True)
    means = ChoiceArrayField(models.CharField(max_length=30, choices=Means.choices), verbose_name=_("means"),
                             default=list, blank=True)
    exploitation_forms = ChoiceArrayField(
        models.CharField(max_length=40, choices=ExploitationForm.choices),
        verbose_name=_("purpose: forms of exploitation"), default=list, blank=True,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FILED)
    charged_on = models.DateField(_("charged on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_offence_display()} ({self.statute_reference})"


class Verdict(models.Model):
    class Outcome(models.TextChoices):
        CONVICTED = "convicted", _("Convicted")
        CONVICTED_LESSER = "convicted_lesser", _("Convicted of a lesser offence")
        ACQUITTED = "acquitted", _("Acquitted")
        DISMISSED = "dismissed", _("Dismissed")

    class Aggravation(models.TextChoices):
        CHILD_VICTIM = "child_victim", _("Child victim")
        ENDANGERED_LIFE = "endangered_life", _("Life endangered")
        OFFICIAL = "official", _("Committed by a public official")
        ORGANISED_GROUP = "organised_group", _("Organised criminal group")
        SERIOUS_HARM = "serious_harm", _("Serious harm to the victim")
        OTHER = "other", _("Other")

    charge = models.OneToOneField(Charge, on_delete=models.CASCADE, related_name="verdict")
    outcome = models.CharField(_("verdict"), max_length=20, choices=Outcome.choices)
    decided_on = models.DateField(_("decided on"))
    custodial_months = models.PositiveIntegerField(_("custodial sentence (months)"), null=True, blank=True)
    suspended = models.BooleanField(_("sentence suspended"), default=False)
    fine_amount = models.DecimalField(_("fine"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    establishment_closed = models.BooleanField(_("closure of establishment"), default=False)
    activity_ban = models.CharField(_("activity ban"), max_length=300, blank=True)
    aggravating_circumstances = ChoiceArrayField(
        models.CharField(max_length=20, choices=Aggravation.choices), verbose_name=_("aggravating circumstances"),
        default=list, blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verdict and sentence")
        verbose_name_plural = _("verdicts and sentences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["convicted", "convicted_lesser"])
                | (models.Q(custodial_months__isnull=True) & models.Q(fine_amount__isnull=True)),
                name="verdict_sentence_only_on_conviction",
                violation_error_message=_("A custodial sentence or fine can only follow a conviction."),
            )
        ]

    def __str__(self):
        return f"{self.charge}: {self.get_outcome_display()}"


class Appeal(models.Model):
    class Appellant(models.TextChoices):
        PROSECUTION = "prosecution", _("Prosecution")
        DEFENCE = "defence", _("Defence")
        VICTIM = "victim", _("Victim / civil party")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Judgment upheld")
        MODIFIED = "modified", _("Judgment modified")
        OVERTURNED = "overturned", _("Judgment overturned")
        RETRIAL = "retrial", _("Retrial ordered")
        WITHDRAWN = "withdrawn", _("Appeal withdrawn")

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="appeals")
    appellant = models.CharField(_("appellant"), max_length=15, choices=Appellant.choices)
    filed_on = models.DateField(_("filed on"))
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["filed_on"]

    def __str__(self):
        return f"{self.get_appellant_display()} appeal of {self.verdict}"
