"""Controlled vocabularies. Exploitation forms and perpetrator roles are modelled on IOM's Human
Trafficking Case Data Standard (HTCDS) but do not yet use its value names or all its values:
tests/data/htcds-2.0.json is the reference they are to match, so data can be exchanged."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExploitationForm(models.TextChoices):
    SEXUAL = "sexual_exploitation", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    SLAVERY = "slavery", _("Slavery and similar practices")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    ORGAN_REMOVAL = "organ_removal", _("Removal of organs")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminal activity")
    CHILD_SOLDIERS = "child_soldiers", _("Forced military service / child soldiers")
    OTHER = "other", _("Other")


class PerpetratorRole(models.TextChoices):
    RECRUITER = "recruiter", _("Recruiter")
    TRANSPORTER = "transporter", _("Transporter")
    HARBOURER = "harbourer", _("Harbourer / receiver")
    EXPLOITER = "exploiter", _("Exploiter")
    CONTROLLER = "controller", _("Controller / enforcer")
    FINANCIER = "financier", _("Financier / organiser")
    DOCUMENT_PROVIDER = "document_provider", _("Document provider / forger")
    FACILITATOR = "facilitator", _("Facilitator (incl. corrupt official)")
    BENEFICIARY = "beneficiary", _("Beneficiary (e.g. buyer of goods or services)")
    OTHER = "other", _("Other")


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
