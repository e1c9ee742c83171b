"""The calendar page (month, week, day; per court, prosecutor, NGO or my own), the iCalendar
feed behind a secret token, and the page that creates and revokes that token [SPEC 2.5].

The rows always come from the access policy; a scope narrows them and never widens them.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import re_path, path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

import access
from accounts.functions import AgencyKind, Function
from accounts.models import Agency, User
from deadlines.models import Deadline

from .. import feeds
from ..forms.calendar import VIEW_CHOICES, CalendarForm, FeedForm
from ..models import Hearing

STRUCK = (Hearing.Status.ADJOURNED, Hearing.Status.CANCELLED, Hearing.Status.VACATED)


def scope_choices(user):
    """What the scope switcher offers the user: (choices for the form, {value: label}).
    Three queries whatever the number of courts, prosecutors and NGOs."""
    groups = [(gettext_lazy("Courts"), "court", Agency.objects.filter(kind=AgencyKind.COURT, is_active=True))]
    if feeds.may_choose_prosecutors(user):
        prosecutors = User.objects.filter(is_active=True, functions__contains=[Function.PROSECUTOR.value])
        groups.append((gettext_lazy("Prosecutors"), "prosecutor", prosecutors))
    groups.append((gettext_lazy("NGOs: the hearings of the victims they support"), "ngo",
                   Agency.objects.filter(kind=AgencyKind.NGO, is_active=True)))
    choices, labels = [("mine", _("My calendar"))], {"mine": _("My calendar")}
    for heading, kind, rows in groups:
        options = []
        for row in rows.order_by(*(("last_name", "first_name", "username") if kind == "prosecutor" else ("name",))):
            value = f"{kind}:{row.pk}"
            options.append((value, str(row)))
            labels[value] = {"court": _("Court: %(name)s"), "prosecutor": _("Prosecutor: %(name)s"),
                             "ngo": _("NGO: %(name)s")}[kind] % {"name": row}
        if options:
            choices.append((heading, options))
    return choices, labels


def parse_scope(value):
    """'court:12' -> ('court', 12); 'mine' -> ('mine', None)."""
    kind, _sep, target = value.partition(":")
    return (kind, int(target)) if target else (kind, None)


def calendar_url(scope, view, day):
    return f"{reverse('calendar')}?{urlencode({'scope': scope, 'view': view, 'date': day.isoformat()})}"


class CalendarView(LoginRequiredMixin, TemplateView):
    """A constant number of queries: the scope choices (three), the hearings and the deadlines."""

    template_name = "hearings/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        choices, labels = scope_choices(user)
        asked = CalendarForm(self.request.GET or None, scopes=choices)
        scope, view, day = asked.choices()
        kind, target = parse_scope(scope)
        span = feeds.period(view, day)
        start, end = span.bounds()
        hearings = list(feeds.hearings(user, kind, target, start, end))
        deadlines = list(feeds.deadlines(user, kind, target, start, end))
        access.record_shown(user, [hearing.case for hearing in hearings], purpose="calendar")

        by_day = {d: {"hearings": [], "deadlines": []} for d in span.days}
        for hearing in hearings:
            hearing.struck = hearing.status in STRUCK
            by_day[timezone.localdate(hearing.starts_at)]["hearings"].append(hearing)
        for deadline in deadlines:
            by_day[timezone.localdate(deadline.due_at)]["deadlines"].append(deadline)
        today = timezone.localdate()
        days = [dict(date=d, url=calendar_url(scope, "day", d), in_period=span.first <= d <= span.last,
                     is_today=d == today, **by_day[d]) for d in span.days]
        context.update(
            # The form shows what is shown, not what was asked for and refused.
            form=CalendarForm(initial={"scope": scope, "view": view, "date": day}, scopes=choices),
            problems=asked.problems(),
            scope=scope, scope_label=labels[scope], period=span, days=days,
            weekdays=days[:7] if view == "month" else [], count=len(hearings), deadline_count=len(deadlines),
            previous_url=calendar_url(scope, view, span.previous), next_url=calendar_url(scope, view, span.next),
            today_url=calendar_url(scope, view, today),
            view_links=[dict(label=label, url=calendar_url(scope, value, day), current=value == view)
                        for value, label in VIEW_CHOICES],
            uses_calendar=access.may_use(user, Hearing) or access.may_use(user, Deadline),
        )
        return context


# --- The iCalendar feed ---------------------------------------------------------------------

def _keep_token_out_of_logs(request, row=None):
    """The token is a password: the access log (accounts.audit) and Django's request log
    record request.path, so from here on the path carries the token's hint only."""
    request.path = feeds.redacted_path(row) if row is not None else reverse("calendar-feed", args=["unknown"])


@require_safe
def feed(request, token):
    """The user's hearings and deadlines for calendar programs. An unknown or revoked token, or
    a user who may no longer act, gets the same 404 as any missing page."""
    row = feeds.user_for_token(token)
    _keep_token_out_of_logs(request, row)
    if row is None:
        raise Http404
    now = timezone.now()
    type(row).objects.filter(pk=row.pk).update(last_used_at=now)
    response = HttpResponse(feeds.ical(row.user, now=now), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


class FeedSettingsView(LoginRequiredMixin, View):
    """Whether the user's feed is live; create (or replace) it, showing the address once; revoke it."""

    template_name = "hearings/feed_settings.html"

    def render(self, new_url=None, form=None, status=200):
        response = render(self.request, self.template_name, {
            "live": feeds.live_token(self.request.user), "new_url": new_url, "form": form or FeedForm(),
        }, status=status)
        patch_cache_control(response, private=True, no_store=True)
        return response

    def get(self, request):
        return self.render()

    def post(self, request):
        form = FeedForm(request.POST)
        if not form.is_valid():
            return self.render(form=form, status=400)
        if form.cleaned_data["action"] == "create":
            _row, secret = feeds.issue_token(request.user)
            # Shown in this response only: the address is not stored and cannot be shown again.
            return self.render(new_url=feeds.feed_url(secret))
        if feeds.revoke_tokens(request.user):
            messages.success(request, _("The feed address was revoked: calendar programs using it get nothing more."))
        else:
            messages.info(request, _("You had no live feed address."))
        return redirect("calendar-feed-settings")


urlpatterns = [
    path("", CalendarView.as_view(), name="calendar"),
    path("feed/", FeedSettingsView.as_view(), name="calendar-feed-settings"),
    re_path(r"^feed/(?P<token>[A-Za-z0-9_-]{1,200})\.ics$", feed, name="calendar-feed"),
]
