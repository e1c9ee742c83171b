import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

# No vowels or look-alike characters: codes are read aloud and never spell words.
CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"


def new_victim_code():
    return "V-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class Victim(models.Model):
    """The pseudonymous victim record: everything here may be shown wherever the victim is."""

    class Status(models.TextChoices):
        POTENTIAL = "potential", _("Potential victim")
        PRESUMED = "presumed", _("Presumed victim")
        IDENTIFIED = "identified", _("Identified victim")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Transgender / other")
        UNKNOWN = "unknown", _("Unknown")

    class AgeGroup(models.TextChoices):
        CHILD = "child", _("Child (under 18)")
        ADULT = "adult", _("Adult")
        IN_DOUBT = "in_doubt", _("Age in doubt (treated as a child)")

    code = models.CharField(_("victim code"), max_length=20, unique=True, default=new_victim_code, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.POTENTIAL)
    sex = models.CharField(_("sex / gender"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    age_group = models.CharField(_("age group"), max_length=10, choices=AgeGroup.choices, default=AgeGroup.IN_DOUBT)
    nationality = CountryField(_("nationality"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="recorded_victims",
        editable=False,
    )
    recording_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="recorded_victims", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("victim")
        verbose_name_plural = _("victims")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_victim_identity", _("Can see the victim's identity")),
            ("view_shelter_location", _("Can see the victim's address and shelter location")),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("victim-detail", args=[self.pk])

    @property
    def is_treated_as_child(self):
        # Age in doubt is treated as a child [VS 14].
        return self.age_group != self.AgeGroup.ADULT


class VictimIdentity(models.Model):
    """Who the victim is. Kept apart from the victim record; read only through
    victims.identity.reveal_identity, which asks the access policy and logs every read."""

    victim = models.OneToOneField(Victim, on_delete=models.CASCADE, primary_key=True, related_name="identity")
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    family_name = models.CharField(_("family name"), max_length=200, blank=True)
    aliases = models.CharField(_("aliases"), max_length=300, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    contact = models.CharField(_("contact details"), max_length=300, blank=True)
    # Where the victim lives or is sheltered: the supporting NGO only.
    address = models.TextField(_("address"), blank=True)
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
