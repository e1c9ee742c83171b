"""The iCalendar feed [SPEC 2.5]: a secret, revocable token URL per user, parsed here with the
icalendar library. It carries the case reference, the court and the status of the user's own
hearings and their pending deadlines, never a victim's identity, a witness, the video link or
notes. Victim codes (pseudonymous) may appear only in the titles of deadlines about a victim,
never in a hearing's event."""

import datetime
import logging
import re

import icalendar
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, Agency
from deadlines.models import Deadline
from hearings.models import CalendarFeedToken, Hearing

from .conftest import VICTIMS

C1_REF = "PT-LIS-2026-0001"
# What the demo knows of the people around case C1 and must never leave in a feed.
IDENTITY = ["João", "Silva", "Maria", "Santos", "Ana Santos", "+351 900 000 001", "joao.silva@example.net",
            "Rua das Flores", "1200-999", "Shelter A",
            "Shelter B", "1994", "Elena", "Popescu", "Nikolai", "Rosa", "Quispe", "Ram Thapa"]
# Not victims, but not for a shared calendar either: defendants, the video link, witnesses' needs.
NEVER = ["António Ramos", "Ramos", "Quinta Verde", "video.justice.example.pt", "Spanish", "interpreter",
         "psychologist", "Defence counsel newly appointed"]


def trial(demo):
    return Hearing.objects.get(case=demo.case("C1"), kind=Hearing.Kind.TRIAL_DAY, status=Hearing.Status.SCHEDULED)


def adjourned(demo):
    return Hearing.objects.get(case=demo.case("C1"), status=Hearing.Status.ADJOURNED)


def fetch(token):
    """The feed as a calendar program asks for it: no session, only the token."""
    return Client().get(f"/calendar/feed/{token}.ics")


def feed_of(user):
    _row, token = CalendarFeedToken.issue(user)
    response = fetch(token)
    assert response.status_code == 200
    return response, icalendar.Calendar.from_ical(response.content)


def events(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(hearing):
    return f"hearing-{hearing.pk}@127.0.0.1"


def test_prosecutor_feed_has_the_trial_day(demo):
    response, calendar = feed_of(demo.user("prosecutor"))
    assert response["Content-Type"].startswith("text/calendar")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert calendar["VERSION"] == "2.0"
    hearing = trial(demo)
    event = events(calendar)[uid(hearing)]
    start = event.decoded("DTSTART")
    expected = timezone.make_aware(datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=7),
                                                            datetime.time(9, 30)))
    assert start == expected and start.utcoffset() == datetime.timedelta(0)
    utc = expected.astimezone(datetime.timezone.utc)
    assert f"DTSTART:{utc:%Y%m%dT%H%M%S}Z" in event.to_ical().decode()  # written in UTC
    assert event.decoded("DTEND") == expected + datetime.timedelta(minutes=240)
    assert str(event["SUMMARY"]) == f"Trial day – {C1_REF}"
    assert str(event["LOCATION"]) == "Lisbon Criminal Court, Room 1"
    assert str(event["STATUS"]) == "CONFIRMED"
    page = settings.SITE_URL + reverse("hearing-detail", args=[hearing.pk])
    assert str(event["URL"]) == page
    description = str(event["DESCRIPTION"])
    for part in (C1_REF, "Lisbon Criminal Court, Room 1", "Scheduled", page):
        assert part in description


def test_adjourned_hearing_is_cancelled_in_the_feed(demo):
    _response, calendar = feed_of(demo.user("prosecutor"))
    event = events(calendar)[uid(adjourned(demo))]
    assert str(event["STATUS"]) == "CANCELLED"
    assert "Adjourned" in str(event["DESCRIPTION"])


def test_uid_is_stable_and_moves_follow_the_hearing(demo):
    user = demo.user("prosecutor")
    hearing = trial(demo)
    _response, before = feed_of(user)
    Hearing.objects.filter(pk=hearing.pk).update(starts_at=hearing.starts_at + datetime.timedelta(hours=1),
                                                 ends_at=hearing.ends_at + datetime.timedelta(hours=1))
    _response, after = feed_of(user)
    assert set(events(before)) == set(events(after))
    assert events(after)[uid(hearing)].decoded("DTSTART") == hearing.starts_at + datetime.timedelta(hours=1)


def test_feed_has_my_pending_deadlines(demo):
    _response, calendar = feed_of(demo.user("prosecutor"))
    found = events(calendar)
    disclosure = Deadline.objects.get(kind=Deadline.Kind.DISCLOSURE, case=demo.case("C1"))
    event = found[f"deadline-{disclosure.pk}@127.0.0.1"]
    assert str(event["SUMMARY"]) == "Deadline: Disclose the wage records to the defence"
    assert event.decoded("DTSTART") == disclosure.due_at  # a moment, given in UTC
    assert str(event["URL"]) == settings.SITE_URL + demo.case("C1").get_absolute_url()
    # a date-only deadline is an all-day event
    review = Deadline.objects.get(kind=Deadline.Kind.ORDER_REVIEW)
    review_day = timezone.localdate() + datetime.timedelta(days=14)
    assert found[f"deadline-{review.pk}@127.0.0.1"].decoded("DTSTART") == review_day
    # met deadlines and other people's are not in it
    met = Deadline.objects.filter(status=Deadline.Status.MET).values_list("pk", flat=True)
    assert not {f"deadline-{pk}@127.0.0.1" for pk in met} & set(found)
    not_mine = Deadline.objects.filter(responsible_user__isnull=True,
                                       responsible_agency__name="Safe Harbour Association")
    assert not_mine.exists()
    assert not {f"deadline-{d.pk}@127.0.0.1" for d in not_mine} & set(found)


def _unfolded(content):
    return content.decode().replace("\r\n ", "")


@pytest.mark.parametrize("username", ["prosecutor", "judge", "investigator", "caseworker", "clerk", "supervisor"])
def test_feed_never_names_victims_witnesses_or_the_video_link(demo, username):
    Hearing.objects.filter(pk=trial(demo).pk).update(notes="Private note: Xyzzy-Note")
    response, calendar = feed_of(demo.user(username))
    text = _unfolded(response.content)
    for word in IDENTITY + NEVER + ["Xyzzy-Note"]:
        assert word not in text, (username, word)
    codes = list(VICTIMS.values())
    for event in calendar.walk("VEVENT"):
        rendered = _unfolded(event.to_ical())
        if str(event["UID"]).startswith("hearing-"):
            assert not any(code in rendered for code in codes), (username, rendered)
        else:  # a deadline's title may name a victim by code; nothing else in it does
            without_summary = rendered.replace(f"SUMMARY:{event['SUMMARY']}", "")
            assert not any(code in without_summary for code in codes), (username, rendered)


def test_caseworker_feed_names_victims_only_by_code_in_deadline_titles(demo):
    _response, calendar = feed_of(demo.user("caseworker"))
    found = events(calendar)
    permit = Deadline.objects.get(kind=Deadline.Kind.PERMIT_EXPIRY, victim=demo.victim("V2"))
    event = found[f"deadline-{permit.pk}@127.0.0.1"]
    assert str(event["SUMMARY"]) == f"Deadline: Residence permit of {VICTIMS['V2']} expires: renew it"
    assert "URL" not in event  # about a victim, not a case: no page to link


def test_ngo_feed_has_the_hearings_of_its_victims_only(demo):
    _response, calendar = feed_of(demo.user("caseworker"))
    assert {uid(trial(demo)), uid(adjourned(demo))} <= set(events(calendar))
    response, calendar = feed_of(demo.user("caseworker.br"))
    assert not [uid for uid in events(calendar) if uid.startswith("hearing-")]
    assert C1_REF not in _unfolded(response.content)


def test_feed_follows_the_access_policy_not_only_the_hearing_row(demo):
    """Being named on a hearing does not show it to someone the policy keeps out."""
    from cases import services as case_services

    judge = demo.user("judge")
    case_services.exclude_from_case(demo.case("C1"), judge, reason="Conflict of interest",
                                    actor=demo.user("prosecutor"))
    response, calendar = feed_of(judge)
    assert not [uid for uid in events(calendar) if uid.startswith("hearing-")]
    assert C1_REF not in _unfolded(response.content)


def test_token_is_stored_only_as_its_hash_and_records_last_use(demo):
    row, token = CalendarFeedToken.issue(demo.user("prosecutor"))
    assert row.token_hash == CalendarFeedToken.digest(token) != token and row.hint == token[-6:]
    assert row.last_used_at is None
    assert fetch(token).status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None and timezone.now() - row.last_used_at < datetime.timedelta(minutes=1)


def without_csrf(content):
    return re.sub(rb"[A-Za-z0-9]{64}", b"", content)


def test_revoked_unknown_and_replaced_tokens_get_404(demo):
    user = demo.user("prosecutor")
    old_row, old = CalendarFeedToken.issue(user)
    assert fetch(old).status_code == 200
    new_row, new = CalendarFeedToken.issue(user)  # a new token revokes the old
    old_row.refresh_from_db()
    assert old_row.revoked_at is not None and not old_row.is_live
    revoked = fetch(old)
    unknown = fetch("x" * 43)
    assert revoked.status_code == unknown.status_code == 404
    # no hint which one it was (the pages differ only in their per-response CSRF tokens)
    assert without_csrf(revoked.content) == without_csrf(unknown.content)
    assert fetch(new).status_code == 200
    CalendarFeedToken.objects.filter(pk=new_row.pk).update(revoked_at=timezone.now())
    assert fetch(new).status_code == 404
    assert fetch("not a token").status_code == 404


def test_inactive_user_or_closed_agency_gets_404(demo):
    user = demo.user("prosecutor")
    _row, token = CalendarFeedToken.issue(user)
    user.is_active = False
    user.save()
    assert fetch(token).status_code == 404
    user.is_active = True
    user.save()
    assert fetch(token).status_code == 200
    Agency.objects.filter(pk=user.agency_id).update(is_active=False)
    assert fetch(token).status_code == 404


def test_the_token_stays_out_of_the_logs(demo, caplog):
    """The access log records the path of requests that show restricted cases, and Django logs
    the path of every 404: neither may hold the token."""
    prosecutor, c2 = demo.user("prosecutor"), demo.case("C2")
    assert c2.is_restricted
    start = timezone.now() + datetime.timedelta(days=3)
    Hearing.objects.create(case=c2, kind=Hearing.Kind.PRELIMINARY, starts_at=start, duration_minutes=60,
                           court=Agency.objects.get(name="Lisbon Criminal Court"), prosecutor=prosecutor)
    row, token = CalendarFeedToken.issue(prosecutor)
    before = AccessLog.objects.count()
    with caplog.at_level(logging.DEBUG):
        response, calendar = feed_of_token(token)
        assert "PT-LIS-2026-0002" in _unfolded(response.content)
        CalendarFeedToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
        assert fetch(token).status_code == 404
    logged = list(AccessLog.objects.order_by("pk")[before:])
    assert [entry.object_label for entry in logged] == ["PT-LIS-2026-0002"]
    assert token not in logged[0].path and logged[0].path.endswith(f"…{row.hint}.ics")
    assert not [record for record in caplog.records if token in record.getMessage()]
    assert not AccessLog.objects.filter(path__contains=token).exists()


def feed_of_token(token):
    response = fetch(token)
    assert response.status_code == 200
    return response, icalendar.Calendar.from_ical(response.content)


def test_feed_queries_do_not_grow_with_events(demo, count_queries):
    user, case = demo.user("prosecutor"), demo.case("C1")
    court = Agency.objects.get(name="Lisbon Criminal Court")
    _row, token = CalendarFeedToken.issue(user)

    def count():
        fetch(token)
        with count_queries.capture() as queries:
            response = fetch(token)
        assert response.status_code == 200
        return len(queries), len(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))

    few, few_events = count()
    base = timezone.now() + datetime.timedelta(days=60)
    for n in range(15):
        Hearing.objects.create(case=case, kind=Hearing.Kind.TRIAL_DAY, court=court, prosecutor=user,
                               starts_at=base + datetime.timedelta(days=n), duration_minutes=60)
        Deadline.objects.create(kind=Deadline.Kind.PROCEDURAL, title=f"Step {n}", case=case, responsible_user=user,
                                due_at=base + datetime.timedelta(days=n, hours=3))
    many, many_events = count()
    assert many_events == few_events + 30
    assert many == few, (few, many)


# --- The settings page ------------------------------------------------------------------------

def test_settings_page_shows_the_address_once_then_only_its_hint(demo, login):
    client = login("prosecutor")
    user = demo.user("prosecutor")
    page = client.get(reverse("calendar-feed-settings"))
    assert page.status_code == 200 and "You have no live feed address." in page.content.decode()

    created = client.post(reverse("calendar-feed-settings"), {"action": "create"})
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    live = CalendarFeedToken.objects.get(user=user, revoked_at__isnull=True)
    html = created.content.decode()
    prefix = settings.SITE_URL + "/calendar/feed/"
    start = html.index(prefix)
    url = html[start:html.index("</textarea>", start)]
    assert html.count(prefix) == 1
    token = url[len(prefix):-len(".ics")]
    assert CalendarFeedToken.digest(token) == live.token_hash and url.endswith(f"{live.hint}.ics")
    assert fetch(token).status_code == 200

    again = client.get(reverse("calendar-feed-settings")).content.decode()
    assert token not in again and f"…{live.hint}.ics" in again and "Live" in again

    replaced = client.post(reverse("calendar-feed-settings"), {"action": "create"}).content.decode()
    assert token not in replaced and fetch(token).status_code == 404
    assert CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1

    revoked = client.post(reverse("calendar-feed-settings"), {"action": "revoke"}, follow=True)
    assert "revoked" in revoked.content.decode()
    assert not CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert "You have no live feed address." in revoked.content.decode()


def test_settings_page_needs_login_and_a_known_action(demo, login):
    assert Client().get(reverse("calendar-feed-settings")).status_code == 302
    assert Client().post(reverse("calendar-feed-settings"), {"action": "create"}).status_code == 302
    assert not CalendarFeedToken.objects.exists()
    bad = login("prosecutor").post(reverse("calendar-feed-settings"), {"action": "steal"})
    assert bad.status_code == 400 and not CalendarFeedToken.objects.exists()


def test_one_users_settings_never_touch_anothers_feed(demo, login):
    _row, theirs = CalendarFeedToken.issue(demo.user("judge"))
    client = login("prosecutor")
    client.post(reverse("calendar-feed-settings"), {"action": "create"})
    client.post(reverse("calendar-feed-settings"), {"action": "revoke"})
    assert fetch(theirs).status_code == 200
