"""calendars became hearings and deadlines: a database from before the split keeps every row
[SPEC 2.5, 2.7, 2.9]. With the demo (and a sweep's runs, notices and a feed) in the tables,
the migrations go back to the layout before the split and forward again; each table holds the
same rows after as before, under its new name, and the content types are the same rows with
their new app label, so the permissions, group permissions and log entries that point at them
keep pointing at them."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from deadlines import sweep
from hearings.models import CalendarFeedToken, Hearing

from . import factories

BEFORE = [("hearings", "0001_initial"), ("deadlines", "0001_initial")]  # calendars 0008's layout
HEARINGS = ["calendarfeedtoken", "courtroom", "hearing", "hearingwitness", "historicalcourtroom", "historicalhearing",
            "historicalhearingwitness", "historicaljudgeunavailability", "historicalspecialmeasure",
            "judgeunavailability", "specialmeasure"]
DEADLINES = ["deadline", "historicaldeadline", "notification", "sweepfailure", "sweeprun"]
TABLES = {f"calendars_{model}": f"{app}_{model}" for app, models in (("hearings", HEARINGS), ("deadlines", DEADLINES))
          for model in models}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def tables():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def contents(table):
    """(row count, a digest of every row's every column, the first and last rows)."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*), md5(string_agg(t::text, E\'\\n\' ORDER BY t::text)) FROM "{table}" t')
        count, digest = cursor.fetchone()
        cursor.execute(f'(SELECT t::text FROM "{table}" t ORDER BY 1 LIMIT 3)'
                       f' UNION ALL (SELECT t::text FROM "{table}" t ORDER BY 1 DESC LIMIT 3)')
        return count, digest, [row for (row,) in cursor.fetchall()]


def content_types(labels):
    """The content types of `labels`, by model, with what points at them."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT ct.model, ct.id, ct.app_label,
                   (SELECT array_agg(p.codename ORDER BY p.id) FROM auth_permission p WHERE p.content_type_id = ct.id),
                   (SELECT count(*) FROM auth_group_permissions gp JOIN auth_permission p ON p.id = gp.permission_id
                     WHERE p.content_type_id = ct.id),
                   (SELECT count(*) FROM django_admin_log l WHERE l.content_type_id = ct.id)
              FROM django_content_type ct WHERE ct.app_label = ANY(%s)""", [labels])
        return {model: rest for model, *rest in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_split_keeps_every_row_and_content_type():
    call_command("seed_demo", stdout=io.StringIO())
    sweep.run(trigger="command")  # a sweep's run and its notices
    CalendarFeedToken.issue(factories.user(Hearing.objects.first().court, "court_clerk"))
    after_split = content_types(["hearings", "deadlines"])
    assert set(after_split) == set(HEARINGS + DEADLINES)

    migrate(BEFORE)

    assert set(TABLES) <= tables() and not set(TABLES.values()) & tables()
    before = {table: contents(table) for table in TABLES}
    assert all(before[f"calendars_{name}"][0] for name in ("hearing", "hearingwitness", "specialmeasure", "courtroom",
                                                             "judgeunavailability", "calendarfeedtoken", "deadline",
                                                             "historicaldeadline", "notification", "sweeprun"))
    old_types = content_types(["calendars"])
    # The same rows, labelled calendars again: ids, permissions, grants and log entries alike.
    assert {model: [pk, *rest] for model, (pk, _label, *rest) in old_types.items()} == {
        model: [pk, *rest] for model, (pk, _label, *rest) in after_split.items()}
    assert {label for _pk, label, *_rest in old_types.values()} == {"calendars"}

    migrate(None)

    assert not set(TABLES) & tables()
    assert {new: contents(new) for new in TABLES.values()} == {TABLES[old]: rows for old, rows in before.items()}
    assert content_types(["calendars"]) == {}
    moved = content_types(["hearings", "deadlines"])
    assert {model: (pk, *rest) for model, (pk, _label, *rest) in moved.items()} == {
        model: (pk, *rest) for model, (pk, _label, *rest) in old_types.items()}
    assert {model for model, (_pk, label, *_rest) in moved.items() if label == "hearings"} == set(HEARINGS)
    ContentType.objects.clear_cache()
    assert Hearing.objects.count() == before["calendars_hearing"][0]
