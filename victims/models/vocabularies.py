"""Victim vocabularies. Gender, methods of control, method of recruitment and the sub-fields of
sexual exploitation and forced labour store IOM's HTCDS 2.0 value names, in the standard's order
(tests/data/htcds-2.0.json), with the extensions in `HTCDS_EXTENSIONS` [SPEC 2.3];
identification channels and indicators follow the UNODC/OSCE national referral mechanism
guidance [NA IV.A, IV.D.2], and the lure is this product's own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentificationChannel(models.TextChoices):
    OUTREACH = "outreach", _("Outreach")
    HOTLINE = "hotline", _("Hotline")
    INSPECTION = "inspection", _("Labour or other inspection")
    BORDER_CONTROL = "border_control", _("Border control")
    NGO_DROP_IN = "ngo_drop_in", _("NGO drop-in")
    SELF_REPORT = "self_report", _("Self-report")
    POLICE = "police", _("Police operation")
    HEALTH = "health", _("Health services")
    OTHER = "other", _("Other")


class Indicator(models.TextChoices):
    # General indicators
    DOCUMENTS_WITHHELD = "documents_withheld", _("Identity or travel documents held by someone else")
    DEBT = "debt", _("Owes a debt that cannot be repaid")
    NO_FREEDOM_OF_MOVEMENT = "no_freedom_of_movement", _("Cannot move freely or leave")
    THREATS = "threats", _("Threatened, or family threatened")
    VIOLENCE = "violence", _("Signs of physical or sexual violence")
    DECEIVED = "deceived", _("Deceived about the work or conditions")
    ISOLATION = "isolation", _("Isolated; does not know address or language")
    FEAR_OF_AUTHORITIES = "fear_of_authorities", _("Afraid of the authorities or of deportation")
    # Labour exploitation
    NO_OR_LOW_PAY = "no_or_low_pay", _("No or very little pay; wages withheld")
    EXCESSIVE_HOURS = "excessive_hours", _("Excessive working hours, no days off")
    LIVES_AT_WORKPLACE = "lives_at_workplace", _("Lives at the workplace in poor conditions")
    # Sexual exploitation
    MOVED_BETWEEN_PLACES = "moved_between_places", _("Moved between brothels or cities")
    EARNINGS_TAKEN = "earnings_taken", _("Earnings handed over to someone else")
    # Children
    CHILD_UNACCOMPANIED = "child_unaccompanied", _("Child travelling unaccompanied")
    CHILD_WITH_UNRELATED_ADULT = "child_with_unrelated_adult", _("Child with an adult who is not a relative")
    CHILD_WORKING = "child_working", _("Child working or begging")
    CHILD_NO_SCHOOL = "child_no_school", _("Child not in school")


class Gender(models.TextChoices):
    """HTCDS prs_Gender."""

    FEMALE = "Feminine", _("Female")
    MALE = "Masculine", _("Male")
    TRANSGENDER_FEMALE = "TransgenderFeminine", _("Transgender female")
    TRANSGENDER_MALE = "TransgenderMasculine", _("Transgender male")
    NON_CONFORMING = "NonConforming", _("Gender non-conforming")
    UNKNOWN = "NonSpecifiedUnknown", _("Not specified / unknown")


class DecidingOrganisation(models.TextChoices):
    """HTCDS vic_TraffickingStatusDecisionMakingOrg: the kind of organisation that decided a
    victim's status; the authority's own name is recorded beside it."""

    POLICE = "Police", _("Police")
    NGO = "NGO", _("NGO")
    COURT_OR_PROSECUTION = "CourtOrProsecution", _("Court or prosecution")
    NON_POLICE_GOVERNMENTAL = "NonPoliceGovernmentalOrganization", _("Non-police governmental organisation")
    OTHER = "Other", _("Other")


class MethodOfControl(models.TextChoices):
    """HTCDS vic_MethodsOfControl, with restricted movement and isolation, indicators the
    referral guidance names [NA IV.D.2] and the standard has no value for."""

    PHYSICAL_THREATS = "PhysicalThreats", _("Threats of physical harm")
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement", _("Threats of the police, arrest or deportation")
    THREATS_TO_FAMILY = "ThreatensChildrenFamily", _("Threats to children or family")
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes or withholds earnings")
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", _("Restricts access to money or bank accounts")
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities (food, sleep, shelter)")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    SUBSTANCES = "PsychoactiveSubstance", _("Induced use of psychoactive substances")
    EXCESSIVE_WORKING_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds identity or travel documents")
    RESTRICTED_MOVEMENT = "RestrictedMovement", _("Restricted movement")
    ISOLATION = "Isolation", _("Isolation")
    OTHER = "Other", _("Other")


class Recruitment(models.TextChoices):
    """HTCDS vic_MethodOfRecruitment: where, or through which channel, the victim was recruited.
    What they were lured with is a field of its own (`RecruitmentLure`)."""

    AT_A_PLACE_OF_BUSINESS = "AtAPlaceOfBusiness", _("At a place of business (e.g. a recruitment or travel agency)")
    AT_AN_EDUCATIONAL_INSTITUTION = "AtAnEducationalInstitution", _("At an educational institution")
    AT_WORK = "AtWork", _("At work")
    ONLINE_SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks", _("Through online social networks")
    ONLINE_ADVERTISEMENT = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    TELEVISION_ADVERT = "ThroughATelevisionAdvert", _("Through a television advert")
    NEWSPAPER_ADVERT = "ThroughANewspaperAdvert", _("Through a newspaper advert")
    FAMILY = "ThroughFamilyOrFamilyEvents", _("Through family or family events")
    FRIENDS = "ThroughFriendsOrSocialEvents", _("Through friends or social events")
    OTHER = "Other", _("Other")


class RecruitmentLure(models.TextChoices):
    """What the victim was lured or forced with, where HTCDS records only the channel; this
    product's own field, with no HTCDS counterpart."""

    JOB_OFFER = "JobOffer", _("Job offer")
    STUDY_OFFER = "StudyOrTravelOffer", _("Study or travel offer")
    ROMANTIC = "RomanticRelationship", _("Romantic relationship")
    ABDUCTION = "Abduction", _("Abduction")
    SOLD_BY_FAMILY = "SoldOrGivenByFamily", _("Sold or given by family")
    OTHER = "Other", _("Other")


# The codes of these two are HTCDS 2.0's own value names (tests/data/htcds-2.0.json), so they are
# exchanged as they are stored.
class SexExploitationType(models.TextChoices):
    """HTCDS vic_TypeOfSexExploitation: the setting of sexual exploitation."""

    PROSTITUTION = "Prostitution", _("Prostitution")
    PORNOGRAPHY = "Pornography", _("Pornography")
    REMOTE_INTERACTIVE_SERVICES = "RemoteInteractiveServices", _("Remote interactive services")
    PRIVATE_SEXUAL_SERVICES = "PrivateSexualServices", _("Private sexual services")


class ForcedLabourIndustry(models.TextChoices):
    """HTCDS vic_ForcedLabourIndustry: the industry of forced labour, by the sections of the UN's
    International Standard Industrial Classification (ISIC Rev. 4), as the standard does."""

    A = "A_AgricultureForestryAndFishing", _("Agriculture, forestry and fishing")
    B = "B_MiningAndQuarrying", _("Mining and quarrying")
    C = "C_Manufacturing", _("Manufacturing")
    D = "D_ElectricityGasSteamAndAirConditioningSupply", _("Electricity, gas, steam and air conditioning supply")
    E = "E_WaterSupplySewerageWasteManagement", _("Water supply; sewerage, waste management and remediation")
    F = "F_Construction", _("Construction")
    G = "G_WholesaleAndRetailTradeRepairOfMotorVehicles", _(
        "Wholesale and retail trade; repair of motor vehicles and motorcycles")
    H = "H_TransportationAndStorage", _("Transportation and storage")
    I = "I_AccommodationAndFoodServiceActivities", _("Accommodation and food service activities")  # noqa: E741 (NACE letters)
    J = "J_InformationAndCommunication", _("Information and communication")
    K = "K_FinancialAndInsuranceActivities", _("Financial and insurance activities")
    L = "L_RealEstateActivities", _("Real estate activities")
    M = "M_ProfessionalScientificAndTechnicalActivities", _("Professional, scientific and technical activities")
    N = "N_AdministrativeAndSupportServiceActivities", _("Administrative and support service activities")
    O = "O_PublicAdministrationAndDefence", _("Public administration and defence; compulsory social security")  # noqa: E741
    P = "P_Education", _("Education")
    Q = "Q_HumanHealthAndSocialWorkActivities", _("Human health and social work activities")
    R = "R_ArtsEntertainmentAndRecreation", _("Arts, entertainment and recreation")
    S = "S_OtherServiceActivities", _("Other service activities")
    T = "T_ActivitiesOfHouseholdsAsEmployers", _(
        "Activities of households as employers; undifferentiated goods- and services-producing activities of "
        "households for own use")
    U = "U_ActivitiesOfExtraterritorialOrganizations", _("Activities of extraterritorial organizations and bodies")


# Values that HTCDS 2.0 lacks, each with the standard's value it is exchanged as.
HTCDS_EXTENSIONS = {
    MethodOfControl: {MethodOfControl.RESTRICTED_MOVEMENT: MethodOfControl.OTHER,
                      MethodOfControl.ISOLATION: MethodOfControl.OTHER},
}

# Retired codes that stood for more than one of today's values (accounts.review): what each
# meant and which values replace it.
RETIRED = {
    "sex": {
        "other": (_("Transgender / other"), (Gender.TRANSGENDER_FEMALE, Gender.TRANSGENDER_MALE, Gender.NON_CONFORMING)),
    },
    "methods_of_control": {
        "threats": (_("Threats"), (MethodOfControl.PHYSICAL_THREATS, MethodOfControl.THREATS_LAW_ENFORCEMENT)),
    },
    "recruitment": {
        "online": (_("Online / social media"), (Recruitment.ONLINE_SOCIAL_NETWORKS, Recruitment.ONLINE_ADVERTISEMENT)),
        "family": (_("Through family or friends"), (Recruitment.FAMILY, Recruitment.FRIENDS)),
    },
}
