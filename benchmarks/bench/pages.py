"""The pages measured: each as the demo user named in the issue (accounts/management/commands/
seed_demo.py USERS), with the object it opens chosen as the busiest one that user sees."""

import logging
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from . import floors
from .measure import get, signed_in_client, with_page


class NotAvailable(Exception):
    """The page does not exist (yet): reported as an 'n/a' row, not as a failure."""


@dataclass
class Page:
    name: str
    username: str
    url: Callable  # (Context) -> path
    floor: Callable | None = None  # (Context, page) -> floors.Floor
    paged: bool = False  # a paginated list: queries on page 1 and page 50 (or the last) side by side
    page: object = 1  # the page timed: 1, or 50 (the last page when the list is shorter)


def _count(queryset, outer):
    counted = queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class Context:
    """What the pages share: users, their signed-in clients, the objects chosen."""

    def __init__(self):
        self.users, self.clients, self.cache = {}, {}, {}
        self.today = timezone.localdate()

    def user(self, username):
        from accounts.models import User

        if username not in self.users:
            try:
                self.users[username] = User.objects.select_related("agency").get(username=username)
            except User.DoesNotExist:
                raise LookupError(f"no user {username!r} in this database (load seed_demo or generate_national)") \
                    from None
        return self.users[username]

    def client(self, username):
        if username not in self.clients:
            self.clients[username] = signed_in_client(self.user(username))
        return self.clients[username]

    def once(self, key, make):
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def sign_out(self):
        for client in self.clients.values():
            client.logout()
        self.clients.clear()

    def p50(self, username, url):
        """50 where the list has 50 pages, else "last" (ListView and DRF both take it)."""
        def probe():
            quiet = logging.getLogger("django.request")
            level, quiet.level = quiet.level, logging.ERROR  # a 404 here is an answer, not a warning
            try:
                return 50 if get(self.client(username), with_page(url, 50)).status_code == 200 else "last"
            finally:
                quiet.level = level
        return self.once(("p50", username, url), probe)

    # --- the objects opened -------------------------------------------------------------

    def busiest_case(self, username):
        """The case the user sees with the most hearings and deadlines."""
        def pick():
            import access
            from cases.models import Case
            from deadlines.models import Deadline
            from hearings.models import Hearing

            case = (access.visible(self.user(username), Case)
                    .annotate(n_hearings=_count(Hearing.objects.filter(case=OuterRef("pk")), "case"),
                              n_deadlines=_count(Deadline.objects.filter(case=OuterRef("pk")), "case"))
                    .order_by((F("n_hearings") + F("n_deadlines")).desc(), "pk").first())
            if case is None:
                raise NotAvailable(f"{username} sees no case")
            return case
        return self.once(("case", username), pick)

    def busiest_victim(self, username):
        """The victim the user sees with the most cases, deadlines and consents."""
        def pick():
            import access
            from deadlines.models import Deadline
            from victims.models import Consent, Victim, VictimCaseLink

            victim = (access.visible(self.user(username), Victim)
                      .annotate(n_links=_count(VictimCaseLink.objects.filter(victim=OuterRef("pk")), "victim"),
                                n_deadlines=_count(Deadline.objects.filter(victim=OuterRef("pk")), "victim"),
                                n_consents=_count(Consent.objects.filter(victim=OuterRef("pk")), "victim"))
                      .order_by((F("n_links") + F("n_deadlines") + F("n_consents")).desc(), "pk").first())
            if victim is None:
                raise NotAvailable(f"{username} sees no victim")
            return victim
        return self.once(("victim", username), pick)

    def coordination_period(self, username):
        from reports.forms import CoordinationFilterForm

        period = CoordinationFilterForm(None, user=self.user(username)).period()
        if period is None:
            raise NotAvailable(f"{username} has no jurisdiction to report on")
        return period

    def calendar_url(self, scope):
        return f"{reverse('calendar')}?{urlencode({'scope': scope, 'view': 'month', 'date': self.today})}"


def statistics_url(ctx):
    """The statistics page for the year so far, cross-tabulated by sex and form of exploitation:
    every indicator, protected, with its charts."""
    today = timezone.localdate()
    return (f"{reverse('statistics')}?date_from={today.year}-01-01&date_to={today.isoformat()}"
            "&by=sex&and_by=exploitation_form")


PAGES = [
    Page("prosecutor dashboard", "prosecutor", lambda c: reverse("prosecutor-dashboard"),
         lambda c, p: floors.prosecutor_dashboard(c.user("prosecutor"))),
    Page("supervisor dashboard", "supervisor", lambda c: reverse("supervisor-dashboard"),
         lambda c, p: floors.supervisor_dashboard(c.user("supervisor"))),
    Page("referral inbox", "caseworker", lambda c: reverse("referral-inbox"),
         lambda c, p: floors.referral_inbox(c.user("caseworker"))),
    Page("deadlines mine", "prosecutor", lambda c: reverse("deadline-list"),
         lambda c, p: floors.deadlines_mine(c.user("prosecutor"), p), paged=True),
    Page("deadlines mine", "investigator", lambda c: reverse("deadline-list"),
         lambda c, p: floors.deadlines_mine(c.user("investigator"), p), paged=True),
    Page("case detail", "investigator", lambda c: reverse("case-detail", args=[c.busiest_case("investigator").pk]),
         lambda c, p: floors.case_detail(c.user("investigator"), c.busiest_case("investigator").pk)),
    Page("calendar month (court)", "clerk", lambda c: c.calendar_url(f"court:{c.user('clerk').agency_id}"),
         lambda c, p: floors.calendar_court(c.user("clerk"), c.user("clerk").agency_id, c.today)),
    Page("calendar month (mine)", "prosecutor", lambda c: c.calendar_url("mine"),
         lambda c, p: floors.calendar_mine(c.user("prosecutor"), c.today)),
    Page("victim detail", "prosecutor", lambda c: reverse("victim-detail", args=[c.busiest_victim("prosecutor").pk]),
         lambda c, p: floors.victim_detail(c.user("prosecutor"), c.busiest_victim("prosecutor").pk)),
    Page("case list p1", "prosecutor", lambda c: reverse("case-list"),
         lambda c, p: floors.case_list(c.user("prosecutor"), p), paged=True),
    Page("case list p50", "prosecutor", lambda c: reverse("case-list"),
         lambda c, p: floors.case_list(c.user("prosecutor"), p), paged=True, page=50),
    Page("victim list", "prosecutor", lambda c: reverse("victim-list"),
         lambda c, p: floors.victim_list(c.user("prosecutor"), p), paged=True),
    Page("victim list", "caseworker", lambda c: reverse("victim-list"),
         lambda c, p: floors.victim_list(c.user("caseworker"), p), paged=True),
    Page("API cases", "prosecutor", lambda c: "/api/cases/",
         lambda c, p: floors.case_list(c.user("prosecutor"), p), paged=True),
    Page("API victims", "prosecutor", lambda c: "/api/victims/",
         lambda c, p: floors.victim_list(c.user("prosecutor"), p), paged=True),
    Page("coordination report", "focalpoint", lambda c: reverse("coordination-report"),
         lambda c, p: floors.coordination(c.user("focalpoint"), c.coordination_period("focalpoint"))),
    Page("statistics", "focalpoint", statistics_url, None),
]
