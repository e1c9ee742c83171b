"""The calendar page [SPEC 2.5]: month, week and day views per court, prosecutor, NGO and per
user. Rows come from the access policy and a scope only narrows them; an NGO sees the hearings
of the victims it supports, not others'."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

import access
from accounts.models import AccessLog, Agency
from deadlines.models import Deadline
from hearings.feeds import period
from hearings.models import Hearing
from hearings.views.calendar import calendar_url

from . import factories
from .conftest import DEMO_USERS, VICTIMS

C1_REF = "PT-LIS-2026-0001"


def court():
    return Agency.objects.get(name="Lisbon Criminal Court")


def ngo(name="Safe Harbour Association"):
    return Agency.objects.get(name=name)


def trial(demo):
    return Hearing.objects.get(case=demo.case("C1"), kind=Hearing.Kind.TRIAL_DAY, status=Hearing.Status.SCHEDULED)


def day_of(hearing):
    return timezone.localdate(hearing.starts_at)


def page(client, **params):
    response = client.get(reverse("calendar"), params)
    assert response.status_code == 200
    return response.content.decode()


def shown(html):
    return {int(pk) for pk in re.findall(r'data-hearing="(\d+)"', html)}


# Who has the C1 trial day on their own calendar ("mine": prosecutor, judge, case team, the
# NGO supporting its victims, the clerk of the court it is at) and who sees it on the court's calendar (whoever the policy lets
# see the case's hearings). Front-line officers, auditors, administrators and the other
# country's police and NGO see nothing of C1 anywhere.
MINE = {"investigator", "prosecutor", "judge", "caseworker", "clerk"}
AT_COURT = {"investigator", "prosecutor", "supervisor", "clerk", "judge", "caseworker", "focalpoint"}


@pytest.mark.parametrize("username", DEMO_USERS)
def test_who_sees_the_c1_trial_day(demo, login, username):
    client, hearing = login(username), trial(demo)
    date = day_of(hearing).isoformat()
    for scope, expected in (("mine", username in MINE), (f"court:{court().pk}", username in AT_COURT)):
        html = page(client, scope=scope, view="week", date=date)
        assert (hearing.pk in shown(html)) is expected, (username, scope)
        assert (C1_REF in html) is expected, (username, scope)
    # the month view agrees with the week view
    html = page(client, scope=f"court:{court().pk}", view="month", date=date)
    assert (hearing.pk in shown(html)) is (username in AT_COURT)
    # whatever the page shows, the policy lets the user see
    assert (username in AT_COURT) is access.visible(demo.user(username), Hearing).filter(pk=hearing.pk).exists()


def all_scopes(demo):
    return ["mine", f"court:{court().pk}", f"ngo:{ngo().pk}", f"ngo:{ngo('Casa Acolhida').pk}",
            f"prosecutor:{demo.user('prosecutor').pk}"]


@pytest.fixture
def restricted_hearing(demo):
    """A hearing in the restricted case C2 (team: the prosecutor only) at the same court."""
    return Hearing.objects.create(case=demo.case("C2"), kind=Hearing.Kind.PRELIMINARY, court=court(),
                                  starts_at=trial(demo).starts_at + datetime.timedelta(hours=5),
                                  duration_minutes=60, prosecutor=demo.user("prosecutor"))


@pytest.mark.parametrize("username", DEMO_USERS)
def test_scopes_never_widen_visibility(demo, login, username, restricted_hearing):
    client, user = login(username), demo.user(username)
    visible = set(access.visible(user, Hearing).values_list("pk", flat=True))
    date = day_of(trial(demo)).isoformat()
    for scope in all_scopes(demo):
        html = page(client, scope=scope, view="week", date=date)
        assert shown(html) <= visible, (username, scope, shown(html) - visible)
    # the restricted case's hearing: only its team sees it, whatever the scope
    sees = {shown_pk for scope in all_scopes(demo)
            for shown_pk in shown(page(client, scope=scope, view="week", date=date))}
    assert (restricted_hearing.pk in sees) is (username == "prosecutor"), username


def test_each_scope_narrows_to_its_own(demo, login, restricted_hearing):
    hearing, date = trial(demo), day_of(trial(demo)).isoformat()
    clerk = login("clerk")
    assert shown(page(clerk, scope=f"court:{court().pk}", view="week", date=date)) == {hearing.pk}
    assert shown(page(clerk, scope=f"ngo:{ngo().pk}", view="week", date=date)) == {hearing.pk}
    assert shown(page(clerk, scope=f"ngo:{ngo('Casa Acolhida').pk}", view="week", date=date)) == set()
    other_court = Agency.objects.create(name="Porto Criminal Court", kind="court", country="PT")
    assert shown(page(clerk, scope=f"court:{other_court.pk}", view="week", date=date)) == set()

    prosecutor = login("prosecutor")
    both = {hearing.pk, restricted_hearing.pk}
    assert shown(page(prosecutor, scope="mine", view="week", date=date)) == both
    assert shown(page(prosecutor, scope=f"prosecutor:{demo.user('prosecutor').pk}", view="week", date=date)) == both
    colleague = factories.user(demo.user("prosecutor").agency, "prosecutor")
    assert shown(page(prosecutor, scope=f"prosecutor:{colleague.pk}", view="week", date=date)) == set()
    # C2's victim has no NGO: the NGO scope leaves it out
    assert shown(page(prosecutor, scope=f"ngo:{ngo().pk}", view="week", date=date)) == {hearing.pk}

    # The NGO sees the hearings of its victims, not others': C4's NGO, even asked for Safe Harbour's, nothing.
    assert shown(page(login("caseworker.br"), scope=f"ngo:{ngo().pk}", view="week", date=date)) == set()
    assert shown(page(login("caseworker"), scope=f"ngo:{ngo('Casa Acolhida').pk}", view="week", date=date)) == set()


def test_an_ngo_whose_support_ended_loses_the_hearings_from_its_scope(demo, login):
    from victims.models import VictimSupport

    hearing, date = trial(demo), day_of(trial(demo)).isoformat()
    VictimSupport.objects.filter(agency=ngo(), victim__in=[demo.victim("V1"), demo.victim("V2")]).update(
        ended_on=timezone.localdate())
    html = page(login("supervisor"), scope=f"ngo:{ngo().pk}", view="week", date=date)
    assert hearing.pk not in shown(html)


def test_scope_switcher_offers_prosecutors_only_to_the_prosecution(demo, login):
    prosecutor_scope = f"prosecutor:{demo.user('prosecutor').pk}"
    for username, offered in (("prosecutor", True), ("supervisor", True), ("clerk", False), ("caseworker", False)):
        html = page(login(username))
        assert f'value="court:{court().pk}"' in html and f'value="ngo:{ngo().pk}"' in html
        assert (f'value="{prosecutor_scope}"' in html) is offered, username
    # asked for anyway: refused with a message, and the user's own calendar is shown (a
    # clerk's own is their court's list)
    html = page(login("clerk"), scope=prosecutor_scope, view="week", date=day_of(trial(demo)).isoformat())
    assert 'role="alert"' in html and "My calendar" in html and shown(html) == {trial(demo).pk}
    html = page(login("caseworker.br"), scope=prosecutor_scope, view="week", date=day_of(trial(demo)).isoformat())
    assert 'role="alert"' in html and "My calendar" in html and shown(html) == set()


def test_bad_choices_fall_back_with_a_message(demo, login):
    client = login("prosecutor")
    for params in ({"scope": "court:999999"}, {"scope": "court:abc"}, {"scope": "everything"}, {"view": "year"},
                   {"date": "2026-02-30"}, {"date": "yesterday"}, {"date": "9999-12-31"}):
        html = page(client, **params)
        assert 'role="alert"' in html, params
        assert "My calendar" in html
    html = page(client)
    assert 'role="alert"' not in html
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    assert f'data-date="{monday.isoformat()}"' in html  # the default: this week, my calendar
    assert html.count('<li class="cal-day') == 7


def test_periods():
    wednesday = datetime.date(2027, 1, 27)
    week = period("week", wednesday)
    assert (week.first, week.last, week.previous, week.next) == (
        datetime.date(2027, 1, 25), datetime.date(2027, 1, 31), datetime.date(2027, 1, 20), datetime.date(2027, 2, 3))
    month = period("month", datetime.date(2027, 1, 31))
    assert (month.first, month.last) == (datetime.date(2027, 1, 1), datetime.date(2027, 1, 31))
    assert (month.grid_first, month.grid_last) == (datetime.date(2026, 12, 28), datetime.date(2027, 1, 31))
    assert (month.previous, month.next) == (datetime.date(2026, 12, 31), datetime.date(2027, 2, 28))
    assert len(month.days) % 7 == 0 and month.days[0].weekday() == 0
    day = period("day", datetime.date(2028, 3, 1))
    assert (day.days, day.previous, day.next) == ([datetime.date(2028, 3, 1)], datetime.date(2028, 2, 29),
                                                  datetime.date(2028, 3, 2))
    start, end = day.bounds()
    assert end - start == datetime.timedelta(days=1) and timezone.is_aware(start)


@pytest.mark.parametrize("view,previous,following", [
    ("day", datetime.date(2027, 1, 30), datetime.date(2027, 2, 1)),
    ("week", datetime.date(2027, 1, 24), datetime.date(2027, 2, 7)),
    ("month", datetime.date(2026, 12, 31), datetime.date(2027, 2, 28)),
])
def test_views_render_and_navigate(demo, login, view, previous, following):
    client = login("prosecutor")
    scope = f"court:{court().pk}"
    html = page(client, scope=scope, view=view, date="2027-01-31")
    assert escape(calendar_url(scope, view, previous)) in html
    assert escape(calendar_url(scope, view, following)) in html
    assert escape(calendar_url(scope, view, timezone.localdate())) in html  # today
    for other in ("day", "week", "month"):
        assert escape(calendar_url(scope, other, datetime.date(2027, 1, 31))) in html
    days = html.count('<li class="cal-day')
    assert days == {"day": 1, "week": 7, "month": 35}[view]
    assert "Court: Lisbon Criminal Court" in html  # the scope's name
    # following the links reaches the neighbouring period
    assert client.get(calendar_url(scope, view, following)).status_code == 200


def test_an_event_shows_time_kind_reference_place_status_and_links_to_the_hearing(demo, login):
    hearing = trial(demo)
    html = page(login("judge"), view="day", date=day_of(hearing).isoformat())
    start = html.index(f'data-hearing="{hearing.pk}"')
    event = html[start:html.index("</li>", start)]
    assert f'href="{reverse("hearing-detail", args=[hearing.pk])}"' in event
    assert "09:30–13:30" in event and "Trial day" in event and C1_REF in event
    assert "Lisbon Criminal Court, Room 1" in event and "Scheduled" in event
    assert "<s>" not in event


def event_html(client, hearing):
    html = page(client, view="day", date=day_of(hearing).isoformat())
    start = html.index(f'data-hearing="{hearing.pk}"')
    return html[start:html.index("</li>", start)]


def test_adjourned_and_cancelled_hearings_are_struck_through(demo, login):
    client = login("prosecutor")
    first = Hearing.objects.get(case=demo.case("C1"), status=Hearing.Status.ADJOURNED)
    event = event_html(client, first)
    assert f'<s><span class="cal-kind">Preliminary hearing</span> <strong>{C1_REF}</strong></s>' in event
    assert "Adjourned" in event
    hearing = trial(demo)
    Hearing.objects.filter(pk=hearing.pk).update(status=Hearing.Status.CANCELLED, status_reason="Case withdrawn")
    event = event_html(client, hearing)
    assert f'<s><span class="cal-kind">Trial day</span> <strong>{C1_REF}</strong></s>' in event
    assert "Cancelled" in event and "Case withdrawn" not in event


def test_deadlines_appear_on_their_due_day(demo, login):
    disclosure = Deadline.objects.get(kind=Deadline.Kind.DISCLOSURE, case=demo.case("C1"))
    html = page(login("prosecutor"), view="week", date=timezone.localdate(disclosure.due_at).isoformat())
    day = html[html.index(f'data-date="{timezone.localdate(disclosure.due_at).isoformat()}"'):]
    start = day.index(f'data-deadline="{disclosure.pk}"')  # in that day's cell
    item = day[start:day.index("</li>", start)]
    assert f'<a href="{demo.case("C1").get_absolute_url()}">Disclose the wage records to the defence</a>' in item
    assert "17:00" in item and "Deadline" in item
    # not the prosecutor's, so not on their calendar: the NGO's victim deadline; on the NGO's, without a link
    victim_deadline = Deadline.objects.create(
        kind=Deadline.Kind.PROCEDURAL, title=f"Accompany {VICTIMS['V1']} to the prosecutor", victim=demo.victim("V1"),
        due_at=disclosure.due_at, responsible_agency=ngo())
    html = page(login("caseworker"), view="day", date=timezone.localdate(disclosure.due_at).isoformat())
    start = html.index(f'data-deadline="{victim_deadline.pk}"')
    item = html[start:html.index("</li>", start)]
    assert victim_deadline.title in item and "<a " not in item
    assert f'data-deadline="{disclosure.pk}"' not in html
    assert f'data-deadline="{victim_deadline.pk}"' not in page(
        login("prosecutor"), view="day", date=timezone.localdate(disclosure.due_at).isoformat())
    # a met deadline leaves the calendar
    Deadline.objects.filter(pk=disclosure.pk).update(status=Deadline.Status.MET)
    html = page(login("prosecutor"), view="week", date=timezone.localdate(disclosure.due_at).isoformat())
    assert f'data-deadline="{disclosure.pk}"' not in html


IDENTITY = ["João", "Silva", "Maria", "Santos", "Rua das Flores", "1200-999", "joao.silva@example.net", "Shelter",
            "António Ramos",
            "video.justice.example.pt", "Spanish"]


@pytest.mark.parametrize("username", ["prosecutor", "judge", "clerk", "caseworker", "investigator"])
def test_the_calendar_never_names_victims(demo, login, username):
    client = login(username)
    for view in ("day", "week", "month"):
        html = page(client, scope=f"court:{court().pk}", view=view, date=day_of(trial(demo)).isoformat())
        for word in IDENTITY:
            assert word not in html, (username, view, word)


def test_restricted_cases_shown_are_logged(demo, login, restricted_hearing):
    before = AccessLog.objects.filter(object_label="PT-LIS-2026-0002").count()
    page(login("prosecutor"), view="week", date=day_of(restricted_hearing).isoformat())
    assert AccessLog.objects.filter(object_label="PT-LIS-2026-0002", requested="list").count() == before + 1


def test_anonymous_users_are_sent_to_log_in(db):
    response = Client().get(reverse("calendar"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("username,scope", [("prosecutor", "mine"), ("caseworker", "mine"), ("clerk", "court"),
                                            ("supervisor", "ngo")])
def test_queries_do_not_grow_with_events(demo, login, count_queries, username, scope):
    client, case, user = login(username), demo.case("C1"), demo.user(username)
    scope = {"mine": "mine", "court": f"court:{court().pk}", "ngo": f"ngo:{ngo().pk}"}[scope]
    date = day_of(trial(demo)) + datetime.timedelta(days=400)  # an empty month
    month = period("month", date)
    params = dict(scope=scope, view="month", date=date.isoformat())
    few, _response = count_queries(client, reverse("calendar"), params)
    base = timezone.make_aware(datetime.datetime.combine(month.first, datetime.time(9)))
    prosecutor = demo.user("prosecutor")
    Hearing.objects.create(case=case, kind=Hearing.Kind.TRIAL_DAY, court=court(), prosecutor=prosecutor,
                           starts_at=base, duration_minutes=60)
    one, response = count_queries(client, reverse("calendar"), params)
    assert len(shown(response.content.decode())) == 1
    for n in range(1, 25):
        Hearing.objects.create(case=case, kind=Hearing.Kind.TRIAL_DAY, court=court(), prosecutor=prosecutor,
                               starts_at=base + datetime.timedelta(days=n % 27, hours=n % 5), duration_minutes=60)
        Deadline.objects.create(kind=Deadline.Kind.PROCEDURAL, title=f"Step {n}", case=case, responsible_user=user,
                                due_at=base + datetime.timedelta(days=n % 27, hours=2))
    many, response = count_queries(client, reverse("calendar"), params)
    html = response.content.decode()
    assert len(shown(html)) == 25
    if scope == "mine":
        assert html.count("data-deadline=") == 24
    assert few == one == many, (few, one, many)
    assert many <= 14, many
