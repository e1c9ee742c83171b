"""The case page's hearings, deadlines and protection orders panels show what the access
policy allows each demo user, at a constant number of queries; the prosecutor dashboard's
next hearing, open deadlines, adjournments and special measures [SPEC 2.8]."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Agency
from cases import services as case_services
from cases.models import CaseAgency, CaseAssignment
from deadlines import services as deadlines
from deadlines.models import Deadline
from hearings import services as hearing_services
from hearings.models import Hearing, HearingWitness, SpecialMeasure
from hearings.scheduling import ScheduleWarnings
from protection import services as order_services
from protection.models import ProtectionOrder
from reports import services as report_services
from victims import services as victim_services
from victims.models import VictimCaseLink

from . import factories
from .conftest import DEMO_USERS

K = Deadline.Kind
PENDING_KINDS = {K.STAGE_STANDARD, K.DISCLOSURE, K.ORDER_REVIEW, K.ORDER_EXPIRY, K.PRE_TRIAL_DETENTION}
ORDER_KINDS = {K.ORDER_REVIEW, K.ORDER_EXPIRY}
# C1's page, per demo user: (sees the page, schedules hearings, pending deadline kinds seen,
# kinds they may mark met or extend, adds deadlines, sees the no-contact order).
C1_PANELS = {
    "investigator": (True, False, PENDING_KINDS, PENDING_KINDS, True, True),
    "prosecutor": (True, True, PENDING_KINDS, PENDING_KINDS, True, True),
    "supervisor": (True, True, PENDING_KINDS, PENDING_KINDS - {K.PRE_TRIAL_DETENTION}, True, True),
    "clerk": (True, True, PENDING_KINDS, ORDER_KINDS, False, True),
    "judge": (True, True, PENDING_KINDS, ORDER_KINDS, False, True),
    # The NGO: the case's hearings (its victims testify), not the defendant's detention limit.
    "caseworker": (True, False, PENDING_KINDS - {K.PRE_TRIAL_DETENTION}, set(), False, True),
    "focalpoint": (True, False, {K.STAGE_STANDARD, K.DISCLOSURE}, set(), False, False),
}


def panel(html, section):
    match = re.search(rf'<section id="{section}".*?</section>', html, re.S)
    assert match, section
    return match[0]


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("username", DEMO_USERS)
def test_the_case_panels_show_what_the_policy_allows(demo, login, username):
    c1 = demo.case("C1")
    response = login(username).get(f"/cases/{c1.pk}/")
    if username not in C1_PANELS:
        assert response.status_code == 404
        return
    _sees, schedules, kinds, changes, adds, sees_order = C1_PANELS[username]
    assert response.status_code == 200
    html = response.content.decode()

    hearings = panel(html, "hearings")
    shown = [int(pk) for pk in re.findall(r'data-hearing="(\d+)"', hearings)]
    assert shown == list(Hearing.objects.filter(case=c1).order_by("starts_at").values_list("pk", flat=True))
    assert len(shown) == 2
    assert "Adjourned 1 time." in text(hearings)
    assert "asked by: Defence — Defence counsel newly appointed and asked for time to prepare." in text(hearings)
    trial = Hearing.objects.get(case=c1, status=Hearing.Status.SCHEDULED)
    assert f'href="/calendar/hearings/{trial.pk}/"' in hearings
    assert (f'/calendar/hearings/new/?case={c1.pk}"' in hearings) == schedules

    rows = panel(html, "deadlines")
    seen = Deadline.objects.filter(pk__in=re.findall(r'data-deadline="(\d+)"', rows))
    assert {row.kind for row in seen if row.is_pending} == kinds
    assert {row.kind for row in seen if not row.is_pending} == {K.STAGE_STANDARD}  # met in the last 30 days
    actionable = Deadline.objects.filter(pk__in=re.findall(r"/calendar/deadlines/(\d+)/met/", rows))
    assert {row.kind for row in actionable} == changes
    assert (f'/calendar/deadlines/new/?case={c1.pk}"' in rows) == adds

    orders = panel(html, "protection-orders")
    order = ProtectionOrder.objects.get(case=c1)
    assert (f'data-order="{order.pk}"' in orders) == sees_order
    if sees_order:
        assert "No-contact order" in orders and demo.victim("V2").code in orders
        assert "Maria" not in orders  # the victim by code only
    else:
        assert "No protection order you can see." in orders


def test_a_hidden_deadline_of_the_case_is_left_out_for_the_ngo(demo, login):
    """The detention limit follows the defendant: the NGO sees the case, not that deadline."""
    c1 = demo.case("C1")
    detention = Deadline.objects.get(case=c1, kind=K.PRE_TRIAL_DETENTION)
    html = login("caseworker").get(f"/cases/{c1.pk}/").content.decode()
    assert f'data-deadline="{detention.pk}"' not in html
    assert "Pre-trial detention limit" not in html
    assert f'data-deadline="{detention.pk}"' in login("investigator").get(f"/cases/{c1.pk}/").content.decode()


def schedule(case, actor, when, **fields):
    """A hearing through the service, every warning accepted."""
    court = fields.pop("court", None) or Agency.objects.get(name="Lisbon Criminal Court")
    hearing = Hearing(case=case, kind=Hearing.Kind.PRELIMINARY, court=court, starts_at=when, duration_minutes=60,
                      **fields)
    try:
        return hearing_services.schedule(hearing, actor=actor)
    except ScheduleWarnings as warnings:
        return hearing_services.schedule(hearing, actor=actor, confirmed=[p.key for p in warnings.problems])


def in_days(n, hour=10):
    day = timezone.localdate() + datetime.timedelta(days=n)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def add_calendar(case, victim, number, first_day, *, prosecutor):
    """`number` hearings (every second one adjourned), deadlines and protection orders."""
    court = Agency.objects.get(name="Lisbon Criminal Court")
    for n in range(number):
        hearing = schedule(case, prosecutor, in_days(first_day + n))
        if n % 2:
            hearing_services.adjourn(hearing, actor=prosecutor, version=hearing.version, reason="Witness ill",
                                     requested_by="prosecution")
        deadlines.add(Deadline(kind=K.PROCEDURAL, title=f"Step {n}", case=case, responsible_user=prosecutor,
                               due_at=timezone.now() + datetime.timedelta(days=n - 1)), actor=prosecutor)
        order_services.record_order(ProtectionOrder(
            victim=victim, case=case, kind=ProtectionOrder.Kind.NO_CONTACT, issuing_court=court,
            issued_on=timezone.localdate(), effective_from=timezone.localdate(),
            next_review_on=timezone.localdate() + datetime.timedelta(days=20 + n), conditions="Stay away."),
            actor=prosecutor)


def test_the_case_page_costs_the_same_for_one_or_several_hearings_deadlines_and_orders(demo, login, count_queries):
    c3 = demo.case("C3")
    people = dict(prosecutor=demo.user("prosecutor"))
    add_calendar(c3, demo.victim("V4"), 1, 40, **people)
    url = f"/cases/{c3.pk}/"
    small = {user: count_queries(login(user), url)[0] for user in ("prosecutor", "investigator")}
    add_calendar(c3, demo.victim("V4"), 5, 42, **people)
    for user, count in small.items():
        assert count_queries(login(user), url)[0] == count, user
    html = login("prosecutor").get(url).content.decode()
    assert len(re.findall(r"data-hearing=", html)) == 6
    assert len(re.findall(r"data-order=", html)) == 6
    # the entered ones, the orders' reviews and the stage standard
    assert len(re.findall(r"data-deadline=", panel(html, "deadlines"))) == 6 + 6 + 1
    assert "Adjourned 2 times." in html  # the 2nd and 4th of the five added

    # The NGO and the court on C1, before and after four more of each.
    c1 = demo.case("C1")
    url = f"/cases/{c1.pk}/"
    small = {user: count_queries(login(user), url)[0] for user in ("caseworker", "clerk", "focalpoint")}
    add_calendar(c1, demo.victim("V1"), 4, 50, **people)
    for user, count in small.items():
        assert count_queries(login(user), url)[0] == count, user
    html = login("caseworker").get(url).content.decode()
    assert len(re.findall(r"data-hearing=", html)) == 6 and len(re.findall(r"data-order=", html)) == 5


# --- The prosecutor dashboard ------------------------------------------------------------------

def dashboard_row(client, reference):
    html = client.get("/reports/dashboard/").content.decode()
    body = re.search(rf'<tr data-case="{reference}">(.*?)</tr>', html, re.S)[1]
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]


def test_the_dashboard_fills_the_calendar_columns_for_c1(demo, login):
    c1, client = demo.case("C1"), login("prosecutor")
    trial = Hearing.objects.get(case=c1, status=Hearing.Status.SCHEDULED)
    pending = Deadline.objects.filter(case=c1, status__in=Deadline.PENDING)
    overdue = pending.filter(due_at__lt=timezone.now()).count()
    cells = dashboard_row(client, c1.reference)
    next_hearing, open_deadlines, adjournments, measures = cells[-4:]
    assert next_hearing == timezone.localtime(trial.starts_at).strftime("%Y-%m-%d %H:%M")
    assert pending.count() == 5
    assert open_deadlines == (f"5 ({overdue} overdue)" if overdue else "5")
    assert adjournments == "1"
    v2 = demo.victim("V2").code
    assert measures == (f"{v2}: Service provider present at the victim's wish (not yet decided), "
                        f"Video link / CCTV (granted)")
    # The same figures from the service.
    [case] = [case for case in report_services.my_cases(demo.user("prosecutor")) if case.pk == c1.pk]
    assert (case.next_hearing, case.open_deadlines, case.overdue_deadlines, case.adjournments) == (
        trial.starts_at, 5, overdue, 1)

    # The trial is adjourned without a new date: no next hearing, two adjournments, no measures to come.
    hearing_services.adjourn(trial, actor=demo.user("judge"), version=trial.version, reason="Judge ill",
                             requested_by="court")
    assert dashboard_row(client, c1.reference)[-4:] == ["—", open_deadlines, "2", "—"]


def test_open_deadlines_count_only_those_the_prosecutor_may_see(demo, login):
    """Excluded from another case of Maria's (V2), the prosecutor no longer sees her order's
    deadlines: C1's count drops by those two, though they belong to C1."""
    c1, prosecutor, v2 = demo.case("C1"), demo.user("prosecutor"), demo.victim("V2")
    before = {case.pk: case.open_deadlines for case in report_services.my_cases(prosecutor)}[c1.pk]
    other = factories.case(demo.user("investigator"))
    victim_services.link_to_case(v2, other, VictimCaseLink.Role.COMPLAINANT)
    case_services.exclude_from_case(other, prosecutor, reason="Related to the suspect", actor=demo.user("supervisor"))
    after = {case.pk: case.open_deadlines for case in report_services.my_cases(prosecutor)}[c1.pk]
    assert (before, after) == (5, 3)
    assert dashboard_row(login("prosecutor"), c1.reference)[-3].startswith("3")


def test_the_dashboard_costs_the_same_for_one_or_many_cases_with_hearings(db, count_queries):
    police, office = factories.agency("police"), factories.agency("prosecution")
    court = factories.agency("court")
    investigator, prosecutor = factories.user(police, "investigator"), factories.user(office, "prosecutor")

    def build(number):
        for n in range(number):
            case = factories.case(investigator, agencies=[(office, CaseAgency.Role.PROSECUTING)])
            case_services.assign(case, prosecutor, CaseAssignment.TeamRole.PROSECUTOR)
            victim = factories.victim(investigator, age_group="adult")
            victim_services.link_to_case(victim, case, VictimCaseLink.Role.VICTIM_WITNESS)
            hearing = schedule(case, prosecutor, in_days(5 + n), court=court)
            witness = hearing_services.save_witness(HearingWitness(hearing=hearing, victim=victim), actor=prosecutor)
            hearing_services.save_measure(SpecialMeasure(
                witness=witness, measure=SpecialMeasure.Measure.SCREEN, requested_by="prosecution",
                requested_on=timezone.localdate()), actor=prosecutor)
            deadlines.add(Deadline(kind=K.DISCLOSURE, title="Disclose", case=case, responsible_user=prosecutor,
                                   due_at=timezone.now() + datetime.timedelta(days=3)), actor=prosecutor)

    build(1)
    client = Client()
    factories.log_in(client, prosecutor)
    small = count_queries(client, "/reports/dashboard/")[0]
    build(6)
    assert count_queries(client, "/reports/dashboard/")[0] == small
    cases = report_services.my_cases(prosecutor)
    assert len(cases) == 7
    assert all(case.open_deadlines == 2 for case in cases)  # the disclosure and the stage standard
    assert all([m.get_measure_display() for m in case.special_measures] == ["Screen"] for case in cases)
    assert all(case.next_hearing is not None and case.adjournments == 0 for case in cases)


@pytest.mark.parametrize("username,sees", [("caseworker", True), ("prosecutor", True), ("focalpoint", True),
                                           ("caseworker.br", False)])
def test_the_victim_page_shows_the_victims_deadlines_the_policy_allows(demo, login, username, sees):
    from deadlines.models import Deadline

    victim = demo.victim("V2")
    permit = Deadline.objects.get(victim=victim, kind=Deadline.Kind.PERMIT_EXPIRY)
    response = login(username).get(victim.get_absolute_url())
    if not sees:
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert f'data-deadline="{permit.pk}"' in page
    assert ("Add a deadline" in page) is (username in ("caseworker", "prosecutor"))
