"""Victim vocabularies. Sex, exploitation, control methods and recruitment are modelled on IOM's
Human Trafficking Case Data Standard (HTCDS), not yet value for value (tests/data/htcds-2.0.json
is the reference they are to match); identification channels and indicators follow the
UNODC/OSCE national referral mechanism guidance [NA IV.A, IV.D.2]."""

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


class MethodOfControl(models.TextChoices):
    PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological abuse")
    THREATS = "threats", _("Threats")
    THREATS_TO_FAMILY = "threats_to_family", _("Threats to family")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    WITHHOLDING_DOCUMENTS = "withholding_documents", _("Withholding of documents")
    WITHHOLDING_WAGES = "withholding_wages", _("Withholding of wages")
    RESTRICTED_MOVEMENT = "restricted_movement", _("Restricted movement")
    ISOLATION = "isolation", _("Isolation")
    SUBSTANCES = "substances", _("Induced substance use")
    FALSE_PROMISES = "false_promises", _("False promises")
    EXCESSIVE_WORKING_HOURS = "excessive_working_hours", _("Excessive working hours")
    OTHER = "other", _("Other")


class Recruitment(models.TextChoices):
    JOB_OFFER = "job_offer", _("Job offer")
    STUDY_OFFER = "study_offer", _("Study or travel offer")
    ROMANTIC = "romantic", _("Romantic relationship")
    FAMILY = "family", _("Through family or friends")
    ABDUCTION = "abduction", _("Abduction")
    SOLD_BY_FAMILY = "sold_by_family", _("Sold or given by family")
    ONLINE = "online", _("Online / social media")
    AGENCY = "agency", _("Recruitment or travel agency")
    OTHER = "other", _("Other")


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
    I = "I_AccommodationAndFoodServiceActivities", _("Accommodation and food service activities")
    J = "J_InformationAndCommunication", _("Information and communication")
    K = "K_FinancialAndInsuranceActivities", _("Financial and insurance activities")
    L = "L_RealEstateActivities", _("Real estate activities")
    M = "M_ProfessionalScientificAndTechnicalActivities", _("Professional, scientific and technical activities")
    N = "N_AdministrativeAndSupportServiceActivities", _("Administrative and support service activities")
    O = "O_PublicAdministrationAndDefence", _("Public administration and defence; compulsory social security")
    P = "P_Education", _("Education")
    Q = "Q_HumanHealthAndSocialWorkActivities", _("Human health and social work activities")
    R = "R_ArtsEntertainmentAndRecreation", _("Arts, entertainment and recreation")
    S = "S_OtherServiceActivities", _("Other service activities")
    T = "T_ActivitiesOfHouseholdsAsEmployers", _(
        "Activities of households as employers; undifferentiated goods- and services-producing activities of "
        "households for own use")
    U = "U_ActivitiesOfExtraterritorialOrganizations", _("Activities of extraterritorial organizations and bodies")
