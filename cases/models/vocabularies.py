"""Controlled vocabularies. Where IOM's Human Trafficking Case Data Standard (HTCDS 2.0) has a
picklist for what is recorded, its value names are the stored codes, in its order, so a record
is exchanged as it is stored [SPEC 2.3]; tests/data/htcds-2.0.json is the reference. A value
the seeds need and the standard lacks is an extension, listed in `HTCDS_EXTENSIONS` with the
standard's value it is exchanged as."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExploitationForm(models.TextChoices):
    """HTCDS vic_TypeOfExploitation, with slavery and forced criminality as extensions: the
    specification names both among the forms of exploitation [SPEC 2.2] and the standard
    has neither."""

    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    SEXUAL = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude, including domestic servitude")
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", _("Forced military service or child soldiers (by non-state actors)")
    ORGAN_REMOVAL = "OrganRemoval", _("Removal of organs")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Surrogacy")
    SLAVERY = "Slavery", _("Slavery and similar practices")
    FORCED_CRIMINALITY = "ForcedCriminality", _("Forced criminal activity")
    OTHER = "Other", _("Other")


class PerpetratorRole(models.TextChoices):
    """HTCDS per_RoleInProcess: what the person did in the process. The standard's "...
    Individual" values name the act done to the victim. Financiers, document forgers,
    facilitators (a corrupt official among them) and beneficiaries are extensions: the
    offences they commit are charged here [SPEC 2.2] and the standard has no role for them."""

    TRAVELLING_PARTNER = "TravellingPartner", _("Travelling partner")
    TRANSPORTER = "Transporter", _("Transporter")
    RECRUITER = "RecruiterOrIntermediary", _("Recruiter or intermediary")
    BROKER = "BrokerTravelAgent", _("Broker or travel agent")
    TRANSFERRED = "TransferredIndividual", _("Transferred the person")
    HARBOURED = "HarbouredIndividual", _("Harboured the person")
    SOLD = "SoldIndividual", _("Sold the person")
    BOUGHT = "BoughtIndividual", _("Bought the person")
    RECEIVED = "ReceivedIndividual", _("Received the person")
    CONTROLLED = "ControlledIndividual", _("Controlled the person")
    SMUGGLER = "Smuggler", _("Smuggler")
    ABUSER = "Abuser", _("Abuser")
    KIDNAPPER = "Kidnapper", _("Kidnapper")
    EXPLOITER = "Exploiter", _("Exploiter")
    FINANCIER = "Financier", _("Financier / organiser")
    DOCUMENT_PROVIDER = "DocumentProvider", _("Document provider / forger")
    FACILITATOR = "Facilitator", _("Facilitator (incl. corrupt official)")
    BENEFICIARY = "Beneficiary", _("Beneficiary (e.g. buyer of goods or services)")
    OTHER = "Other", _("Other")



class Offence(models.TextChoices):
    TRAFFICKING = "trafficking", _("Trafficking in persons")
    ATTEMPT = "attempt", _("Attempted trafficking")
    ACCOMPLICE = "accomplice", _("Participation as an accomplice")
    ORGANISING = "organising", _("Organising or directing / financing")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    SLAVERY = "slavery", _("Slavery")
    SERVITUDE = "servitude", _("Servitude")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    DOCUMENTS = "documents", _("Document offences")
    MONEY_LAUNDERING = "money_laundering", _("Money laundering")
    CORRUPTION = "corruption", _("Corruption")
    OBSTRUCTION = "obstruction", _("Obstruction of justice")
    WITNESS_INTIMIDATION = "witness_intimidation", _("Intimidation of witnesses")
    IDENTITY_DISCLOSURE = "identity_disclosure", _("Unlawful disclosure of a victim's identity")
    # Offences victims are often charged with because they were trafficked [PR 1.2.2, VS 21].
    IMMIGRATION = "immigration", _("Immigration offence (illegal entry or stay)")
    PROSTITUTION = "prostitution", _("Prostitution-related offence")
    BEGGING = "begging", _("Begging")
    ILLEGAL_WORK = "illegal_work", _("Illegal work")
    COMPELLED_OFFENCE = "compelled_offence", _("Other offence committed under compulsion")


class Act(models.TextChoices):
    RECRUITMENT = "recruitment", _("Recruitment")
    TRANSPORTATION = "transportation", _("Transportation")
    TRANSFER = "transfer", _("Transfer")
    HARBOURING = "harbouring", _("Harbouring")
    RECEIPT = "receipt", _("Receipt")


class Means(models.TextChoices):
    THREAT = "threat", _("Threat")
    FORCE = "force", _("Use of force")
    COERCION = "coercion", _("Other forms of coercion")
    ABDUCTION = "abduction", _("Abduction")
    FRAUD = "fraud", _("Fraud")
    DECEPTION = "deception", _("Deception")
    ABUSE_OF_POWER = "abuse_of_power", _("Abuse of power")
    ABUSE_OF_VULNERABILITY = "abuse_of_vulnerability", _("Abuse of a position of vulnerability")
    PAYMENTS = "payments", _("Giving or receiving payments or benefits")


class CaseOrigin(models.TextChoices):
    VICTIM_COMPLAINT = "victim_complaint", _("Victim complaint")
    NGO_REFERRAL = "ngo_referral", _("NGO referral")
    INSPECTION = "inspection", _("Labour or other inspection")
    BORDER_CONTROL = "border_control", _("Border control")
    PROACTIVE = "proactive_intelligence", _("Proactive intelligence")
    FOREIGN_REQUEST = "foreign_request", _("Foreign request")
    HOTLINE = "hotline", _("Hotline")
    OTHER_CASE = "other_case", _("Another investigation")
    OTHER = "other", _("Other")


class InvestigationType(models.TextChoices):
    REACTIVE = "reactive", _("Reactive")
    PROACTIVE = "proactive", _("Proactive")
    DISRUPTIVE = "disruptive", _("Disruptive")


# Values that HTCDS 2.0 lacks, each with the standard's value it is exchanged as.
HTCDS_EXTENSIONS = {
    ExploitationForm: {ExploitationForm.SLAVERY: ExploitationForm.OTHER,
                       ExploitationForm.FORCED_CRIMINALITY: ExploitationForm.OTHER},
    PerpetratorRole: {role: PerpetratorRole.OTHER for role in (
        PerpetratorRole.FINANCIER, PerpetratorRole.DOCUMENT_PROVIDER, PerpetratorRole.FACILITATOR,
        PerpetratorRole.BENEFICIARY)},
}

# Retired codes that stood for more than one of today's values (accounts.review): what each
# meant and which values replace it.
RETIRED_ROLES = {
    "harbourer": (_("Harbourer / receiver"), (PerpetratorRole.HARBOURED, PerpetratorRole.RECEIVED)),
}
