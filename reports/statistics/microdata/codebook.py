"""The CTDC global dataset's columns, and how this system's HTCDS vocabularies are written in
them [SPEC 2.8]. The README (Anonymised microdata release) gives the mapping as a table and says
where each column name and value was checked.

Values are written as the codebook writes them: 0/1 flags, category strings, ISO 3166-1
alpha-2 country codes, and MISSING (-99) where nothing is known or the release generalised
the value away.
"""

from cases.models.vocabularies import ExploitationForm as Form
from victims.models import Gender
from victims.models.vocabularies import ForcedLabourIndustry as Industry
from victims.models.vocabularies import MethodOfControl as Method
from victims.models.vocabularies import Recruitment, RecruitmentLure, SexExploitationType

MISSING = -99
DATASOURCE = "Case Management"
SEPARATOR = ";"

AGE_BANDS = ((0, 8, "0--8"), (9, 17, "9--17"), (18, 20, "18--20"), (21, 23, "21--23"), (24, 26, "24--26"),
             (27, 29, "27--29"), (30, 38, "30--38"), (39, 47, "39--47"), (48, None, "48+"))
MINOR, ADULT = "Minor", "Adult"
CHILD_BANDS = {"0--8", "9--17"}

GENDER = {Gender.FEMALE: "Female", Gender.MALE: "Male",
          # CTDC's later releases write one value for every other gender; a rare one is
          # generalised to unknown before release (anonymise: the gender ladder).
          Gender.TRANSGENDER_FEMALE: "Trans/Transgender/NonConforming",
          Gender.TRANSGENDER_MALE: "Trans/Transgender/NonConforming",
          Gender.NON_CONFORMING: "Trans/Transgender/NonConforming"}

MEANS = ("DebtBondage", "TakesEarnings", "RestrictsFinancialAccess", "Threats", "PsychologicalAbuse",
         "PhysicalAbuse", "SexualAbuse", "FalsePromises", "PsychoactiveSubstances", "RestrictsMovement",
         "RestrictsMedicalCare", "ExcessiveWorkingHours", "UsesChildren", "ThreatOfLawEnforcement",
         "WithholdsNecessities", "WithholdsDocuments", "Other", "NotSpecified")
MEANS_OF = {
    Method.DEBT_BONDAGE: "DebtBondage", Method.TAKES_EARNINGS: "TakesEarnings",
    Method.RESTRICTS_FINANCIAL_ACCESS: "RestrictsFinancialAccess", Method.PHYSICAL_THREATS: "Threats",
    Method.THREATS_TO_FAMILY: "Threats", Method.PSYCHOLOGICAL_ABUSE: "PsychologicalAbuse",
    Method.PHYSICAL_ABUSE: "PhysicalAbuse", Method.SEXUAL_ABUSE: "SexualAbuse",
    Method.FALSE_PROMISES: "FalsePromises", Method.SUBSTANCES: "PsychoactiveSubstances",
    # HTCDS lacks restricted movement (an extension exchanged there as "Other"); CTDC has it.
    Method.RESTRICTED_MOVEMENT: "RestrictsMovement", Method.RESTRICTS_MEDICAL_CARE: "RestrictsMedicalCare",
    Method.EXCESSIVE_WORKING_HOURS: "ExcessiveWorkingHours", Method.THREATS_LAW_ENFORCEMENT: "ThreatOfLawEnforcement",
    Method.WITHHOLDS_NECESSITIES: "WithholdsNecessities", Method.WITHHOLDS_DOCUMENTS: "WithholdsDocuments",
    Method.ISOLATION: "Other", Method.OTHER: "Other",
}

# Type of exploitation: the detailed flags, and the broad one each stands under.
LABOUR, SEXUAL, OTHER = "isForcedLabour", "isSexualExploit", "isOtherExploit"
BROAD = (LABOUR, SEXUAL, OTHER)
GENERALISED = "broad"
DETAILED = ("isForcedMarriage", "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices")
EXPLOIT_OF = {
    Form.FORCED_LABOUR: (LABOUR,), Form.CHILD_LABOUR: (LABOUR,), Form.SERVITUDE: (LABOUR,),
    Form.FORCED_BEGGING: (LABOUR,), Form.FORCED_CRIMINALITY: (LABOUR,),
    Form.SEXUAL: (SEXUAL,),
    Form.FORCED_MARRIAGE: (OTHER, "isForcedMarriage"), Form.FORCED_MILITARY: (OTHER, "isForcedMilitary"),
    Form.ORGAN_REMOVAL: (OTHER, "isOrganRemoval"), Form.SLAVERY: (OTHER, "isSlaveryAndPractices"),
    Form.FORCED_ADOPTION: (OTHER,), Form.SURROGACY: (OTHER,), Form.OTHER: (OTHER,),
}
EXPLOIT_LABEL = {LABOUR: "Forced labour", SEXUAL: "Sexual exploitation", OTHER: "Other",
                 "isForcedMarriage": "Forced marriage", "isForcedMilitary": "Forced military",
                 "isOrganRemoval": "Organ removal", "isSlaveryAndPractices": "Slavery and similar practices"}

LABOUR_TYPES = ("Agriculture", "Aquafarming", "Begging", "Construction", "DomesticWork", "Hospitality",
                "IllicitActivities", "Manufacturing", "MiningOrDrilling", "Peddling", "Transportation", "Other",
                "NotSpecified")
LABOUR_OF = {Industry.A: "Agriculture", Industry.B: "MiningOrDrilling", Industry.C: "Manufacturing",
             Industry.F: "Construction", Industry.H: "Transportation", Industry.I: "Hospitality",
             Industry.T: "DomesticWork"}  # every other ISIC section: "Other"
LABOUR_OF_FORM = {Form.FORCED_BEGGING: "Begging", Form.FORCED_CRIMINALITY: "IllicitActivities"}
SEX_TYPES = ("Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices")
assert set(SEX_TYPES) == set(SexExploitationType.values)  # the same names in both

RELATIONS = ("IntimatePartner", "Friend", "Family", "Other", "Unknown")
RELATION_LABEL = {"IntimatePartner": "Intimate Partner", "Friend": "Friend", "Family": "Family", "Other": "Other"}
RELATION_OF_CHANNEL = {Recruitment.FAMILY: "Family", Recruitment.FRIENDS: "Friend"}
RELATION_OF_LURE = {RecruitmentLure.ROMANTIC: "IntimatePartner", RecruitmentLure.SOLD_BY_FAMILY: "Family"}

COLUMNS = (
    "yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus", "majorityStatusAtExploit",
    "majorityEntry", "citizenship",
    *(f"meansOfControl{name}" for name in MEANS), "meansOfControlConcatenated",
    *BROAD, "isSexAndLabour", *DETAILED, "typeOfExploitConcatenated",
    *(f"typeOfLabour{name}" for name in LABOUR_TYPES), "typeOfLabourConcatenated",
    *(f"typeOfSex{name}" for name in SEX_TYPES), "typeOfSexConcatenated",
    "isAbduction", "RecruiterRelationship", "CountryOfExploitation",
    *(f"recruiterRelation{name}" for name in RELATIONS),
)


def _flag(present):
    return 1 if present else 0


def _flags(prefix, names, present, known=True):
    """{prefix+name: 0/1} for `names`, every one MISSING when nothing is `known`."""
    return {f"{prefix}{name}": _flag(name in present) if known else MISSING for name in names}


def _joined(names, present, label=None):
    return SEPARATOR.join((label or {}).get(name, name) for name in names if name in present) or MISSING


def exploitation(*, forms):
    """The type of exploitation's ladder: the detailed flags that are 1 (sorted), the broad
    ones marked as such (GENERALISED first: a record lifted to the broad type must not share
    a class with one whose detailed flags are known to be 0), and unknown."""
    detailed = tuple(sorted({name for form in forms or () for name in EXPLOIT_OF.get(form, (OTHER,))}))
    if not detailed:
        return MISSING, MISSING, MISSING
    return detailed, (GENERALISED, *(name for name in BROAD if name in detailed)), MISSING


def age_key(*, band, age_group):
    """The age quasi-identifier: (ageBroad, majorityStatus) as released."""
    if band != MISSING:
        return band, MINOR if band in CHILD_BANDS else ADULT
    return MISSING, {"child": MINOR, "adult": ADULT}.get(age_group, MISSING)


def row(*, source, released):
    """One CTDC row (a tuple in COLUMNS order) from a source record and the released values of
    its quasi-identifiers (anonymise)."""
    cells = {"yearOfRegistration": source["year"], "Datasource": DATASOURCE, "gender": released["gender"]}
    cells["ageBroad"], cells["majorityStatus"] = released["age"]
    # Neither the age at exploitation nor at entry to the exploitation is recorded.
    cells["majorityStatusAtExploit"] = cells["majorityEntry"] = MISSING
    cells["citizenship"] = released["citizenship"]

    means = {MEANS_OF.get(method, "Other") for method in source["methods_of_control"] or ()}
    cells.update(_flags("meansOfControl", MEANS[:-1], means, known=bool(means)))
    cells["meansOfControlNotSpecified"] = _flag(not means)
    cells["meansOfControlConcatenated"] = _joined(MEANS, means)

    exploit = released["exploitation"]
    known = exploit != MISSING
    detailed = known and exploit[0] != GENERALISED
    present = set(exploit) - {GENERALISED} if known else set()
    cells.update(_flags("", BROAD, present, known=known))
    cells["isSexAndLabour"] = _flag(LABOUR in present and SEXUAL in present) if known else MISSING
    # Generalised to the broad type, the detailed flags are not known any more.
    cells.update(_flags("", DETAILED, present, known=known and detailed))
    cells["typeOfExploitConcatenated"] = _joined(BROAD + DETAILED, present, EXPLOIT_LABEL)

    # Labour and sex types give a generalised-away type of exploitation back: only beside it.
    labour = {LABOUR_OF.get(industry, "Other") for industry in source["industries"] or ()}
    labour |= {LABOUR_OF_FORM[form] for form in source["forms"] or () if form in LABOUR_OF_FORM}
    in_labour = LABOUR in present
    if in_labour and not labour:
        labour = {"NotSpecified"}
    cells.update(_flags("typeOfLabour", LABOUR_TYPES, labour, known=in_labour))
    cells["typeOfLabourConcatenated"] = _joined(LABOUR_TYPES, labour) if in_labour else MISSING
    sex = set(source["sex_types"] or ()) if SEXUAL in present else set()
    cells.update(_flags("typeOfSex", SEX_TYPES, sex, known=bool(sex)))
    cells["typeOfSexConcatenated"] = _joined(SEX_TYPES, sex)

    channels, lures = source["recruitment"] or (), source["lures"] or ()
    recruited = bool(channels or lures)
    relations = ({RELATION_OF_CHANNEL[c] for c in channels if c in RELATION_OF_CHANNEL}
                 | {RELATION_OF_LURE[lure] for lure in lures if lure in RELATION_OF_LURE})
    if recruited and not relations:
        relations = {"Other"}
    cells["isAbduction"] = _flag(RecruitmentLure.ABDUCTION in lures) if recruited else MISSING
    cells["RecruiterRelationship"] = _joined(RELATIONS, relations, RELATION_LABEL)
    cells["CountryOfExploitation"] = released["exploitation_country"]
    cells.update(_flags("recruiterRelation", RELATIONS[:-1], relations, known=recruited))
    cells["recruiterRelationUnknown"] = _flag(not recruited)
    return tuple(cells[column] for column in COLUMNS)
