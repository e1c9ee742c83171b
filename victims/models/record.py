import secrets

from django.conf import global_settings, settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accounts.fields import ChoiceArrayField, ChoiceLabels
from accounts.review import ReviewsRecodedValues
from cases.models.vocabularies import ExploitationForm

from .vocabularies import (
    RETIRED, DecidingOrganisation, ForcedLabourIndustry, Gender, IdentificationChannel, Indicator, MethodOfControl, Recruitment,
    RecruitmentLure, SexExploitationType,
)

LANGUAGE_CHOICES = sorted(global_settings.LANGUAGES, key=lambda pair: pair[1])

# No vowels or look-alike characters: codes are read aloud and never spell words.
CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"


def new_victim_code():
    return "V-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class Victim(ChoiceLabels, ReviewsRecodedValues):
    """The pseudonymous victim record: everything here may be shown wherever the victim is."""

    RETIRED = RETIRED

    class Status(models.TextChoices):
        POTENTIAL = "potential", _("Potential victim")
        PRESUMED = "presumed", _("Presumed victim")
        IDENTIFIED = "identified", _("Identified victim")
        # Not a rung of the ladder: a decision of its own, with reasons, which a later decision
        # (review, appeal, new facts) may replace by presumed or identified (victims.services).
        NOT_A_VICTIM = "not_a_victim", _("Not a victim of trafficking")

    class AgeGroup(models.TextChoices):
        CHILD = "child", _("Child (under 18)")
        ADULT = "adult", _("Adult")
        IN_DOUBT = "in_doubt", _("Age in doubt (treated as a child)")

    code = models.CharField(_("victim code"), max_length=20, unique=True, default=new_victim_code, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.POTENTIAL)
    sex = models.CharField(_("sex / gender"), max_length=20, choices=Gender.choices, default=Gender.UNKNOWN)
    age_group = models.CharField(_("age group"), max_length=10, choices=AgeGroup.choices, default=AgeGroup.IN_DOUBT)
    # Age: date of birth lives in the identity; here only what is safe to show.
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    languages = ChoiceArrayField(
        models.CharField(max_length=10, choices=LANGUAGE_CHOICES), verbose_name=_("languages"), default=list,
        blank=True,
    )
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    # Identification [WG 17(e), VS 23, NA IV.A, IV.D]: the latest decision; every step is a StatusDecision.
    identification_channel = models.CharField(
        _("identified through"), max_length=20, choices=IdentificationChannel.choices, blank=True
    )
    indicators = ChoiceArrayField(
        models.CharField(max_length=40, choices=Indicator.choices), verbose_name=_("indicators observed"),
        default=list, blank=True,
    )
    exploitation_forms = ChoiceArrayField(
        models.CharField(max_length=40, choices=ExploitationForm.choices), verbose_name=_("forms of exploitation"),
        default=list, blank=True,
    )
    # HTCDS's sub-fields of the two most common forms, in the standard's own codes.
    sex_exploitation_types = ChoiceArrayField(
        models.CharField(max_length=30, choices=SexExploitationType.choices),
        verbose_name=_("types of sexual exploitation"), default=list, blank=True,
    )
    forced_labour_industries = ChoiceArrayField(
        models.CharField(max_length=50, choices=ForcedLabourIndustry.choices),
        verbose_name=_("industries of forced labour"), default=list, blank=True,
        help_text=_("Sections of the International Standard Industrial Classification (ISIC Rev. 4)."),
    )
    methods_of_control = ChoiceArrayField(
        models.CharField(max_length=40, choices=MethodOfControl.choices), verbose_name=_("methods of control"),
        default=list, blank=True,
    )
    recruitment = ChoiceArrayField(
        models.CharField(max_length=40, choices=Recruitment.choices), verbose_name=_("method of recruitment"),
        default=list, blank=True, help_text=_("Where, or through which channel, the victim was recruited."),
    )
    recruitment_lures = ChoiceArrayField(
        models.CharField(max_length=30, choices=RecruitmentLure.choices), verbose_name=_("lured with"),
        default=list, blank=True,
    )
    # HTCDS vic_LocationOfRecruitment / vic_LocationOfExploitation: where, as a country and a
    # town or region. Never a street address: the record is shown wherever the victim is.
    recruitment_country = CountryField(_("country of recruitment"), blank=True)
    recruitment_place = models.CharField(
        _("place of recruitment"), max_length=120, blank=True, help_text=_("Town or region; no street address."))
    exploitation_country = CountryField(_("country of exploitation"), blank=True)
    exploitation_place = models.CharField(
        _("place of exploitation"), max_length=120, blank=True, help_text=_("Town or region; no street address."))
    # A child's accompanying adult may be the trafficker [VS 14]: flagged until verified.
    has_accompanying_adult = models.BooleanField(_("arrived with an accompanying adult"), default=False)
    accompanying_adult_verified_on = models.DateField(_("accompanying adult verified on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="recorded_victims",
        editable=False,
    )
    recording_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="recorded_victims", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Incremented on every edit of the record or the identity; an edit made against an older
    # version is refused (victims.services).
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("victim")
        verbose_name_plural = _("victims")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_victim_identity", _("Can see the victim's identity")),
            ("view_shelter_location", _("Can see the victim's address and shelter location")),
            ("view_counselling_notes", _("Can read and write counselling notes (supporting NGO)")),
            ("view_victim_referral", _("Can see what a referral of the victim needs (receiving agency)")),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("victim-detail", args=[self.pk])

    @property
    def is_treated_as_child(self):
        # Age in doubt is treated as a child [VS 14].
        return self.age_group != self.AgeGroup.ADULT

    @property
    def accompanying_adult_unverified(self):
        return self.has_accompanying_adult and self.accompanying_adult_verified_on is None

    def clean(self):
        # The sub-fields say more about a form recorded, never stand in for one.
        if self.sex_exploitation_types and ExploitationForm.SEXUAL not in (self.exploitation_forms or []):
            raise ValidationError({"sex_exploitation_types": _(
                "Record sexual exploitation among the forms of exploitation to give its type.")})
        if self.forced_labour_industries and ExploitationForm.FORCED_LABOUR not in (self.exploitation_forms or []):
            raise ValidationError({"forced_labour_industries": _(
                "Record forced labour among the forms of exploitation to give its industry.")})
        if self.estimated_age is not None and self.estimated_age < 18 and self.age_group == self.AgeGroup.ADULT:
            raise ValidationError({"age_group": _("An estimated age under 18 is a child; if unsure, choose "
                                                  "“age in doubt”.")})
        if self.estimated_age is not None and self.estimated_age >= 18 and self.age_group == self.AgeGroup.CHILD:
            raise ValidationError({"age_group": _("An estimated age of 18 or more is not a child; if unsure, choose "
                                                  "“age in doubt”.")})

    @staticmethod
    def age_group_for(date_of_birth, today=None):
        today = today or timezone.localdate()
        years = today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
        return Victim.AgeGroup.CHILD if years < 18 else Victim.AgeGroup.ADULT


# HTCDS 2.0 vic_TraffickingStatus for each of our statuses [SPEC 2.3]: the ladder's first two
# rungs are both "possible", formal identification is "actual".
HTCDS_TRAFFICKING_STATUS = {
    Victim.Status.POTENTIAL: "PossibleVictimOfTrafficking",
    Victim.Status.PRESUMED: "PossibleVictimOfTrafficking",
    Victim.Status.IDENTIFIED: "ActualVictimOfTrafficking",
    Victim.Status.NOT_A_VICTIM: "NotAVictimOfTrafficking",
}


class StatusDecision(models.Model):
    """One step up the ladder potential -> presumed -> identified: who decided, when, on which
    criteria and through which channel [WG 17(e), NA IV.D.1]; or a decision that the person is
    not a victim of trafficking, whose reasons are kept in `criteria` (required for every
    decision) and which names the protections it ended (victims.services.decide_not_a_victim)."""

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="status_decisions")
    status = models.CharField(_("status"), max_length=12, choices=Victim.Status.choices)
    decided_on = models.DateField(_("decided on"), default=timezone.localdate)
    authority = models.CharField(_("deciding authority"), max_length=200)
    deciding_organisation = models.CharField(
        _("kind of deciding organisation"), max_length=40, choices=DecidingOrganisation.choices,
        default=DecidingOrganisation.OTHER,
    )
    criteria = models.TextField(_("criteria used"))
    channel = models.CharField(_("identified through"), max_length=20, choices=IdentificationChannel.choices,
                               blank=True)
    # "Not a victim" ends only the protections the decision names; what it ended, one per line.
    protections_ended = models.TextField(_("protections ended"), blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status decision")
        verbose_name_plural = _("status decisions")
        ordering = ["decided_on", "id"]

    def __str__(self):
        return f"{self.victim}: {self.status} on {self.decided_on}"


# Loose on purpose: numbers are written down as the person gives them, in any country's style.
phone_number = RegexValidator(
    r"^[0-9 +\-().]*[0-9][0-9 +\-().]*$",
    _("Enter a phone number: digits, with only spaces, +, -, dots or parentheses between them "
      "(for example +351 912 345 678). Anything else goes in “other contact details”."),
    code="phone_number",
)

# The identity's fields by the right that shows them [SPEC 2.3]. Every field of VictimIdentity
# is in exactly one of the two (tests/test_identity_contact.py checks it): a field left out of
# SHELTER_FIELDS would be shown to everyone who sees the name.
IDENTITY_FIELDS = ("given_names", "family_name", "aliases", "date_of_birth", "salutation", "title", "email",
                   "home_phone", "mobile_phone", "contact", "guardian", "accompanying_adult")
MAILING_ADDRESS_FIELDS = ("mailing_street", "mailing_city", "mailing_state", "mailing_postal_code", "mailing_country")
SHELTER_FIELDS = (*MAILING_ADDRESS_FIELDS, "shelter_location")


class VictimIdentity(models.Model):
    """Who the victim is. Kept apart from the victim record; read only through
    victims.identity.reveal_identity, which asks the access policy and logs every read."""

    victim = models.OneToOneField(Victim, on_delete=models.CASCADE, primary_key=True, related_name="identity")
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    family_name = models.CharField(_("family name"), max_length=200, blank=True)
    aliases = models.CharField(_("aliases"), max_length=300, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # HTCDS prs_Salutation, prs_Title, prs_Email, prs_HomePhone, prs_MobilePhone: identity, like
    # the name (view_identity) [SPEC 2.3].
    salutation = models.CharField(
        _("salutation"), max_length=40, blank=True,
        help_text=_("As the person wishes to be addressed: Ms, Mr, Mx..."))
    title = models.CharField(_("title"), max_length=100, blank=True,
                             help_text=_("A professional or honorific title, for example Dr."))
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    home_phone = models.CharField(_("home phone"), max_length=40, blank=True, validators=[phone_number])
    mobile_phone = models.CharField(_("mobile phone"), max_length=40, blank=True, validators=[phone_number])
    contact = models.CharField(
        _("other contact details"), max_length=300, blank=True,
        help_text=_("What fits no phone or e-mail field: a messaging account, “through the NGO”..."))
    guardian = models.CharField(
        _("guardian or legal representative"), max_length=300, blank=True,
        help_text=_("For a child, or anyone treated as one: name and office of the appointed guardian."),
    )
    accompanying_adult = models.CharField(
        _("accompanying adult"), max_length=300, blank=True,
        help_text=_("Name and stated relationship. Verify before trusting: they may be the trafficker."),
    )
    # Where the victim lives or is sheltered (HTCDS prs_Mailing*): the supporting NGO only
    # (view_shelter), every part of it [SPEC 2.3]. See SHELTER_FIELDS.
    mailing_street = models.TextField(_("street and number"), blank=True)
    mailing_city = models.CharField(_("city or town"), max_length=100, blank=True)
    mailing_state = models.CharField(_("state / province / district"), max_length=100, blank=True)
    mailing_postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    mailing_country = CountryField(_("country of the address"), blank=True)
    shelter_location = models.TextField(_("shelter location"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("victim identity")
        verbose_name_plural = _("victim identities")

    def __str__(self):
        # Never the name: this string can reach logs and history views.
        return f"identity of {self.victim_id}"

    @property
    def full_name(self):
        return " ".join(part for part in (self.given_names, self.family_name) if part)


class IdentityDocument(models.Model):
    """An identity or travel document, and who holds it now [VS 11]: part of the identity."""

    class Kind(models.TextChoices):
        PASSPORT = "passport", _("Passport")
        NATIONAL_ID = "national_id", _("National identity card")
        RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        TRAVEL_DOCUMENT = "travel_document", _("Other travel document")
        OTHER = "other", _("Other")

    class Holder(models.TextChoices):
        VICTIM = "victim", _("The victim")
        NGO = "ngo", _("The supporting NGO")
        POLICE = "police", _("Police (as evidence)")
        CONSULATE = "consulate", _("Embassy or consulate")
        SUSPECT = "suspect", _("A suspect or employer")
        LOST = "lost", _("Lost or destroyed")
        UNKNOWN = "unknown", _("Unknown")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="identity_documents")
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issuing_country = CountryField(_("issued by"), blank=True)
    held_by = models.CharField(_("held by"), max_length=12, choices=Holder.choices, default=Holder.UNKNOWN)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.victim}"


class VictimSupport(models.Model):
    """A service provider supporting the victim; gives that agency access to the victim."""

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="supports")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="supported_victims")
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supporting agency")
        verbose_name_plural = _("supporting agencies")
        constraints = [
            models.UniqueConstraint(
                fields=["victim", "agency"], condition=models.Q(ended_on__isnull=True), name="victim_support_one_open"
            )
        ]

    def __str__(self):
        return f"{self.agency} supports {self.victim}"


class VictimCaseLink(models.Model):
    class Role(models.TextChoices):
        VICTIM_WITNESS = "victim_witness", _("Victim-witness")
        COMPLAINANT = "complainant", _("Complainant")
        NOT_TESTIFYING = "not_testifying", _("Victim not testifying")

    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="victim_links")
    role = models.CharField(_("role in case"), max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("victim in case")
        verbose_name_plural = _("victims in cases")
        constraints = [models.UniqueConstraint(fields=["victim", "case"], name="victim_case_unique")]

    def __str__(self):
        return f"{self.victim} in {self.case}"


class VictimGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="group_grants")


class VictimUserObjectPermission(UserObjectPermissionBase):
    # Exists so guardian never falls back to its generic table; the policy grants to groups.
    content_object = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="+")
