"""Exploitation forms and perpetrator roles take HTCDS 2.0's value names [SPEC 2.2]. The maps
are frozen here; "harbourer / receiver" stood for two HTCDS roles and is left to review."""

from django.db import migrations

from accounts.review import Recoding

REASON = "HTCDS vocabularies: a recoded value to review"
EXPLOITATION = {
    "sexual_exploitation": "SexualExploitation", "forced_labour": "ForcedLabour", "domestic_servitude": "Servitude",
    "slavery": "Slavery", "forced_marriage": "ForcedMarriage", "organ_removal": "OrganRemoval",
    "forced_begging": "ForcedBegging", "forced_criminality": "ForcedCriminality",
    "child_soldiers": "ForcedMilitaryByNonStateActors", "other": "Other",
}
ROLES = {
    "recruiter": "RecruiterOrIntermediary", "transporter": "Transporter", "exploiter": "Exploiter",
    "controller": "ControlledIndividual", "financier": "Financier", "document_provider": "DocumentProvider",
    "facilitator": "Facilitator", "beneficiary": "Beneficiary", "other": "Other",
}
RECODINGS = [
    Recoding("cases.Case", {"exploitation_forms": EXPLOITATION}, {}, {}, {"exploitation_forms": "other"}, REASON),
    Recoding("cases.Charge", {"exploitation_forms": EXPLOITATION}, {}, {}, {"exploitation_forms": "other"}, REASON),
    Recoding("cases.Defendant", {"roles": ROLES}, {}, {"roles": {"harbourer": None}}, {"roles": "other"}, REASON),
]


def forwards(apps, schema_editor):
    for recoding in RECODINGS:
        recoding.forwards(apps, schema_editor)


def backwards(apps, schema_editor):
    for recoding in reversed(RECODINGS):
        recoding.backwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_htcds_vocabularies")]
    operations = [migrations.RunPython(forwards, backwards)]
