"""The notification inbox: each person's own notifications, newest first with the unread ones
marked, the unread count in the navigation (one query), marking read (one's own only), the
API, and a constant number of queries."""

import datetime
import re

import pytest
from django.utils import timezone

from deadlines.models import Notification
from protection import services as order_services
from protection.models import ProtectionOrder, Violation

PAGE, API = "/calendar/notifications/", "/api/notifications/"
N = Notification.Kind


def notify(user, subject, *, minutes_ago=0, read=False, url="", kind=N.DEADLINE_REMINDER):
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Notification.objects.create(recipient=user, kind=kind, subject=subject, body=f"About {subject}.",
                                       url=url, created_at=created, read_at=created if read else None)


@pytest.fixture
def inbox(demo):
    prosecutor, caseworker = demo.user("prosecutor"), demo.user("caseworker")
    c1 = demo.case("C1")
    return {
        "old": notify(prosecutor, "Disclosure due in 3 days", minutes_ago=300, read=True, url=f"/cases/{c1.pk}/"),
        "mid": notify(prosecutor, "Detention limit in 7 days", minutes_ago=120, url=f"/cases/{c1.pk}/#deadlines"),
        "new": notify(prosecutor, "Overdue: stage time standard", minutes_ago=5, kind=N.DEADLINE_OVERDUE,
                      url="https://evil.example/phish"),
        "theirs": notify(caseworker, "Reflection period of V-DM4HN8TB ends", minutes_ago=1, url="/victims/"),
    }


def nav_label(html):
    return re.search(r'<a href="/calendar/notifications/"[^>]*>([^<]*)</a>', html)[1]


def test_the_inbox_shows_ones_own_newest_first_with_unread_marked(inbox, login):
    html = login("prosecutor").get(PAGE).content.decode()
    order = re.findall(r'<li class="(read|unread)" data-notification="(\d+)"', html)
    assert order == [("unread", str(inbox["new"].pk)), ("unread", str(inbox["mid"].pk)),
                     ("read", str(inbox["old"].pk))]
    assert "Reflection period" not in html  # someone else's
    # Links go to this site only: a stored outside address is not offered.
    assert "evil.example" not in html
    assert f'<a role="button" class="outline" href="{inbox["old"].url}">Open</a>' in html  # read: a plain link
    # Unread: "Open" marks it read on the way.
    unread = re.search(rf'data-notification="{inbox["mid"].pk}".*?</li>', html, re.S)[0]
    assert f'action="{PAGE}{inbox["mid"].pk}/read/"' in unread and 'name="open"' in unread
    assert "2 unread." in html


def test_the_unread_count_is_in_the_navigation_at_one_query(inbox, login, count_queries):
    client = login("prosecutor")
    assert nav_label(client.get("/").content.decode()) == "Notifications (2)"
    assert nav_label(login("caseworker").get("/").content.decode()) == "Notifications (1)"
    assert nav_label(login("judge").get("/").content.decode()) == "Notifications (0)"
    with count_queries.capture() as queries:
        client.get("/")
    asked = [q["sql"] for q in queries.captured_queries if '"deadlines_notification"' in q["sql"]]
    assert len(asked) == 1 and "COUNT(*)" in asked[0]
    html = client.get("/").content.decode()
    assert '<a href="/calendar/">Calendar</a>' in html and '<a href="/calendar/deadlines/">Deadlines</a>' in html


def test_marking_read(inbox, login):
    client = login("prosecutor")
    response = client.post(f"{PAGE}{inbox['mid'].pk}/read/")
    assert response.status_code == 302 and response["Location"] == PAGE
    inbox["mid"].refresh_from_db()
    assert inbox["mid"].read_at is not None
    assert nav_label(client.get("/").content.decode()) == "Notifications (1)"
    first_read = inbox["mid"].read_at
    client.post(f"{PAGE}{inbox['mid'].pk}/read/")  # reading again keeps the first time
    inbox["mid"].refresh_from_db()
    assert inbox["mid"].read_at == first_read
    # "Open" marks read and goes to what it is about, on this site only.
    response = client.post(f"{PAGE}{inbox['new'].pk}/read/", {"open": "1"})
    assert response["Location"] == PAGE  # its outside link is not followed
    assert client.get(f"{PAGE}{inbox['new'].pk}/read/").status_code == 405
    assert nav_label(client.get("/").content.decode()) == "Notifications (0)"


def test_open_goes_to_the_link(inbox, login):
    response = login("prosecutor").post(f"{PAGE}{inbox['mid'].pk}/read/", {"open": "1"})
    assert response["Location"] == inbox["mid"].url


def test_mark_all_read_touches_only_ones_own(inbox, login):
    response = login("prosecutor").post(f"{PAGE}read-all/", follow=True)
    assert "2 notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(recipient=inbox["new"].recipient, read_at__isnull=True).exists()
    inbox["theirs"].refresh_from_db()
    assert inbox["theirs"].read_at is None


@pytest.mark.parametrize("username", ["caseworker", "investigator", "supervisor", "admin", "auditor"])
def test_nobody_reads_or_marks_another_persons_notification(inbox, login, api_login, username):
    target = inbox["mid"]  # the prosecutor's
    assert login(username).post(f"{PAGE}{target.pk}/read/").status_code == 404
    api = api_login(username)
    assert api.get(f"{API}{target.pk}/").status_code == 404
    assert api.post(f"{API}{target.pk}/read/").status_code == 404
    api.post(f"{API}read-all/")
    assert target.pk not in {row["id"] for row in api.get(API).json()["results"]}
    assert target.subject not in login(username).get(PAGE).content.decode()
    target.refresh_from_db()
    assert target.read_at is None


def test_anonymous_visitors_are_sent_to_log_in(inbox, client):
    assert client.get(PAGE).status_code == 302
    assert client.post(f"{PAGE}{inbox['mid'].pk}/read/").status_code == 302
    assert client.get(f"{API}unread/").status_code in (401, 403)
    inbox["mid"].refresh_from_db()
    assert inbox["mid"].read_at is None


def test_the_api(inbox, api_login):
    api = api_login("prosecutor")
    rows = api.get(API).json()["results"]
    assert [row["id"] for row in rows] == [inbox[k].pk for k in ("new", "mid", "old")]
    assert [row["is_read"] for row in rows] == [False, False, True]
    assert api.get(f"{API}unread/").json() == {"unread": 2}
    assert [row["id"] for row in api.get(f"{API}?unread=true").json()["results"]] == [inbox["new"].pk, inbox["mid"].pk]
    answer = api.post(f"{API}{inbox['mid'].pk}/read/")
    assert answer.status_code == 200 and answer.json()["is_read"] is True
    assert api.get(f"{API}unread/").json() == {"unread": 1}
    assert api.post(f"{API}read-all/").json() == {"unread": 0}
    assert Notification.objects.get(pk=inbox["theirs"].pk).read_at is None
    assert api.get(f"{API}{inbox['theirs'].pk}/").status_code == 404


def test_a_violation_notifies_the_prosecutor_and_the_ngo_by_victim_code(demo, login):
    order = ProtectionOrder.objects.get(case=demo.case("C1"))
    order_services.report_violation(Violation(order=order, occurred_at=timezone.now() - datetime.timedelta(hours=2),
                                              description="He called her twice."), actor=demo.user("caseworker"))
    code = demo.victim("V2").code
    for username in ("prosecutor", "caseworker"):
        client = login(username)
        html = client.get(PAGE).content.decode()
        assert f"Protection order violated: {code}" in html, username
        assert "Maria" not in html and "Santos" not in html  # never the victim's name
        notification = Notification.objects.get(recipient__username=username, kind=N.VIOLATION)
        response = client.post(f"{PAGE}{notification.pk}/read/", {"open": "1"})
        assert response["Location"] == f"/protection/orders/{order.pk}/"
    assert "Protection order violated" not in login("judge").get(PAGE).content.decode()


def test_the_inbox_costs_the_same_for_one_or_many(demo, login, api_login, count_queries):
    prosecutor = demo.user("prosecutor")
    notify(prosecutor, "One")

    def count(client, url):
        return count_queries(client, url)[0]

    small = (count(login("prosecutor"), PAGE), count(api_login("prosecutor"), API))
    for n in range(30):
        notify(prosecutor, f"Reminder {n}", minutes_ago=n, read=n % 2 == 0)
    assert (count(login("prosecutor"), PAGE), count(api_login("prosecutor"), API)) == small
    html = login("prosecutor").get(PAGE).content.decode()
    assert len(re.findall(r"data-notification=", html)) == 31
