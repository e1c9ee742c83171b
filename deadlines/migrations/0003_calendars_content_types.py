"""The content types of calendars' models move to hearings and deadlines: the same rows, their
app_label changed, so the permissions, group permissions, guardian grants and admin log
entries that point at them by id keep pointing at them. Left alone, Django would make new
content types (and permissions) for the new labels and orphan the old ones."""

from django.db import migrations

MOVED = {
    "hearings": ["calendarfeedtoken", "courtroom", "hearing", "hearingwitness", "historicalcourtroom",
                 "historicalhearing", "historicalhearingwitness", "historicaljudgeunavailability",
                 "historicalspecialmeasure", "judgeunavailability", "specialmeasure"],
    "deadlines": ["deadline", "historicaldeadline", "notification", "sweepfailure", "sweeprun"],
}


def relabel(ContentType, moves):
    for old, new, models in moves:
        kept = ContentType.objects.filter(app_label=old, model__in=models)
        # A content type for the new label exists only if post_migrate ran between the table
        # renames and this migration (a `migrate hearings` alone): made then, it holds nothing
        # the old one does not, so it gives way to the old one.
        ContentType.objects.filter(app_label=new, model__in=kept.values("model")).delete()
        kept.update(app_label=new)


def forwards(apps, schema_editor):
    relabel(apps.get_model("contenttypes", "ContentType"),
            [("calendars", app, models) for app, models in MOVED.items()])


def backwards(apps, schema_editor):
    relabel(apps.get_model("contenttypes", "ContentType"),
            [(app, "calendars", models) for app, models in MOVED.items()])


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("deadlines", "0002_tables_of_their_own"),
        ("hearings", "0002_tables_of_their_own"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
