"""Prosecutor continuity dashboard and supervisor view [SPEC 2.8]: figures on a dataset whose
answers are known, what the pages show, who is refused, and a constant number of queries."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import AccessLog
from cases import lifecycle
from cases import services as case_services
from cases.models import Case, CaseAgency, CaseAssignment, Charge, Defendant, StageTimeStandard, Verdict
from reports import services
from victims import services as victim_services
from victims.models import VictimCaseLink

from . import factories

S = Case.Stage
PROSECUTOR = CaseAssignment.TeamRole.PROSECUTOR
DASHBOARD, SUPERVISION = "/reports/dashboard/", "/reports/supervision/"


def in_stage_for(case, days):
    """Entered its stage at local noon `days` days ago: whole days, whatever the clock and DST."""
    noon = datetime.datetime.combine(timezone.localdate() - datetime.timedelta(days=days), datetime.time(12))
    Case.objects.filter(pk=case.pk).update(stage_entered_at=timezone.make_aware(noon))


def prosecuted_by(case, *people):
    """Prosecutor assignments in this order: each after the first is a handover."""
    for person in people:
        case_services.assign(case, person, PROSECUTOR, reason="Reassigned by the head of office")


def to_judgment(case, prosecutor, *then):
    """Charge, convict and move the case through the lifecycle to judgment (and `then`)."""
    defendant = case_services.save_defendant(Defendant(case=case, name="A. Defendant"))
    charge = Charge.objects.create(defendant=defendant, statute_reference="PC 160", offence="trafficking")
    Verdict.objects.create(charge=charge, outcome="convicted", decided_on=timezone.localdate())
    for stage in (S.INVESTIGATION, S.CHARGING, S.PRE_TRIAL, S.TRIAL, S.JUDGMENT, *then):
        case = lifecycle.move(case, stage, actor=prosecutor)
    return case


def link_victim(case, actor, age_group="in_doubt"):
    victim = factories.victim(actor, age_group=age_group)
    victim_services.link_to_case(victim, case, VictimCaseLink.Role.VICTIM_WITNESS)


@pytest.fixture
def world(db):
    """Cases A-G belong to `office`, H to another office. Known answers (today):

    case  stage         days  standard            prosecutors   supervisor sees
    A     investigation 150   120 (jurisdiction)  p1            yes, 30 over
    B     intake         20    14 (child)         p2 -> p1      yes, 6 over
    C     intake         10    14 (child prio.)   p2            yes
    D     intake         40    30                 p1            no: restricted (public official)
    E     closed          5     -                 p1, judged    yes, continuous
    F     judgment       45    60                 p2 -> p1      yes, judged, not continuous
    G     judgment       90    60                 p2, judged    no: supervisor excluded
    H     intake        100    30                 outsider      no: another office
    """
    police = factories.agency("police")
    office, elsewhere = factories.agency("prosecution"), factories.agency("prosecution")
    people = {
        "investigator": factories.user(police, "investigator"),
        "p1": factories.user(office, "prosecutor"),
        "p2": factories.user(office, "prosecutor"),
        "supervisor": factories.user(office, "supervisor"),
        "outsider": factories.user(elsewhere, "prosecutor"),
    }
    p1, p2, investigator = people["p1"], people["p2"], people["investigator"]
    StageTimeStandard.objects.create(jurisdiction=factories.jurisdiction(), stage=S.INVESTIGATION, days=120,
                                     child_days=60)

    def new(**fields):
        return factories.case(investigator, agencies=[(office, CaseAgency.Role.PROSECUTING)], **fields)

    cases = {key: new() for key in "ABDEFG"}
    cases["C"] = new(priority=Case.Priority.CHILD)
    cases["H"] = factories.case(investigator, agencies=[(elsewhere, CaseAgency.Role.PROSECUTING)])
    Case.objects.filter(pk=cases["A"].pk).update(is_transnational=True)

    prosecuted_by(cases["A"], p1)
    lifecycle.move(cases["A"], S.INVESTIGATION, actor=p1)
    link_victim(cases["A"], investigator, age_group="adult")
    prosecuted_by(cases["B"], p2, p1)
    link_victim(cases["B"], investigator)  # age in doubt: treated as a child
    prosecuted_by(cases["C"], p2)
    prosecuted_by(cases["D"], p1)
    case_services.save_defendant(Defendant(case=cases["D"], name="An official", is_public_official=True))
    prosecuted_by(cases["E"], p1)
    to_judgment(cases["E"], p1, S.CLOSED)
    prosecuted_by(cases["F"], p2, p1)
    to_judgment(cases["F"], p1)
    prosecuted_by(cases["G"], p2)
    to_judgment(cases["G"], p2)
    case_services.exclude_from_case(cases["G"], people["supervisor"], reason="Related to a suspect", actor=p2)
    prosecuted_by(cases["H"], people["outsider"])
    for key, days in dict(A=150, B=20, C=10, D=40, E=5, F=45, G=90, H=100).items():
        in_stage_for(cases[key], days)
    refs = {key: case.reference for key, case in cases.items()}
    return people, refs


def get(user, url):
    client = Client()
    factories.log_in(client, user)
    return client.get(url)


def rows(response):
    """{row key: [cell texts]} in page order, for rows marked data-case or data-user."""
    assert response.status_code == 200
    found = {}
    for key, body in re.findall(r'<tr data-(?:case|user)="([^"]+)">(.*?)</tr>', response.content.decode(), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        found[key] = [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]
    return found


def test_my_cases_figures(world):
    people, refs = world
    cases = services.my_cases(people["p1"])
    figures = {case.reference: (case.stage, case.days_in_stage, case.standard_days, case.days_over, case.handovers,
                                case.is_child, case.has_official, case.is_transnational) for case in cases}
    assert figures == {
        refs["A"]: (S.INVESTIGATION, 150, 120, 30, 0, False, False, True),
        refs["B"]: (S.INTAKE, 20, 14, 6, 1, True, False, False),
        refs["D"]: (S.INTAKE, 40, 30, 10, 0, False, True, False),
        refs["F"]: (S.JUDGMENT, 45, 60, None, 1, False, False, False),
        refs["E"]: (S.CLOSED, 5, None, None, 0, False, False, False),
    }
    # Open cases first, child cases first among them, then the longest in their stage.
    assert [case.reference for case in cases] == [refs[k] for k in "BAFDE"]
    other = {case.reference: (case.days_in_stage, case.standard_days, case.days_over, case.is_child)
             for case in services.my_cases(people["p2"])}
    assert other == {refs["C"]: (10, 14, None, True), refs["G"]: (90, 60, 30, False)}


def test_my_cases_page(world):
    people, refs = world
    response = get(people["p1"], DASHBOARD)
    page = rows(response)
    assert list(page) == [refs[k] for k in "BAFDE"]
    dash = "—"
    # Next hearing, open deadlines (each open case: its stage's time standard), adjournments,
    # victims' special measures: no hearings in this world (see test_case_calendar_panels.py).
    calendar = [dash, "1", "0", dash]
    assert page[refs["A"]][1:] == ["Investigation", "150 (30 days over)", "120", "0", "transnational", *calendar]
    assert page[refs["B"]][1:] == ["Intake", "20 (6 days over)", "14", "1", "child victim", *calendar]
    assert page[refs["D"]][1:] == ["Intake", "40 (10 days over)", "30", "0", "public official restricted", *calendar]
    assert page[refs["F"]][1:] == ["Judgment / sentencing", "45", "60", "1", "", *calendar]
    assert page[refs["E"]][1:] == ["Closed", "5", dash, "0", "", dash, "0", "0", dash]
    html = response.content.decode()
    assert "calendar not yet connected" not in html
    assert '<strong class="error" title="Over the time standard for this stage">150</strong>' in html
    assert "<mark>transnational</mark>" in html
    assert "Only you see this list" in html
    # The restricted case shown in the list is in the access log, as a view of it would be.
    assert AccessLog.objects.filter(user=people["p1"], object_label=refs["D"], requested="list").exists()
    assert list(rows(get(people["p2"], DASHBOARD))) == [refs["C"], refs["G"]]


def test_supervisor_figures(world):
    people, refs = world
    supervisor = people["supervisor"]
    continuity = services.continuity(supervisor)
    # E (one prosecutor) and F (two) reached judgment; G did too but the supervisor is excluded.
    assert (continuity.continuous, continuity.judged, continuity.rate) == (1, 2, 50.0)
    # p1: A, B, F (D is restricted, E closed); p2: C (G excluded from the supervisor's sight).
    assert {person.username: person.open_cases for person in services.caseload(supervisor)} == {
        people["p1"].username: 3, people["p2"].username: 1,
    }
    late, count = services.over_standard(supervisor)
    assert [(case.reference, case.days_over) for case in late] == [(refs["A"], 30), (refs["B"], 6)]
    assert count == 2
    assert [a.user for a in late[1].current_prosecutors] == [people["p1"]]


def test_the_supervisor_sees_the_most_overdue_cases_and_how_many_there_are(world, settings):
    """Found and ordered in SQL (an office holds thousands of open cases), only the first shown."""
    people, refs = world
    settings.SUPERVISOR_LATE_ROWS = 1
    late, count = services.over_standard(people["supervisor"])
    assert [case.reference for case in late] == [refs["A"]] and count == 2
    html = get(people["supervisor"], SUPERVISION).content.decode()
    assert "The 1 most overdue of 2 cases." in html and refs["B"] not in html


def test_supervisor_page(world):
    people, refs = world
    response = get(people["supervisor"], SUPERVISION)
    html = response.content.decode()
    facts = " ".join(re.sub(r"<[^>]+>", " ", re.search(r'<dl class="facts" id="continuity">(.*?)</dl>', html,
                                                        re.S)[1]).split())
    assert facts == "Reached judgment 2 With one prosecutor 1 Continuity rate 50 %"
    page = rows(response)
    p1, p2 = people["p1"].username, people["p2"].username
    assert page[p1] == [p1, "3"] and page[p2] == [p2, "1"]
    assert [key for key in page if key.startswith("TEST-")] == [refs["A"], refs["B"]]
    assert page[refs["A"]][1:] == ["Investigation", "150 (30 days over)", "120", p1, "0", "transnational"]
    assert page[refs["B"]][1:] == ["Intake", "20 (6 days over)", "14", p1, "1", "child victim"]
    for hidden in "DGH":
        assert refs[hidden] not in html
    assert "restricted cases and cases they are excluded from are left out" in html


def test_continuity_counts_people_not_assignments(world):
    """Back to the same prosecutor after leave: a handover on the dashboard, still one prosecutor."""
    people, refs = world
    case = Case.objects.get(reference=refs["E"])
    case_services.end_assignment(case.assignments.get(team_role=PROSECUTOR), reason="On leave")
    case_services.assign(case, people["p1"], PROSECUTOR)
    continuity = services.continuity(people["supervisor"])
    assert (continuity.continuous, continuity.judged) == (1, 2)
    by_ref = {c.reference: c.handovers for c in services.my_cases(people["p1"])}
    assert by_ref[refs["E"]] == 1


def test_no_case_judged_gives_no_rate(db):
    office = factories.agency("prosecution")
    supervisor = factories.user(office, "supervisor")
    assert services.continuity(supervisor).rate is None
    response = get(supervisor, SUPERVISION)
    assert 'title="No case has reached judgment yet"' in response.content.decode()


def test_investigators_and_prosecutors_are_refused_what_is_not_theirs(world):
    people, _refs = world
    for url in (DASHBOARD, SUPERVISION):
        assert get(people["investigator"], url).status_code == 403
        assert Client().get(url).status_code == 302  # anonymous: to the login page
    assert get(people["p1"], SUPERVISION).status_code == 403
    assert get(people["supervisor"], DASHBOARD).status_code == 403


def test_the_dashboard_shows_a_page_of_cases_in_order_and_counts_them_all(world, settings, count_queries):
    people, refs = world
    everything = list(rows(get(people["p1"], DASHBOARD)))
    settings.DASHBOARD_ROWS = 2
    first, second = get(people["p1"], DASHBOARD), get(people["p1"], DASHBOARD + "?page=2")
    assert list(rows(first)) == everything[:2] and list(rows(second)) == everything[2:4]
    assert f"You are the prosecutor on {len(everything)} cases." in second.content.decode()
    assert "page=1" in second.content.decode() and "Page 2 of" in second.content.decode()
    # The same queries on every page, but for the access-log entry of a restricted case shown.
    logged = AccessLog.objects.filter(user=people["p1"], requested="list")
    before = logged.count()
    first_queries = count_queries(client_of(people["p1"]), DASHBOARD)[0]
    first_logs = logged.count() - before
    second_queries = count_queries(client_of(people["p1"]), DASHBOARD + "?page=2")[0]
    second_logs = logged.count() - before - first_logs
    assert first_queries - bool(first_logs) == second_queries - bool(second_logs)


def test_prosecutor_does_not_see_another_offices_cases(world):
    people, refs = world
    assert list(rows(get(people["outsider"], DASHBOARD))) == [refs["H"]]
    html = get(people["p1"], DASHBOARD).content.decode()
    assert refs["H"] not in html and refs["C"] not in html  # C is p2's


def test_an_excluded_prosecutor_loses_the_case_from_the_dashboard(world):
    people, refs = world
    case = Case.objects.get(reference=refs["A"])
    case_services.exclude_from_case(case, people["p1"], reason="Conflict of interest", actor=people["supervisor"])
    assert refs["A"] not in [c.reference for c in services.my_cases(people["p1"])]


def test_supervisor_exclusion_changes_the_figures(world):
    people, refs = world
    supervisor = people["supervisor"]
    case = Case.objects.get(reference=refs["F"])
    case_services.exclude_from_case(case, supervisor, reason="Family connection", actor=people["p1"])
    continuity = services.continuity(supervisor)
    assert (continuity.continuous, continuity.judged, continuity.rate) == (1, 1, 100.0)
    caseload = {person.username: person.open_cases for person in services.caseload(supervisor)}
    assert caseload[people["p1"].username] == 2


def build(rows_wanted, office, investigator, first, second):
    for number in range(rows_wanted):
        case = factories.case(investigator, agencies=[(office, CaseAgency.Role.PROSECUTING)],
                              is_transnational=number % 3 == 0)
        prosecuted_by(case, second, first)
        if number % 2:
            link_victim(case, investigator)
        in_stage_for(case, 40)


def client_of(user):
    client = Client()
    factories.log_in(client, user)
    return client


def test_query_count_does_not_grow_with_cases(db, count_queries):
    police, office = factories.agency("police"), factories.agency("prosecution")
    investigator = factories.user(police, "investigator")
    first, second = factories.user(office, "prosecutor"), factories.user(office, "prosecutor")
    supervisor = factories.user(office, "supervisor")
    build(3, office, investigator, first, second)
    small = {url: count_queries(client_of(user), url)[0] for user, url in ((first, DASHBOARD), (supervisor, SUPERVISION))}
    build(27, office, investigator, first, second)
    for user, url in ((first, DASHBOARD), (supervisor, SUPERVISION)):
        assert count_queries(client_of(user), url)[0] == small[url], url
    assert len(services.my_cases(first)) == 30
    assert len(services.over_standard(supervisor)[0]) == services.over_standard(supervisor)[1] == 30
