import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, _user_has_perm
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .fields import ChoiceArrayField
from .functions import AgencyKind, Function


class Jurisdiction(models.Model):
    """A legal area whose settings (time standards, reflection period...) apply to its cases."""

    name = models.CharField(_("name"), max_length=200)
    country = CountryField(_("country"))
    reflection_period_days = models.PositiveSmallIntegerField(
        _("reflection and recovery period (days)"), default=30,
        help_text=_("Length of the reflection and recovery period granted to presumed victims here."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["country", "name"]
        constraints = [models.UniqueConstraint(fields=["country", "name"], name="jurisdiction_unique_name")]

    def __str__(self):
        return f"{self.name} ({self.country.code})"


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)
    country = CountryField(_("country"))
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="agencies",
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Row-level grants to "this agency" are guardian grants to this group; its members are
    # kept equal to the agency's users (User.sync_agency_membership).
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency", editable=False)
    history = HistoricalRecords(excluded_fields=["group"])

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["country", "name"]
        constraints = [models.UniqueConstraint(fields=["country", "name"], name="agency_unique_name")]

    def __str__(self):
        return self.name

    @transaction.atomic
    def save(self, *args, **kwargs):
        if self.group_id is None:
            self.group = Group.objects.create(name=f"agency:{uuid.uuid4().hex}")
        super().save(*args, **kwargs)


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, null=True, blank=True, related_name="users",
        help_text=_("Everyone who works on cases belongs to an agency; only system accounts may have none."),
    )
    functions = ChoiceArrayField(
        models.CharField(max_length=32, choices=Function.choices),
        verbose_name=_("functions"), default=list, blank=True,
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    def has_function(self, *functions):
        return bool(set(self.functions) & set(functions))

    def get_function_labels(self):
        return [Function(f).label for f in self.functions if f in Function.values]

    def has_perm(self, perm, obj=None):
        # Django answers True to any question a superuser asks; about a record the access
        # policy decides, for superusers too.
        if obj is not None:
            return self.is_active and _user_has_perm(self, perm, obj)
        return super().has_perm(perm, obj)

    @transaction.atomic
    def save(self, *args, **kwargs):
        """Saving keeps the agency group right; moving someone to another agency is
        accounts.services.change_agency, which also ends what they did for the old one."""
        super().save(*args, **kwargs)
        self.sync_agency_membership()

    def sync_agency_membership(self):
        """Keep the user in exactly one agency group: the group of the agency they belong to."""
        wanted = {self.agency.group_id} if self.agency_id else set()
        current = set(self.groups.filter(agency__isnull=False).values_list("pk", flat=True))
        if current - wanted:
            self.groups.remove(*Group.objects.filter(pk__in=current - wanted))
        if wanted - current:
            self.groups.add(*wanted)


class TrainingRecord(models.Model):
    class Area(models.TextChoices):
        TRAFFICKING = "trafficking", _("Trafficking in persons (general)")
        VICTIM_CENTRED = "victim_centred", _("Victim-centred and trauma-informed approach")
        CHILDREN = "children", _("Child victims and child-sensitive procedures")
        INTERVIEWING = "interviewing", _("Interviewing victims and witnesses")
        FINANCIAL = "financial", _("Financial investigation and asset recovery")
        INTERNATIONAL = "international", _("International cooperation")
        PROSECUTION = "prosecution", _("Prosecution of trafficking cases")
        ADJUDICATION = "adjudication", _("Adjudication of trafficking cases")
        IDENTIFICATION = "identification", _("Identification of victims")
        OTHER = "other", _("Other")

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="training_records")
    course = models.CharField(_("course"), max_length=250)
    area = models.CharField(_("specialisation area"), max_length=32, choices=Area.choices)
    provider = models.CharField(_("provider"), max_length=250)
    completed_on = models.DateField(_("completed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    certificate_reference = models.CharField(_("certificate reference"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("completed_on")),
                name="training_valid_after_completion",
                violation_error_message=_("A training cannot expire before it was completed."),
            )
        ]

    def __str__(self):
        return f"{self.course} ({self.completed_on:%Y-%m-%d})"


class AccessLog(models.Model):
    """Append-only record of reads of sensitive data, exports and denied access decisions."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        VIEW_IDENTITY = "view_identity", _("Viewed victim identity")
        EXPORT = "export", _("Exported")
        IMPORT = "import", _("Imported")
        DENIED = "denied", _("Access denied")
        OVERRIDE = "override", _("Consent overridden")
        GRANT = "grant", _("Access granted by consent")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept even if the account is later deleted.
    username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, related_name="+")
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # A non-identifying label (case reference, victim code): the log never holds identity.
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    requested = models.CharField(_("requested action"), max_length=50, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # What an export held: report, filters, format, rows and the file's SHA-256 [SPEC 2.9].
    # Never identity: reports hold none.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="accesslog_object")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_label}"
