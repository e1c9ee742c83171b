"""What a calendar shows and the iCalendar feed built from it [SPEC 2.5].

Every row comes from the access policy (access.visible) and is then narrowed to a scope: a
court, a prosecutor, an NGO's supported victims, or the user's own hearings. A scope only
narrows: nobody sees a hearing on a calendar they could not open.

The feed is read by calendar programs without a session, through a secret token whose hash
alone is stored (CalendarFeedToken). It carries the case reference, the kind of hearing, the
court and room, the status and the page's address: never a victim's identity or code, a
witness, the video link (it opens the hearing) or the notes.
"""

import calendar as pycalendar
import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import access
from access.engine import may_act_at_all
from accounts.functions import Function
from accounts.models import User
from cases.models import CaseAssignment
from deadlines import services as deadline_services
from deadlines.models import Deadline
from victims.models import VictimCaseLink

from .models import CalendarFeedToken, Hearing

# --- Periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days a calendar page shows: [first, last] (dates, local time), the days of the
    grid (a month grid runs from the Monday before the 1st to the Sunday after the last day),
    and the dates its previous and next links go to."""

    view: str
    day: datetime.date
    first: datetime.date
    last: datetime.date
    grid_first: datetime.date
    grid_last: datetime.date
    previous: datetime.date
    next: datetime.date

    @property
    def days(self):
        count = (self.grid_last - self.grid_first).days + 1
        return [self.grid_first + datetime.timedelta(days=n) for n in range(count)]

    def bounds(self):
        """The grid as aware datetimes [start, end) in the current time zone."""
        return day_start(self.grid_first), day_start(self.grid_last + datetime.timedelta(days=1))


def day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _add_months(day, months):
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def period(view, day):
    """The Period of a day, week (Monday to Sunday) or month view around `day`."""
    one_day = datetime.timedelta(days=1)
    if view == "day":
        return Period(view, day, day, day, day, day, day - one_day, day + one_day)
    if view == "week":
        first = day - datetime.timedelta(days=day.weekday())
        last = first + datetime.timedelta(days=6)
        week = datetime.timedelta(days=7)
        return Period(view, day, first, last, first, last, day - week, day + week)
    if view == "month":
        first = day.replace(day=1)
        last = day.replace(day=pycalendar.monthrange(day.year, day.month)[1])
        grid_first = first - datetime.timedelta(days=first.weekday())
        grid_last = last + datetime.timedelta(days=6 - last.weekday())
        return Period(view, day, first, last, grid_first, grid_last, _add_months(day, -1), _add_months(day, 1))
    raise ValueError(f"Unknown calendar view {view!r}")


# --- Scopes -------------------------------------------------------------------------------

def may_choose_prosecutors(user):
    return user.has_function(Function.PROSECUTOR, Function.SUPERVISOR)


def _supported_case(agency_id):
    """Hearings of cases linked to a victim the agency supports now."""
    links = VictimCaseLink.objects.filter(case=OuterRef("case"), victim__supports__agency=agency_id,
                                          victim__supports__ended_on__isnull=True)
    return Q(Exists(links))


def mine_condition(user):
    """My hearings: I am the prosecutor or the judge, I am on the case team, (a caseworker) a
    victim my agency supports is linked to the case, or (a court clerk) it is at my court,
    whose list the clerk keeps."""
    team = CaseAssignment.objects.filter(user=user, ended_on__isnull=True).values("case")
    condition = Q(prosecutor=user) | Q(judge=user) | Q(case__in=team)
    if user.agency_id and user.has_function(Function.CASEWORKER):
        condition |= _supported_case(user.agency_id)
    if user.agency_id and user.has_function(Function.COURT_CLERK):
        condition |= Q(court_id=user.agency_id)
    return condition


def scope_condition(user, kind, target):
    """(hearings, deadlines) conditions of a scope; a None for deadlines means deadlines.services.mine."""
    if kind == "court":
        return Q(court=target), Q(responsible_agency=target)
    if kind == "prosecutor":
        return Q(prosecutor=target), Q(responsible_user=target)
    if kind == "ngo":
        return _supported_case(target), Q(responsible_agency=target)
    return mine_condition(user), None


def hearings(user, kind, target, start, end):
    """The hearings starting in [start, end) the user may see, narrowed to the scope, with
    everything a calendar shows of them: one query."""
    condition, _deadlines = scope_condition(user, kind, target)
    return (access.visible(user, Hearing).filter(condition).filter(starts_at__gte=start, starts_at__lt=end)
            .select_related("case", "court", "courtroom").order_by("starts_at", "id"))


def deadlines(user, kind, target, start, end):
    """Pending deadlines due in [start, end) the user may see, narrowed to the scope: one query."""
    _hearings, condition = scope_condition(user, kind, target)
    if condition is None:
        queryset = deadline_services.mine(user)
    else:
        queryset = access.visible(user, Deadline).filter(status__in=Deadline.PENDING).filter(condition)
    # The case is named only to those who may see it: an order's deadline can be seen by
    # someone who cannot open the order's (perhaps restricted) case.
    return (deadline_services.with_case_visible(user, queryset.filter(due_at__gte=start, due_at__lt=end))
            .select_related("case").order_by("due_at", "id"))


# --- Feed tokens ----------------------------------------------------------------------------

@transaction.atomic
def issue_token(user):
    """A new secret feed address for `user`; any earlier one stops working. Returns
    (row, secret): the secret is shown once and never stored."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one issue at a time per user
    return CalendarFeedToken.issue(user)


@transaction.atomic
def revoke_tokens(user):
    """End the user's live feed, if any: returns how many were revoked."""
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def live_token(user):
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_url(token):
    return settings.SITE_URL.rstrip("/") + reverse("calendar-feed", args=[token])


def redacted_path(row):
    """The feed's path as logs may show it: the token replaced by its hint."""
    return reverse("calendar-feed", args=["redacted"]).replace("redacted", f"…{row.hint}")


def user_for_token(token):
    """The live token row (with its user) for a secret, or None: unknown, revoked, or a user
    who may no longer act (inactive, or whose agency is closed)."""
    row = (CalendarFeedToken.objects.select_related("user", "user__agency")
           .filter(token_hash=CalendarFeedToken.digest(token), revoked_at__isnull=True).first())
    if row is None or not row.user.is_active or not may_act_at_all(row.user):
        return None
    return row


# --- The iCalendar document ------------------------------------------------------------------

FEED_PAST = datetime.timedelta(days=30)
FEED_FUTURE = datetime.timedelta(days=365)
CANCELLED = (Hearing.Status.CANCELLED, Hearing.Status.VACATED, Hearing.Status.ADJOURNED)


def _site():
    return settings.SITE_URL.rstrip("/")


def _host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _utc(moment):
    return moment.astimezone(datetime.timezone.utc)


def _hearing_event(hearing, stamp):
    from icalendar import Event

    url = _site() + reverse("hearing-detail", args=[hearing.pk])
    reference = hearing.case.reference
    event = Event()
    event.add("uid", f"hearing-{hearing.pk}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("last-modified", _utc(hearing.updated_at))
    event.add("sequence", hearing.version)
    event.add("dtstart", _utc(hearing.starts_at))
    event.add("dtend", _utc(hearing.ends_at))
    event.add("summary", f"{hearing.get_kind_display()} – {reference}")
    event.add("location", hearing.place)
    event.add("description", "\n".join([
        _("Case: %(reference)s") % {"reference": reference},
        _("Court: %(place)s") % {"place": hearing.place},
        _("Status: %(status)s") % {"status": hearing.get_status_display()},
        url,
    ]))
    event.add("url", url)
    event.add("status", "CANCELLED" if hearing.status in CANCELLED else "CONFIRMED")
    return event


def _is_all_day(moment):
    """Deadlines given as a date are due at the end of that day (deadlines.end_of_day)."""
    local = timezone.localtime(moment)
    return (local.hour, local.minute) == (23, 59)


def _deadline_event(deadline, stamp):
    from icalendar import Event

    event = Event()
    event.add("uid", f"deadline-{deadline.pk}@{_host()}")
    event.add("dtstamp", stamp)
    if _is_all_day(deadline.due_at):
        day = timezone.localtime(deadline.due_at).date()
        event.add("dtstart", day)
        event.add("dtend", day + datetime.timedelta(days=1))
    else:
        event.add("dtstart", _utc(deadline.due_at))  # a moment: no end, it takes no time
    # Titles name victims by their pseudonymous code only (Deadline.title, deadlines.for_*).
    event.add("summary", _("Deadline: %(title)s") % {"title": deadline.title})
    lines = [_("%(kind)s, %(status)s") % {"kind": deadline.get_kind_display(),
                                          "status": deadline.get_status_display().lower()}]
    if deadline.case_id and deadline.case_visible:
        url = _site() + deadline.case.get_absolute_url()
        lines += [_("Case: %(reference)s") % {"reference": deadline.case.reference}, url]
        event.add("url", url)
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")
    return event


def feed_rows(user, now=None):
    """The user's own hearings from 30 days ago to a year ahead and their pending deadlines
    in the same window: two queries."""
    now = now or timezone.now()
    start, end = now - FEED_PAST, now + FEED_FUTURE
    return hearings(user, "mine", None, start, end), deadlines(user, "mine", None, start, end)


def ical(user, now=None):
    """The user's feed as iCalendar bytes."""
    from icalendar import Calendar

    now = now or timezone.now()
    hearing_rows, deadline_rows = feed_rows(user, now)
    hearing_rows, deadline_rows = list(hearing_rows), list(deadline_rows)
    access.record_shown(user, [h.case for h in hearing_rows], purpose="calendar feed")
    stamp = _utc(now)
    document = Calendar()
    document.add("prodid", "-//TIP case management//Calendar feed//EN")
    document.add("version", "2.0")
    document.add("calscale", "GREGORIAN")
    document.add("method", "PUBLISH")
    document.add("x-wr-calname", _("Hearings and deadlines"))
    document.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    document.add("x-published-ttl", "PT1H")
    for hearing in hearing_rows:
        document.add_component(_hearing_event(hearing, stamp))
    for deadline in deadline_rows:
        document.add_component(_deadline_event(deadline, stamp))
    return document.to_ical()
