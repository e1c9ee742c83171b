"""The coordination report for focal points and supervisors [SPEC 2.8, GP 14, NA I.B, NA V.D.10].

    report = coordination.build(user, Period(...))   -> a tables.Report, nothing evaluated yet

What it lists is what the access policy's "coordinate" action allows (cases.access and the rules beside each model):
a national coordination office's focal point reaches every unrestricted case of its country,
a supervisor the cases they see. Each row a reader opens from it goes through "view" again.
Victims appear by code only; the queries select named columns (reports/tables.py), none from
the identity tables.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, Jurisdiction

from ..tables import Report, Section
from . import sections


@dataclass(frozen=True)
class Period:
    """The report's filters: dates inclusive, one jurisdiction, optionally one agency."""

    date_from: datetime.date
    date_to: datetime.date
    jurisdiction: Jurisdiction
    agency: Agency | None = None

    @property
    def starts(self):
        return timezone.make_aware(datetime.datetime.combine(self.date_from, datetime.time.min))

    @property
    def ends(self):
        """The first moment after the period."""
        return timezone.make_aware(datetime.datetime.combine(self.date_to + datetime.timedelta(days=1),
                                                             datetime.time.min))

    def as_json(self):
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
                "jurisdiction": self.jurisdiction.pk, "agency": self.agency.pk if self.agency else None}

    def described(self):
        return [
            (_("Period"), f"{self.date_from:%Y-%m-%d} – {self.date_to:%Y-%m-%d}"),
            (_("Jurisdiction"), str(self.jurisdiction)),
            (_("Agency"), str(self.agency) if self.agency else _("All agencies")),
        ]


def lookahead_ends(period, now):
    """Upcoming hearings are those from now to the period's end or COORDINATION_LOOKAHEAD_DAYS
    ahead, whichever is later: a report on the last three months still shows what is coming."""
    return max(period.ends, now + datetime.timedelta(days=settings.COORDINATION_LOOKAHEAD_DAYS))


def build(user, period, *, now=None):
    now = now or timezone.now()
    scope = sections.Scope(user=user, period=period, now=now, lookahead_ends=lookahead_ends(period, now))
    return Report(
        key="coordination",
        title=_("Coordination report"),
        classification=settings.COORDINATION_REPORT_CLASSIFICATION,
        filters=period.described(),
        generated_by=user.get_full_name() or user.username,
        generated_at=now,
        sections=[
            Section(_("Cases with international elements"), [sections.international_cases(scope),
                                                                 sections.cooperation_requests(scope)]),
            Section(_("Referrals between agencies"), [sections.referrals(scope), sections.referral_timings(scope)]),
            Section(_("Upcoming hearings that need coordination"), [sections.hearings(scope)]),
            Section(_("Protection orders and violations"), [sections.orders(scope), sections.violations(scope)]),
            Section(_("Coordination meetings held"), [sections.meetings(scope)]),
            Section(_("Missed and extended deadlines"),
                    [sections.deadlines_by(scope, "kind"), sections.deadlines_by(scope, "agency")]),
        ],
    )
