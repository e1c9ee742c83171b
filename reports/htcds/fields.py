"""The columns of an HTCDS file: each one's header, kind of value, allowed codes, and where the
export reads it and an import writes it. One table, so the export, the import and the README's
list cannot disagree.

Cells hold codes, never labels: a picklist cell is the HTCDS value name (`SexualExploitation`),
a multiselect is value names joined by ";", a date is ISO (YYYY-MM-DD), a country its ISO 3166
alpha-2 code, a checkbox `true` or `false`.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import global_settings
from django.utils.translation import gettext as _
from django_countries import countries

from cases.models.vocabularies import HTCDS_EXTENSIONS as CASE_EXTENSIONS, ExploitationForm
from referrals.models import Referral
from victims.models import HTCDS_TRAFFICKING_STATUS, SHELTER_FIELDS, Victim, VictimCaseLink
from victims.models.vocabularies import (
    HTCDS_EXTENSIONS as VICTIM_EXTENSIONS, DecidingOrganisation, ForcedLabourIndustry,
    Gender, IdentificationChannel, Indicator, MethodOfControl, Recruitment, RecruitmentLure, SexExploitationType,
)

TEXT, DATE, BOOL, INT, CHOICE, CHOICES, COUNTRY = "text", "date", "bool", "int", "choice", "choices", "country"
SEPARATOR = ";"
EXTENSIONS = {**CASE_EXTENSIONS, **VICTIM_EXTENSIONS}
LANGUAGES = tuple(code for code, _name in global_settings.LANGUAGES)
# HTCDS cas_Status: an export says Active or Closed; FollowUp and ClosedReferred belong to an
# assistance case's workflow, which a criminal case does not have.
CASE_STATUS = ("Active", "FollowUp", "Closed", "ClosedReferred")
HTCDS_STATUS = tuple(dict.fromkeys(HTCDS_TRAFFICKING_STATUS.values()))


def standard(vocabulary):
    """A vocabulary's HTCDS values: its codes less this system's extensions."""
    extensions = EXTENSIONS.get(vocabulary, {})
    return tuple(code for code in vocabulary.values if code not in extensions)


def as_standard(vocabulary, codes):
    """Codes as HTCDS has them: each extension becomes the standard value it stands for."""
    extensions = EXTENSIONS.get(vocabulary, {})
    return list(dict.fromkeys(str(extensions.get(code, code)) for code in codes or ()))


@dataclass(frozen=True)
class Field:
    name: str  # the header
    kind: str
    # Where an import writes the value: ("victim" | "identity", attribute), or None for a value
    # the import reads otherwise (status, languages, links) or only checks (case and referral facts).
    target: tuple | None = None
    values: tuple = ()  # the codes a CHOICE or CHOICES cell may hold
    shelter: bool = False  # the victim's address: only for whoever may see the shelter location
    about: str = ""  # what the column holds, for the README and the import's messages

    @property
    def is_standard(self):
        return not self.name.startswith("tip_")

    @property
    def imported(self):
        """Whether an import records the value (the others are checked, then left)."""
        return self.target is not None or self.name in IMPORTED_OTHERWISE


def _f(name, kind, target=None, values=(), **options):
    target = tuple(target.split(".")) if target else None
    # The address goes where the shelter location goes: the identity's own list decides.
    shelter = target is not None and target[0] == "identity" and target[1] in SHELTER_FIELDS
    return Field(name, kind, target, tuple(values), shelter=shelter, **options)


FIELDS = [
    # HTCDS 2.0, Person
    _f("prs_Salutation", TEXT, "identity.salutation"),
    _f("prs_FirstName", TEXT, "identity.given_names"),
    _f("prs_SecondName", TEXT, "identity.family_name"),
    _f("prs_Birthdate", DATE, "identity.date_of_birth"),
    _f("prs_Gender", CHOICE, "victim.sex", Gender.values),
    _f("prs_PrimaryLanguage", CHOICE, None, LANGUAGES, about="the first of the victim's languages"),
    _f("prs_SecondaryLanguage", CHOICE, None, LANGUAGES, about="the second"),
    _f("prs_Citizenship", COUNTRY, "victim.nationality", about="one nationality"),
    _f("prs_Title", TEXT, "identity.title"),
    _f("prs_Email", TEXT, "identity.email"),
    _f("prs_HomePhone", TEXT, "identity.home_phone"),
    _f("prs_MobilePhone", TEXT, "identity.mobile_phone"),
    _f("prs_MailingCity", TEXT, "identity.mailing_city"),
    _f("prs_MailingCountry", COUNTRY, "identity.mailing_country"),
    _f("prs_MailingState", TEXT, "identity.mailing_state"),
    _f("prs_MailingStreet", TEXT, "identity.mailing_street"),
    _f("prs_MailingPostalCode", TEXT, "identity.mailing_postal_code"),
    # HTCDS 2.0, Person - Victim Context
    _f("vic_TraffickingStatus", CHOICE, None, HTCDS_STATUS),
    _f("vic_TraffickingStatusDecisionMakingOrg", CHOICE, None, DecidingOrganisation.values,
       about="who took the latest status decision"),
    _f("vic_MethodOfRecruitment", CHOICES, "victim.recruitment", standard(Recruitment)),
    _f("vic_LocationOfRecruitment", TEXT, "victim.recruitment_place", about="town or region"),
    _f("vic_MethodsOfControl", CHOICES, None, standard(MethodOfControl)),
    _f("vic_TypeOfExploitation", CHOICES, None, standard(ExploitationForm)),
    _f("vic_ForcedLabourIndustry", CHOICES, "victim.forced_labour_industries", ForcedLabourIndustry.values),
    _f("vic_TypeOfSexExploitation", CHOICES, "victim.sex_exploitation_types", SexExploitationType.values),
    _f("vic_LocationOfExploitation", TEXT, "victim.exploitation_place", about="town or region"),
    # HTCDS 2.0, Case and Referral Details: facts of the linked cases and of the exporting
    # agency's referrals, written on export and checked, not recreated, on import.
    _f("cas_Status", CHOICE, None, CASE_STATUS, about="Active while a linked case or a support is open"),
    _f("cas_ReasonForCaseClosure", TEXT, about="how each closed linked case ended"),
    _f("cas_ReferringOrganisation", TEXT, about="who sent the latest referral to the exporting agency"),
    _f("cas_IncomingReferralDate", DATE),
    _f("cas_ReasonForIncomingReferral", CHOICE, None, Referral.Reason.values),
    _f("cas_ReferredOrganisation", TEXT, about="where the exporting agency sent its latest referral"),
    _f("cas_ReasonForOutgoingReferral", CHOICE, None, Referral.Reason.values),
    _f("cas_OutgoingReferralDate", DATE),
    _f("con_Consent", BOOL, about="consent to the processing of the victim's data, given and not withdrawn"),
    # This system's own columns
    _f("tip_VictimCode", TEXT, about="the pseudonymous victim code"),
    _f("tip_TraffickingStatus", CHOICE, None, Victim.Status.values, about="the status exactly"),
    _f("tip_AgeGroup", CHOICE, "victim.age_group", Victim.AgeGroup.values),
    _f("tip_EstimatedAge", INT, "victim.estimated_age"),
    _f("tip_Languages", CHOICES, None, LANGUAGES, about="every language, in order"),
    _f("tip_InterpreterNeeded", BOOL, "victim.interpreter_needed"),
    _f("tip_IdentificationChannel", CHOICE, "victim.identification_channel", IdentificationChannel.values),
    _f("tip_Indicators", CHOICES, "victim.indicators", Indicator.values),
    _f("tip_MethodsOfControl", CHOICES, None, MethodOfControl.values, about="with this system's extensions"),
    _f("tip_TypeOfExploitation", CHOICES, None, ExploitationForm.values, about="with this system's extensions"),
    _f("tip_RecruitmentLures", CHOICES, "victim.recruitment_lures", RecruitmentLure.values),
    _f("tip_RecruitmentCountry", COUNTRY, "victim.recruitment_country"),
    _f("tip_ExploitationCountry", COUNTRY, "victim.exploitation_country"),
    _f("tip_AccompanyingAdultPresent", BOOL, "victim.has_accompanying_adult"),
    _f("tip_Aliases", TEXT, "identity.aliases"),
    _f("tip_OtherContact", TEXT, "identity.contact"),
    _f("tip_Guardian", TEXT, "identity.guardian"),
    _f("tip_AccompanyingAdult", TEXT, "identity.accompanying_adult"),
    _f("tip_CaseLinks", TEXT, about="each linked case as “reference (role)”, joined by “;”"),
]
BY_NAME = {field.name: field for field in FIELDS}
# Read by the import into more than one attribute, or into a status decision or a case link.
IMPORTED_OTHERWISE = frozenset({
    "prs_PrimaryLanguage", "prs_SecondaryLanguage", "tip_Languages", "vic_TraffickingStatus", "tip_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg", "vic_MethodsOfControl", "tip_MethodsOfControl", "vic_TypeOfExploitation",
    "tip_TypeOfExploitation", "tip_VictimCode", "tip_CaseLinks"})
# The pairs whose HTCDS column holds extensions as Other and whose tip_ column holds them exactly.
TWINS = {"vic_MethodsOfControl": ("tip_MethodsOfControl", MethodOfControl, "methods_of_control"),
         "vic_TypeOfExploitation": ("tip_TypeOfExploitation", ExploitationForm, "exploitation_forms")}
LINK = re.compile(r"^(?P<reference>.+?)\s*\((?P<role>[a-z_]+)\)$")
TRUE, FALSE = ("true", "yes", "1", "x"), ("false", "no", "0", "")


# --- Writing cells -------------------------------------------------------------------------

def joined(codes):
    return SEPARATOR.join(str(code) for code in codes or () if code)


def boolean(value):
    return "true" if value else "false"


def case_links(links):
    return joined(f"{reference} ({role})" for reference, role in links or ())


# --- Reading cells -------------------------------------------------------------------------

class Invalid(ValueError):
    """A cell that cannot be read. The message says what is wrong, never the value: a column
    that slipped may hold a name, and the problem list is kept with the job, outside the
    identity record."""


def text_of(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet turns a phone number or a postal code into a number
    return str(value).strip()


def read(field, value):
    """The cell's value for `field`, or Invalid. Empty cells read as empty."""
    if field.kind == DATE:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = text_of(value)
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise Invalid(_("not a date; write it as YYYY-MM-DD")) from None
    if field.kind == BOOL:
        text = text_of(value).lower() if not isinstance(value, bool) else ("true" if value else "false")
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise Invalid(_("write true or false"))
    text = text_of(value)
    if field.kind == INT:
        if not text:
            return None
        if not text.isdigit() or len(text) > 3:
            raise Invalid(_("not a whole number of years"))
        return int(text)
    if field.kind == COUNTRY:
        if not text:
            return ""
        if text.upper() not in countries:
            raise Invalid(_("is not an ISO 3166 country code (two letters)"))
        return text.upper()
    if field.kind == CHOICE:
        if text and text not in field.values:
            raise Invalid(_("is not one of its values (%(values)s)") % {"values": ", ".join(field.values[:25])})
        return text
    if field.kind == CHOICES:
        codes = [part.strip() for part in text.split(SEPARATOR) if part.strip()]
        wrong = [number for number, code in enumerate(codes, start=1) if code not in field.values]
        if wrong:
            raise Invalid(_("value %(place)d is not one of its values (%(values)s)")
                          % {"place": wrong[0], "values": ", ".join(field.values[:25])})
        return list(dict.fromkeys(codes))
    return text


def read_links(text):
    """tip_CaseLinks as [(reference, role)], or Invalid."""
    links = []
    for part in (piece.strip() for piece in (text or "").split(SEPARATOR)):
        if not part:
            continue
        match = LINK.match(part)
        if match is None or match["role"] not in VictimCaseLink.Role.values:
            raise Invalid(_("write each case as “reference (role)”, the role one of %(roles)s")
                          % {"roles": ", ".join(VictimCaseLink.Role.values)})
        links.append((match["reference"], match["role"]))
    return links
