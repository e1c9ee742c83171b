"""The generator's steps, in order, each timed.

1. The demo seed, then the national world (districts, agencies, staff, courtrooms).
2. The case load, in slices: each slice makes its part of every figure (cases and all that
   hangs on them) in a transaction of its own. With several workers the slices are written
   at the same time by forked processes, and committed together only once all succeeded: a
   failure leaves no slice behind.
3. Grants, group memberships and the sweep schedule, derived from the data by the
   application's own functions (access.grants.rebuild_all, deadlines.sweep.
   reschedule_all), in one transaction.

A database that holds the national cases (references starting NAT-) with their grants is left
alone, so `make bench` can ask for the data every time and pay only the check; one whose last
run stopped before step 3 gets step 3 only."""

import io

from django.core.management import call_command
from django.db import connection, transaction

from cases.models import Case, CaseGroupObjectPermission

from . import cases, deadlines, hearings, notifications, proceedings, protection, referrals, victims, world
from .bulk import Steps
from .sizes import Sizes
from .state import World

PREFIX = "NAT-"
DEFAULT_SEED = 2026
# Victims charged over an offence tied to their trafficking, per victim.
NONCRIMINALISATION_SHARE = 0.005


def status():
    """'absent', 'unfinished' (cases written, grants not derived yet) or 'present'."""
    last = Case.objects.filter(reference__startswith=PREFIX).order_by("-pk").values_list("pk", flat=True).first()
    if last is None:
        return "absent"
    return "present" if CaseGroupObjectPermission.objects.filter(content_object_id=last).exists() else "unfinished"


def present():
    return status() == "present"


def generate(*, cases_wanted, seed=DEFAULT_SEED, workers=2, out=None, now=None):
    """Generate the national data set of `cases_wanted` cases; returns the Steps (timings), or
    None when the data was there already. Inside a transaction (tests) it runs in-process."""
    steps = Steps(out)
    found = status()
    if found == "present":
        count = Case.objects.filter(reference__startswith=PREFIX).count()
        steps.out.write(f"National data already present ({count:,} cases {PREFIX}...): nothing to do.\n")
        return None
    if found == "absent":
        workers = 1 if connection.in_atomic_block else max(1, min(workers, cases_wanted))
        with steps.step("demo seed (seed_demo)"):
            call_command("seed_demo", stdout=io.StringIO())
        base = World(Sizes(cases_wanted), seed, now=now)
        with steps.step("jurisdictions, agencies, users, courtrooms") as counts, transaction.atomic():
            world.build(base, counts)
        if workers == 1:
            with transaction.atomic():
                build_slice(base.slice(0, 1), steps)
        else:
            from .workers import run_slices

            run_slices(base, workers, steps)
    else:
        steps.out.write("National cases present without their grants: deriving them.\n")
    with transaction.atomic():
        with steps.step("statistics for the derivations (ANALYZE)"):
            _analyze(tables=_derivation_tables())
        with steps.step("grants and group memberships (access.grants.rebuild_all)"):
            from access.grants import rebuild_all

            rebuild_all()
        with steps.step("sweep schedule (deadlines.sweep.reschedule_all)"):
            from deadlines.sweep import reschedule_all

            reschedule_all()
        with steps.step("deferred constraints checked"), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what commit would check, timed here
    if not connection.in_atomic_block:
        with steps.step("VACUUM ANALYZE"):
            _analyze(vacuum=True)
    steps.out.write(f"National data generated: {cases_wanted:,} cases in {steps.total:.1f} s.\n")
    return steps


def build_slice(part, steps):
    """Slice `part.slice_index` of the case load: everything that hangs on its cases."""
    sizes = part.sizes
    part.noncriminalisation = round(sizes.victims * NONCRIMINALISATION_SHARE)
    with steps.step("cases, agencies in cases, teams, stage history") as counts:
        cases.build(part, counts)
    with steps.step("defendants, charges, verdicts") as counts:
        proceedings.build(part, counts, sizes.charges - part.noncriminalisation)
    with steps.step("victims, identities, links, support") as counts:
        victims.build(part, counts)
    with steps.step("referrals, consents, events, notices") as counts:
        referrals.build(part, counts)
    with steps.step("protection orders, cooperation requests, meetings") as counts:
        protection.build(part, counts)
    with steps.step("hearings, witnesses, special measures") as counts:
        hearings.build(part, counts)
    with steps.step("deadlines") as counts:
        deadlines.build(part, counts)
    with steps.step("notifications") as counts:
        notifications.build(part, counts)


def _derivation_tables():
    """The tables the grants rebuild and the sweep schedule read and write: their statistics
    must know of the bulk load before those set-based statements are planned."""
    from django.contrib.auth.models import Group, Permission

    from accounts.models import Agency, User
    from cases.models import CaseAgency, CaseAssignment
    from deadlines.models import Deadline
    from hearings.models import Hearing
    from referrals.models import Referral
    from victims.models import Consent, Victim, VictimCaseLink, VictimGroupObjectPermission, VictimSupport

    models = [Case, CaseAgency, CaseAssignment, CaseGroupObjectPermission, Victim, VictimCaseLink, VictimSupport,
              VictimGroupObjectPermission, Consent, Referral, User, User.groups.through, Agency, Group, Permission,
              Deadline, Hearing]
    return [model._meta.db_table for model in models]


def _analyze(vacuum=False, tables=()):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(("VACUUM (ANALYZE)" if vacuum else "ANALYZE") + (
            " " + ", ".join(quote(table) for table in tables) if tables else ""))
