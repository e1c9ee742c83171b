"""Gender, exploitation forms, methods of control and method of recruitment take HTCDS 2.0's
value names [SPEC 2.3]; the lures recorded as recruitment move to a field of their own. The maps
are frozen here. Codes that stood for more than one HTCDS value (gender "transgender / other",
the threat that may be of violence or of the police, recruitment "online" and "through family
or friends") are not guessed: the record keeps them among its values to review."""

from django.db import migrations

from accounts.review import Recoding

REASON = "HTCDS vocabularies: a recoded value to review"
VICTIM = Recoding(
    "victims.Victim",
    codes={
        "sex": {"female": "Feminine", "male": "Masculine", "unknown": "NonSpecifiedUnknown"},
        "exploitation_forms": {
            "sexual_exploitation": "SexualExploitation", "forced_labour": "ForcedLabour",
            "domestic_servitude": "Servitude", "slavery": "Slavery", "forced_marriage": "ForcedMarriage",
            "organ_removal": "OrganRemoval", "forced_begging": "ForcedBegging",
            "forced_criminality": "ForcedCriminality", "child_soldiers": "ForcedMilitaryByNonStateActors",
            "other": "Other",
        },
        "methods_of_control": {
            "physical_abuse": "PhysicalAbuse", "sexual_abuse": "SexualAbuse", "psychological_abuse": "PsychologicalAbuse",
            "threats_to_family": "ThreatensChildrenFamily", "debt_bondage": "DebtBondage",
            "withholding_documents": "WithholdsDocuments", "withholding_wages": "TakesEarnings",
            "restricted_movement": "RestrictedMovement", "isolation": "Isolation", "substances": "PsychoactiveSubstance",
            "false_promises": "FalsePromises", "excessive_working_hours": "ExcessiveWorkingHours", "other": "Other",
        },
        "recruitment": {"agency": "AtAPlaceOfBusiness", "other": "Other"},
    },
    moves={
        ("recruitment", "job_offer"): ("recruitment_lures", "JobOffer"),
        ("recruitment", "study_offer"): ("recruitment_lures", "StudyOrTravelOffer"),
        ("recruitment", "romantic"): ("recruitment_lures", "RomanticRelationship"),
        ("recruitment", "abduction"): ("recruitment_lures", "Abduction"),
        ("recruitment", "sold_by_family"): ("recruitment_lures", "SoldOrGivenByFamily"),
    },
    retired={
        "sex": {"other": "NonSpecifiedUnknown"},
        "methods_of_control": {"threats": None},
        "recruitment": {"online": None, "family": None},
    },
    otherwise={"sex": "other", "exploitation_forms": "other", "methods_of_control": "other", "recruitment": "other"},
    reason=REASON,
)


def forwards(apps, schema_editor):
    VICTIM.forwards(apps, schema_editor)


def backwards(apps, schema_editor):
    VICTIM.backwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("victims", "0007_htcds_vocabularies")]
    operations = [migrations.RunPython(forwards, backwards)]
