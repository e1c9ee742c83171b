"""Continuity when a case team changes [GP 15]: what a departing prosecutor answered for passes
to the successor, someone who moves to another agency leaves the case teams they were on, an
agency leaving a case takes its people off the team, and the sweep reminds whoever now answers
for a deadline (never a person who can no longer see it)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

import access
from accounts import services as account_services
from accounts.functions import Function
from accounts.models import User
from cases import services as case_services
from cases.models import CaseAgency, CaseAssignment, CooperationRequest, Defendant
from deadlines import sweep
from deadlines.models import Deadline, Notification
from hearings.models import Courtroom, Hearing

from . import factories

K, St = Deadline.Kind, Deadline.Status
PROSECUTOR = CaseAssignment.TeamRole.PROSECUTOR
TODAY = timezone.localdate


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture
def team(db):
    """A case the police investigate and a prosecution office prosecutes, with a prosecutor
    (Ana) on the team, a detained defendant, a cooperation request sent and a deadline Ana
    entered for herself."""
    class World:
        police = factories.agency("police")
        prosecution = factories.agency("prosecution")
        other_office = factories.agency("prosecution", name="Another prosecution office")
    w = World()
    w.investigator = factories.user(w.police, Function.INVESTIGATOR, username="ivo")
    w.ana = factories.user(w.prosecution, Function.PROSECUTOR, username="ana")
    w.bruno = factories.user(w.prosecution, Function.PROSECUTOR, username="bruno")
    w.supervisor = factories.user(w.prosecution, Function.SUPERVISOR, username="chief")
    w.case = factories.case(w.investigator, agencies=[(w.prosecution, CaseAgency.Role.PROSECUTING)])
    case_services.assign(w.case, w.ana, PROSECUTOR)
    w.defendant = case_services.save_defendant(Defendant(
        case=w.case, name="A. Detained", custody=Defendant.Custody.PRE_TRIAL_DETENTION,
        detention_started_on=TODAY() - days(10), detention_limit_on=TODAY() + days(60)))
    w.request = CooperationRequest.objects.create(
        case=w.case, kind="mla", requesting_state="PT", requested_state="ES", response_due_on=TODAY() + days(30),
        status=CooperationRequest.Status.SENT, sent_on=TODAY())
    w.entered = Deadline.objects.create(kind=K.DISCLOSURE, title="Disclose the phone records", case=w.case,
                                        due_at=timezone.now() + days(20), responsible_user=w.ana,
                                        responsible_agency=w.prosecution)
    w.met = Deadline.objects.create(kind=K.PROCEDURAL, title="Already done", case=w.case, status=St.MET,
                                    closed_at=timezone.now(), due_at=timezone.now() + days(5),
                                    responsible_user=w.ana, responsible_agency=w.prosecution)
    return w


def owners(case):
    """(kind, responsible person's username) of the case's pending deadlines."""
    rows = Deadline.objects.filter(case=case, status__in=Deadline.PENDING).select_related("responsible_user")
    return sorted((row.kind, row.responsible_user.username if row.responsible_user else None) for row in rows)


def test_the_prosecutor_answers_for_the_deadlines_from_the_start(team):
    assert owners(team.case) == [
        (K.COOPERATION_RESPONSE, "ana"), (K.DISCLOSURE, "ana"), (K.PRE_TRIAL_DETENTION, "ana"),
        (K.STAGE_STANDARD, "ivo"),  # intake: the lead investigator
    ]


def test_a_handover_passes_every_pending_deadline_to_the_successor(team):
    case_services.assign(team.case, team.bruno, PROSECUTOR, reason="Ana moves to the appeals unit")
    assert owners(team.case) == [
        (K.COOPERATION_RESPONSE, "bruno"), (K.DISCLOSURE, "bruno"), (K.PRE_TRIAL_DETENTION, "bruno"),
        (K.STAGE_STANDARD, "ivo"),
    ]
    # What was already met stays Ana's, and the history shows who held the entered deadline before.
    team.met.refresh_from_db()
    assert team.met.responsible_user == team.ana
    holders = list(Deadline.history.filter(id=team.entered.pk).order_by("history_date")
                   .values_list("responsible_user__username", flat=True))
    assert holders == ["ana", "bruno"]
    # What each of them sees under "My deadlines".
    bruno_page = factories.log_in(Client(), team.bruno).get("/calendar/deadlines/").content.decode()
    ana_page = factories.log_in(Client(), team.ana).get("/calendar/deadlines/").content.decode()
    assert "Disclose the phone records" in bruno_page and "Disclose the phone records" not in ana_page


def test_ending_an_assignment_with_nobody_to_follow_leaves_the_deadlines_with_the_office(team):
    [assignment] = team.case.assignments.filter(user=team.ana)
    case_services.end_assignment(assignment, reason="Long-term leave")
    assert owners(team.case) == [
        (K.COOPERATION_RESPONSE, None), (K.DISCLOSURE, None), (K.PRE_TRIAL_DETENTION, None), (K.STAGE_STANDARD, "ivo"),
    ]
    team.entered.refresh_from_db()
    assert team.entered.responsible_agency == team.prosecution
    # The office's people who may see the case hear of the entered deadline; Ana, off the team,
    # still sees the case as one of the prosecuting office, so she is among them.
    sweep.run(now=team.entered.due_at - days(7) + datetime.timedelta(minutes=1))
    told = set(Notification.objects.filter(deadline=team.entered).values_list("recipient__username", flat=True))
    assert told == {"ana", "bruno", "chief"}


def test_moving_to_another_agency_ends_the_assignments_and_hands_on_the_deadlines(team):
    case_services.assign(team.case, team.bruno, CaseAssignment.TeamRole.VICTIM_REPRESENTATIVE)
    account_services.change_agency(user=team.ana, agency=team.other_office)
    [ended] = CaseAssignment.objects.filter(user=team.ana)
    assert ended.ended_on == TODAY()
    assert ended.reason == f"Moved from {team.prosecution} to {team.other_office}."
    assert not team.case.team_group.user_set.filter(pk=team.ana.pk).exists()
    assert not access.can(team.ana, "view", team.case)
    assert owners(team.case) == [
        (K.COOPERATION_RESPONSE, None), (K.DISCLOSURE, None), (K.PRE_TRIAL_DETENTION, None), (K.STAGE_STANDARD, "ivo"),
    ]
    # Bruno's assignment as victim representative is untouched.
    assert CaseAssignment.objects.get(user=team.bruno).ended_on is None


def test_a_save_that_does_not_touch_the_agency_ends_nothing(team, count_queries):
    team.ana.last_login = timezone.now()
    with count_queries.capture() as queries:
        team.ana.save(update_fields=["last_login"])
    assert not any('"cases_caseassignment"' in q["sql"] for q in queries.captured_queries)
    team.ana.first_name = "Ana"
    team.ana.save()
    assert CaseAssignment.objects.get(user=team.ana).ended_on is None


def test_an_agency_leaving_the_case_takes_its_people_off_the_team(team):
    case_services.add_agency(team.case, team.prosecution, CaseAgency.Role.INSPECTING)
    case_services.remove_agency(team.case, team.prosecution, CaseAgency.Role.PROSECUTING)
    # Still taking part in another role: its prosecutor stays.
    assert CaseAssignment.objects.get(user=team.ana).ended_on is None
    case_services.remove_agency(team.case, team.prosecution, CaseAgency.Role.INSPECTING)
    ended = CaseAssignment.objects.get(user=team.ana)
    assert ended.ended_on == TODAY()
    assert ended.reason == f"{team.prosecution} no longer takes part in the case."
    assert not access.can(team.ana, "view", team.case)
    # The police's lead investigator is not touched.
    assert CaseAssignment.objects.get(user=team.investigator).ended_on is None


def test_exclusion_ends_the_assignment_and_hands_on_the_deadlines(team):
    case_services.assign(team.case, team.bruno, CaseAssignment.TeamRole.VICTIM_REPRESENTATIVE)
    case_services.exclude_from_case(team.case, team.ana, reason="Her brother is a defendant", actor=team.supervisor)
    ended = CaseAssignment.objects.get(user=team.ana)
    # The team history tells the fact, not the exclusion's reason.
    assert (ended.ended_on, ended.reason) == (TODAY(), "Excluded from the case.")
    team.entered.refresh_from_db()
    assert team.entered.responsible_user is None
    sweep.run(now=team.entered.due_at - days(7) + datetime.timedelta(minutes=1))
    told = set(Notification.objects.filter(deadline=team.entered).values_list("recipient__username", flat=True))
    assert told == {"bruno", "chief"}  # the office's people who see the case; never Ana


def test_a_responsible_person_who_cannot_see_the_deadline_passes_it_on(team):
    """The sweep never leaves a deadline unheard because its person cannot see it any more (the
    case became restricted to its team), and never tells that person."""
    team.entered.responsible_user = team.bruno
    team.entered.save()
    case_services.set_restricted(team.case, True)
    assert not access.can(team.bruno, "view", team.entered)
    sweep.run(now=team.entered.due_at - days(7) + datetime.timedelta(minutes=1))
    told = set(Notification.objects.filter(deadline=team.entered).values_list("recipient__username", flat=True))
    assert told == {"ana"}  # of the responsible office, only the case team sees a restricted case


def test_the_new_prosecutor_gets_the_hearing_reminder(team):
    court = factories.agency("court", name="Court for handovers")
    room = Courtroom.objects.create(court=court, name="Room 1", has_safe_waiting_room=True)
    starts = (timezone.localtime() + days(10)).replace(hour=10, minute=0, second=0, microsecond=0)
    case_services.add_agency(team.case, court, CaseAgency.Role.COURT)
    hearing = Hearing.objects.create(case=team.case, kind=Hearing.Kind.PRELIMINARY, starts_at=starts,
                                     duration_minutes=60, court=court, courtroom=room, prosecutor=team.ana)
    case_services.assign(team.case, team.bruno, PROSECUTOR, reason="Handover")
    sweep.run(now=starts - days(7) + datetime.timedelta(minutes=1))
    told = set(Notification.objects.filter(hearing=hearing).values_list("recipient__username", flat=True))
    assert "bruno" in told


def test_moving_someone_to_another_agency_in_the_admin_ends_their_assignments(team, client):
    admin_user = User.objects.create_superuser("handover-admin", password="Demo-pass-2026!")
    factories.log_in(client, admin_user)
    url = f"/admin/accounts/user/{team.ana.pk}/change/"
    form = client.get(url, secure=True).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(agency=team.other_office.pk, functions=list(team.ana.functions),
                date_joined_0=team.ana.date_joined.date().isoformat(), date_joined_1="00:00:00",
                **{"training_records-TOTAL_FORMS": 0, "training_records-INITIAL_FORMS": 0})
    response = client.post(url, data, secure=True)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    [ended] = CaseAssignment.objects.filter(user=team.ana)
    assert ended.ended_on == TODAY()
    assert ended.reason == f"Moved from {team.prosecution} to {team.other_office}."
    team.ana.refresh_from_db()
    assert team.ana.agency == team.other_office
    assert list(team.ana.groups.filter(agency__isnull=False)) == [team.other_office.group]
