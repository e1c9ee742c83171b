"""What a person does in the system. A user holds one or more functions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Function(models.TextChoices):
    INVESTIGATOR = "investigator", _("Police investigator")
    FRONTLINE = "frontline", _("Front-line officer")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    SUPERVISOR = "supervisor", _("Supervisor")
    COURT_CLERK = "court_clerk", _("Court clerk")
    JUDGE = "judge", _("Judge")
    CASEWORKER = "caseworker", _("NGO caseworker")
    FOCAL_POINT = "focal_point", _("Focal point")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


# Whoever may ever see a victim's identity signs in with a second factor [SPEC 3]: the
# functions the access policy lets see identities (tests/test_two_factor.py holds the two equal).
SECOND_FACTOR = frozenset({Function.INVESTIGATOR, Function.PROSECUTOR, Function.CASEWORKER, Function.FRONTLINE})


class AgencyKind(models.TextChoices):
    POLICE = "police", _("Police")
    PROSECUTION = "prosecution", _("Prosecution service")
    COURT = "court", _("Court")
    NGO = "ngo", _("NGO / victim service provider")
    LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour inspectorate")
    IMMIGRATION = "immigration", _("Immigration / border authority")
    HEALTH = "health", _("Health service")
    SOCIAL_SERVICES = "social_services", _("Social services")
    LEGAL_AID = "legal_aid", _("Legal aid")
    COORDINATION = "coordination", _("Coordination office / focal point")
    CONSULAR = "consular", _("Embassy / consular service")
    INTERNATIONAL = "international", _("International organisation")
    OVERSIGHT = "oversight", _("Oversight / audit body")
