"""The kind of organisation behind each status decision (HTCDS
vic_TraffickingStatusDecisionMakingOrg) [SPEC 2.3]. Decisions already recorded take that of the
agency of the person who recorded them, as new ones do by default; the map is frozen here."""

from django.db import migrations, models

BY_AGENCY_KIND = {
    "police": "Police", "prosecution": "CourtOrProsecution", "court": "CourtOrProsecution", "ngo": "NGO",
    **{kind: "NonPoliceGovernmentalOrganization" for kind in (
        "labour_inspectorate", "immigration", "health", "social_services", "coordination", "consular", "oversight")},
}


def fill(apps, schema_editor):
    cases = " ".join("WHEN %s THEN %s" for _ in BY_AGENCY_KIND)
    params = [value for pair in BY_AGENCY_KIND.items() for value in pair]
    with schema_editor.connection.cursor() as cursor:
        for table in ("victims_statusdecision", "victims_historicalstatusdecision"):
            cursor.execute(
                f"UPDATE {table} AS decision SET deciding_organisation = CASE agency.kind {cases} ELSE 'Other' END "
                "FROM accounts_user AS recorder JOIN accounts_agency AS agency ON agency.id = recorder.agency_id "
                "WHERE recorder.id = decision.recorded_by_id", params)


class Migration(migrations.Migration):

    dependencies = [
        ('victims', '0008_recode_htcds_values'),
        ('accounts', '0005_accesslog_details'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalstatusdecision',
            name='deciding_organisation',
            field=models.CharField(choices=[('Police', 'Police'), ('NGO', 'NGO'), ('CourtOrProsecution', 'Court or prosecution'), ('NonPoliceGovernmentalOrganization', 'Non-police governmental organisation'), ('Other', 'Other')], default='Other', max_length=40, verbose_name='kind of deciding organisation'),
        ),
        migrations.AddField(
            model_name='statusdecision',
            name='deciding_organisation',
            field=models.CharField(choices=[('Police', 'Police'), ('NGO', 'NGO'), ('CourtOrProsecution', 'Court or prosecution'), ('NonPoliceGovernmentalOrganization', 'Non-police governmental organisation'), ('Other', 'Other')], default='Other', max_length=40, verbose_name='kind of deciding organisation'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
