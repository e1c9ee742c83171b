"""`manage.py generate_national` at a tiny size: every figure in proportion to the cases asked
for, history rows for every bulk-written row, the database's rules kept, the demo logins given
their national share, and a second run that changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client

import access
from accounts.models import User
from benchmarks.national import PREFIX
from benchmarks.national.sizes import Sizes
from cases.models import Case, CaseAgency, CaseAssignment, CaseGroupObjectPermission, Charge
from deadlines.models import Deadline, Notification
from hearings.models import Hearing
from referrals.models import Referral
from victims.models import Victim, VictimIdentity

from . import factories

CASES = 60
MODELS = [Case, Victim, VictimIdentity, Charge, Hearing, Deadline, Referral, Notification]


def counts():
    return {model: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def national(django_db_setup, django_db_blocker):
    """Generated once for the module, in a transaction rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        before = counts()
        out = io.StringIO()
        call_command("generate_national", cases=CASES, stdout=out)
        yield before, out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def generated(national, db):
    return national


def added(before):
    return {model: n - before[model] for model, n in counts().items()}


def test_every_figure_is_in_proportion_to_the_cases(generated):
    before, output = generated
    sizes, new = Sizes(CASES), added(before)
    assert Case.objects.filter(reference__startswith=PREFIX).count() == new[Case] == CASES
    assert new[Victim] == new[VictimIdentity] == sizes.victims == 96
    assert new[Charge] == sizes.charges == 180
    assert new[Hearing] == sizes.hearings == 240
    assert new[Deadline] == sizes.deadlines == 360
    # Referrals and notifications are drawn until the figure; a few draws find nothing to send.
    assert 0.9 * sizes.referrals <= new[Referral] <= sizes.referrals
    assert 0.8 * sizes.notifications <= new[Notification] <= sizes.notifications
    assert "National data generated: 60 cases" in output


def test_cases_have_one_to_three_agencies_and_a_team_of_two_to_four(generated):
    national = Case.objects.filter(reference__startswith=PREFIX)
    agencies = national.annotate(n=Count("agency_roles", distinct=True)).values_list("n", flat=True)
    team = national.annotate(n=Count("assignments", distinct=True)).values_list("n", flat=True)
    assert set(agencies) <= {1, 2, 3}
    assert set(team) <= {2, 3, 4}
    # Each case has its own team group, and the grants were derived from the data.
    assert national.values("team_group").distinct().count() == CASES
    assert CaseGroupObjectPermission.objects.filter(content_object__in=national).count() >= 2 * CASES


def test_bulk_written_rows_have_their_history(generated):
    before, _output = generated
    new = added(before)
    assert Case.history.filter(reference__startswith=PREFIX, history_type="+").count() == CASES
    national_victims = Victim.objects.order_by("-pk")[:new[Victim]]
    assert Victim.history.filter(id__in=national_victims.values("pk")).count() == new[Victim]
    assert Deadline.history.filter(case__reference__startswith=PREFIX).count() == Deadline.objects.filter(
        case__reference__startswith=PREFIX).count()
    assert CaseAgency.history.filter(case__reference__startswith=PREFIX).count() == CaseAgency.objects.filter(
        case__reference__startswith=PREFIX).count()


def test_the_sweep_has_work_and_the_rest_waits(generated):
    pending = Deadline.objects.filter(case__reference__startswith=PREFIX, status__in=Deadline.PENDING)
    assert pending.exists() and not pending.filter(next_notice_at__isnull=True).exists()


def test_the_demo_prosecutor_sees_national_cases_and_their_pages_load(generated):
    prosecutor = User.objects.get(username="prosecutor")
    national = Case.objects.filter(reference__startswith=PREFIX)
    assert CaseAssignment.objects.filter(user=prosecutor, case__in=national, ended_on__isnull=True).exists()
    assert access.visible(prosecutor, national).count() >= 1
    client = factories.log_in(Client(), prosecutor)
    for path in ("/", "/cases/"):
        assert client.get(path).status_code == 200, path


def test_a_second_run_changes_nothing(generated):
    before = counts()
    out = io.StringIO()
    call_command("generate_national", cases=CASES, stdout=out)
    assert "already present" in out.getvalue()
    assert counts() == before
