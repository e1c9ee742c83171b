"""The coordination report's tables. Each starts from access.visible(user, Model, "coordinate")
and selects named columns only; the period, jurisdiction and agency only narrow it."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import access
from cases.models import Case, CaseAgency, CooperationRequest, CoordinationMeeting
from deadlines.models import Deadline
from hearings.models import Hearing, HearingWitness, SpecialMeasure
from protection.models import ProtectionOrder, Violation
from referrals.models import Referral
from referrals.timings import annotate_timings

from ..tables import (
    BOOL, CHOICE, COUNTRIES, DATE, DATETIME, INT, LIST, NUMBER, Column, Percentile, Table, country_names,
)

CLOSED_STAGES = (Case.Stage.CLOSED, Case.Stage.CLOSED_NO_CHARGE)
PENDING_COOPERATION = (CooperationRequest.Status.DRAFT, CooperationRequest.Status.SENT,
                       CooperationRequest.Status.ACKNOWLEDGED)
AWAITING_ANSWER = (CooperationRequest.Status.SENT, CooperationRequest.Status.ACKNOWLEDGED)


@dataclass(frozen=True)
class Scope:
    user: object
    period: object
    now: datetime.datetime
    lookahead_ends: datetime.datetime

    @property
    def today(self):
        return timezone.localdate(self.now)


def _choices(choices):
    return dict(choices)


def _names(queryset, field):
    return ArraySubquery(queryset.order_by(field).values(field))


def _listed(show, parts):
    """A cell format for an array of "a|b" strings built in SQL (_names over a Concat): each
    split into its `parts` (the first may hold "|" itself) and shown by `show`, joined by "; "."""
    def format(values):
        return "; ".join(show(*value.rsplit("|", parts - 1)) for value in values or ())
    return format


def _count(queryset, outer):
    """A correlated COUNT of `queryset`'s rows (0 for none), grouped on its field `outer`."""
    counted = queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _case_takes_part(agency, path="pk"):
    return Q(Exists(CaseAgency.objects.filter(case=OuterRef(path), agency=agency)))


def _case_scope(scope, queryset, path=""):
    """Narrow rows about a case (`path` leads to it) to the report's jurisdiction and agency."""
    prefix = f"{path}__" if path else ""
    queryset = queryset.filter(**{f"{prefix}jurisdiction": scope.period.jurisdiction})
    if scope.period.agency is not None:
        queryset = queryset.filter(_case_takes_part(scope.period.agency, path or "pk"))
    return queryset


# --- 1. Cases with international elements and their cooperation requests ---------------

def _international(scope, cases):
    """The cases listed in section 1: transnational, with a country of origin, transit or
    destination, or a cooperation request; open at some time in the period."""
    period = scope.period
    international = (Q(is_transnational=True) | ~Q(countries_of_origin="") | ~Q(countries_of_transit="")
                     | ~Q(countries_of_destination="")
                     | Q(Exists(CooperationRequest.objects.filter(case=OuterRef("pk")))))
    closed_before = Q(stage__in=CLOSED_STAGES, stage_entered_at__lt=period.starts)
    return _case_scope(scope, cases.filter(international, opened_on__lte=period.date_to).exclude(closed_before))


def international_cases(scope):
    roles = CaseAgency.objects.filter(case=OuterRef("pk"))
    cases = _international(scope, access.with_permissions(scope.user, Case, "view", action="coordinate"))
    cases = cases.annotate(
        prosecuting_office=Subquery(roles.filter(role=CaseAgency.Role.PROSECUTING).order_by("agency__name")
                                    .values("agency__name")[:1]),
        agencies_taking_part=_names(roles.annotate(part=Concat("agency__name", Value("|"), "role",
                                                               output_field=CharField())), "part"),
        cooperation_request_count=_count(CooperationRequest.objects.filter(case=OuterRef("pk")), "case"),
    ).order_by("reference")
    roles_shown = _choices(CaseAgency.Role.choices)
    parts = _listed(lambda name, role: f"{name} ({roles_shown.get(role, role)})", 2)

    return Table(
        key="international_cases", title=_("Cases with international elements"), queryset=cases,
        columns=[
            Column("reference", _("Case")),
            Column("title", _("Title")),
            Column("stage", _("Stage"), CHOICE, _choices(Case.Stage.choices)),
            Column("opened_on", _("Opened"), DATE),
            Column("is_transnational", _("Transnational"), BOOL),
            Column("countries_of_origin", _("Countries of origin"), COUNTRIES),
            Column("countries_of_transit", _("Countries of transit"), COUNTRIES),
            Column("countries_of_destination", _("Countries of destination"), COUNTRIES),
            Column("prosecuting_office", _("Prosecutor's office")),
            Column("agencies_taking_part", _("Agencies with a part"), format=parts),
            Column("cooperation_request_count", _("Cooperation requests"), INT),
        ],
        links=("pk", "may_view", "is_restricted"),  # restricted cases shown are logged [PR 1.2.7]
        note=_("Open at some time in the period; transnational, with a country of origin, transit or "
               "destination, or with a cooperation request."),
    )


def cooperation_requests(scope):
    cases = _international(scope, access.visible(scope.user, Case, "coordinate")).values("pk")
    requests = access.visible(scope.user, CooperationRequest, "coordinate").filter(case__in=cases).filter(
        Q(status__in=PENDING_COOPERATION) | Q(sent_on__range=(scope.period.date_from, scope.period.date_to)))
    requests = requests.annotate(
        # A comparison with NULL is NULL in SQL, so without "is not null" (FALSE AND NULL is
        # FALSE) the cell showed nothing instead of "no" for a sent request without a due date.
        is_overdue=Q(response_due_on__isnull=False, status__in=AWAITING_ANSWER, response_due_on__lt=scope.today),
        is_screened=Q(screened_on__isnull=False),
        has_risk=Q(risk_death_penalty=True) | Q(risk_torture=True) | Q(risk_unfair_trial=True)
        | Q(risk_discrimination=True),
    ).order_by("case__reference", "sent_on", "pk")
    return Table(
        key="cooperation_requests", title=_("Their cooperation requests"), queryset=requests,
        columns=[
            Column("case__reference", _("Case")),
            Column("kind", _("Type"), CHOICE, _choices(CooperationRequest.Kind.choices)),
            Column("direction", _("Direction"), CHOICE, _choices(CooperationRequest.Direction.choices)),
            Column("requesting_state", _("Requesting state"), COUNTRIES),
            Column("requested_state", _("Requested state"), COUNTRIES),
            Column("sent_on", _("Sent"), DATE),
            Column("response_due_on", _("Response due"), DATE),
            Column("status", _("Status"), CHOICE, _choices(CooperationRequest.Status.choices)),
            Column("is_overdue", _("Overdue"), BOOL),
            Column("is_screened", _("Human-rights screening done"), BOOL),
            Column("screened_on", _("Screened on"), DATE),
            Column("has_risk", _("Risk found"), BOOL),
        ],
        note=_("Pending, or sent in the period. Overdue: sent or acknowledged, and the response is past due."),
    )


# --- 2. Referrals between agencies and their timings -------------------------------------

TIMINGS = [
    ("identification_to_referral_days", _("Identification → referral (days)")),
    ("referral_to_acceptance_hours", _("Referral → acceptance (hours)")),
    ("acceptance_to_first_service_hours", _("Acceptance → first service (hours)")),
]


def _referral_set(scope):
    period = scope.period
    referrals = access.visible(scope.user, Referral, "coordinate").filter(
        sent_at__gte=period.starts, sent_at__lt=period.ends).filter(
        Q(from_agency__jurisdiction=period.jurisdiction) | Q(to_agency__jurisdiction=period.jurisdiction))
    if period.agency is not None:
        referrals = referrals.filter(Q(from_agency=period.agency) | Q(to_agency=period.agency))
    return annotate_timings(referrals)


def referrals(scope):
    return Table(
        key="referrals", title=_("Referrals between agencies"),
        queryset=_referral_set(scope).order_by("sent_at", "pk"),
        columns=[
            Column("victim__code", _("Victim")),
            Column("from_agency__name", _("From")),
            Column("to_agency__name", _("To")),
            Column("urgency", _("Urgency"), CHOICE, _choices(Referral.Urgency.choices)),
            Column("status", _("Status"), CHOICE, _choices(Referral.Status.choices)),
            Column("is_international", _("International"), BOOL),
            Column("sent_at", _("Sent"), DATETIME),
            *[Column(key, label, INT if key.endswith("_days") else NUMBER) for key, label in TIMINGS],
        ],
        note=_("Sent in the period. Identification is the victim's first decision as a presumed or identified "
               "victim."),
    )


def referral_timings(scope):
    timed = {}
    for key, _label in TIMINGS:
        timed[f"{key}_n"] = Count(key)
        timed[f"{key}_median"] = Percentile(key, 0.5)
        timed[f"{key}_p90"] = Percentile(key, 0.9)
    rows = (_referral_set(scope).order_by().values("to_agency__name").annotate(referrals=Count("pk"), **timed)
            .order_by("to_agency__name"))
    columns = [Column("to_agency__name", _("Receiving agency")), Column("referrals", _("Referrals"), INT)]
    for key, label in TIMINGS:
        columns += [Column(f"{key}_n", _("%(timing)s: referrals timed") % {"timing": label}, INT),
                    Column(f"{key}_median", _("%(timing)s: median") % {"timing": label}, NUMBER),
                    Column(f"{key}_p90", _("%(timing)s: 90th percentile") % {"timing": label}, NUMBER)]
    return Table(key="referral_timings", title=_("Referral timings per receiving agency"), queryset=rows,
                 columns=columns,
                 note=_("Median and 90th percentile with linear interpolation between referrals (PostgreSQL "
                        "percentile_cont), over the referrals where the step happened."))


# --- 3. Upcoming hearings that need coordination ----------------------------------------

def _wanted_measures(path="witness__hearing"):
    """Special measures asked for and not refused, or granted and standing."""
    return SpecialMeasure.objects.filter(**{path: OuterRef("pk")}).filter(
        Q(decision=SpecialMeasure.Decision.PENDING) | SpecialMeasure.in_force())


def hearings(scope):
    witnesses = HearingWitness.objects.filter(hearing=OuterRef("pk"))
    victim_witnesses = witnesses.filter(victim__isnull=False)
    needs = (Q(Exists(_wanted_measures())) | Q(Exists(witnesses.exclude(interpreter_language="")))
             | Q(Exists(victim_witnesses.filter(Q(early_testimony=True) | ~Q(testifies_from="")))))
    rows = access.with_permissions(scope.user, Hearing, "view", action="coordinate").filter(
        needs, status=Hearing.Status.SCHEDULED, starts_at__gte=scope.now, starts_at__lt=scope.lookahead_ends)
    rows = rows.filter(case__jurisdiction=scope.period.jurisdiction)
    if scope.period.agency is not None:
        rows = rows.filter(Q(court=scope.period.agency) | _case_takes_part(scope.period.agency, "case"))
    who = Coalesce("witness__victim__code", Value(str(_("another witness"))), output_field=CharField())
    rows = rows.annotate(
        victim_witness_codes=_names(victim_witnesses, "victim__code"),
        measures=_names(_wanted_measures().annotate(
            shown=Concat(who, Value("|"), "measure", Value("|"), "decision", output_field=CharField())), "shown"),
        interpreters=_names(witnesses.exclude(interpreter_language="").annotate(
            shown=Concat("interpreter_language", Value("|"), Cast("interpreter_booked", CharField()),
                         output_field=CharField())), "shown"),
        abroad=_names(victim_witnesses.exclude(testifies_from="").annotate(
            shown=Concat("victim__code", Value("|"), "testifies_from", output_field=CharField())), "shown"),
        early_testimony=_names(victim_witnesses.filter(early_testimony=True).annotate(
            shown=Concat("victim__code", Value("|"), Cast("leaves_country_on", CharField()),
                         output_field=CharField())), "shown"),
        safe_waiting_room_needed=Exists(_wanted_measures().filter(measure=SpecialMeasure.Measure.SAFE_WAITING_ROOM)),
    ).order_by("starts_at", "pk")
    measures, decisions = _choices(SpecialMeasure.Measure.choices), _choices(SpecialMeasure.Decision.choices)

    measure_list = _listed(lambda who, measure, decision:
                           f"{who}: {measures.get(measure, measure)} ({decisions.get(decision, decision)})", 3)
    interpreter_list = _listed(lambda language, booked:
                               f"{language} ({_('booked') if booked == 'true' else _('not booked')})", 2)
    abroad_list = _listed(lambda code, country: f"{code}: {country_names(country)}", 2)
    early_list = _listed(lambda code, day: _("%(code)s leaves on %(date)s") % {"code": code, "date": day}, 2)

    return Table(
        key="hearings", title=_("Upcoming hearings that need coordination"), queryset=rows,
        columns=[
            Column("case__reference", _("Case")),
            Column("kind", _("Type"), CHOICE, _choices(Hearing.Kind.choices)),
            Column("starts_at", _("Starts"), DATETIME),
            Column("court__name", _("Court")),
            Column("courtroom__name", _("Room")),
            Column("victim_witness_codes", _("Victim-witnesses"), LIST),
            Column("measures", _("Special measures requested or granted"), format=measure_list),
            Column("interpreters", _("Interpreters"), format=interpreter_list),
            Column("abroad", _("Victim-witnesses abroad"), format=abroad_list),
            Column("early_testimony", _("Early testimony"), format=early_list),
            Column("safe_waiting_room_needed", _("Safe waiting room needed"), BOOL),
            Column("courtroom__has_safe_waiting_room", _("Room has a safe waiting room"), BOOL),
        ],
        links=("pk", "may_view"),
        note=_("Scheduled from now until the period's end or for the next %(days)d days, whichever is later, "
               "with a special measure asked for or granted, an interpreter, or a victim-witness abroad or "
               "testifying early.") % {"days": settings.COORDINATION_LOOKAHEAD_DAYS},
    )


# --- 4. Protection orders and violations -------------------------------------------------

def _order_scope(scope, rows, path=""):
    prefix = f"{path}__" if path else ""
    period = scope.period
    rows = rows.filter(Q(**{f"{prefix}case__jurisdiction": period.jurisdiction})
                       | Q(**{f"{prefix}case__isnull": True, f"{prefix}issuing_court__jurisdiction": period.jurisdiction}))
    if period.agency is not None:
        rows = rows.filter(Q(**{f"{prefix}issuing_court": period.agency})
                           | _case_takes_part(period.agency, f"{prefix}case"))
    return rows


def orders(scope):
    period = scope.period
    in_period = Q(expires_on__range=(period.date_from, period.date_to))
    rows = access.with_permissions(scope.user, ProtectionOrder, "view", action="coordinate").filter(
        Q(status__in=ProtectionOrder.IN_FORCE) | in_period)
    rows = _order_scope(scope, rows).annotate(
        relatives=_count(ProtectionOrder.protected_relatives.through.objects.filter(protectionorder=OuterRef("pk")),
                         "protectionorder"),
        # An order without an expiry date does not expire in the period: "no", not NULL.
        expires_in_period=Q(expires_on__isnull=False) & in_period,
        violation_count=_count(Violation.objects.filter(order=OuterRef("pk")), "order"),
    ).order_by(F("expires_on").asc(nulls_last=True), "pk")
    return Table(
        key="protection_orders", title=_("Protection orders in force or expiring in the period"), queryset=rows,
        columns=[
            Column("court_reference", _("Court's reference")),
            Column("kind", _("Type"), CHOICE, _choices(ProtectionOrder.Kind.choices)),
            Column("status", _("Status"), CHOICE, _choices(ProtectionOrder.Status.choices)),
            Column("case__reference", _("Case")),
            Column("victim__code", _("Protected victim")),
            Column("relatives", _("Relatives protected"), INT),
            Column("issuing_court__name", _("Issuing court")),
            Column("effective_from", _("Effective from"), DATE),
            Column("expires_on", _("Expires"), DATE),
            Column("expires_in_period", _("Expires in the period"), BOOL),
            Column("next_review_on", _("Next review"), DATE),
            Column("violation_count", _("Violations"), INT),
        ],
        links=("pk", "may_view"),
        note=_("In force now, or expiring in the period."),
    )


def violations(scope):
    period = scope.period
    rows = access.visible(scope.user, Violation, "coordinate").filter(
        occurred_at__gte=period.starts, occurred_at__lt=period.ends)
    rows = _order_scope(scope, rows, "order").order_by("occurred_at", "pk")
    return Table(
        key="violations", title=_("Violations of protection orders"), queryset=rows,
        columns=[
            Column("order__court_reference", _("Order")),
            Column("order__kind", _("Type of order"), CHOICE, _choices(ProtectionOrder.Kind.choices)),
            Column("order__case__reference", _("Case")),
            Column("order__victim__code", _("Protected victim")),
            Column("occurred_at", _("When"), DATETIME),
            Column("reported_at", _("Reported"), DATETIME),
            Column("action_taken", _("Action taken"), CHOICE, _choices(Violation.Action.choices)),
            Column("escalation", _("Escalated to"), CHOICE, _choices(Violation.Escalation.choices)),
        ],
        note=_("That happened in the period."),
    )


# --- 5. Coordination meetings --------------------------------------------------------------

def meetings(scope):
    period = scope.period
    rows = access.visible(scope.user, CoordinationMeeting, "coordinate").filter(
        held_on__range=(period.date_from, period.date_to), case__jurisdiction=period.jurisdiction)
    if period.agency is not None:
        attended = CoordinationMeeting.agencies.through.objects.filter(coordinationmeeting=OuterRef("pk"),
                                                                        agency=period.agency)
        rows = rows.filter(Q(Exists(attended)) | _case_takes_part(period.agency, "case"))
    attendees = CoordinationMeeting.agencies.through.objects.filter(coordinationmeeting=OuterRef("pk"))
    rows = rows.annotate(attending=_names(attendees, "agency__name")).order_by("held_on", "pk")
    return Table(
        key="meetings", title=_("Coordination meetings held"), queryset=rows,
        columns=[
            Column("case__reference", _("Case")),
            Column("held_on", _("Held on"), DATE),
            Column("attending", _("Agencies attending"), LIST),
            Column("decisions", _("Decisions")),
            Column("next_meeting_on", _("Next meeting"), DATE),
        ],
        note=_("Held in the period."),
    )


# --- 6. Missed and extended deadlines ------------------------------------------------------

def deadlines_by(scope, by):
    period = scope.period
    rows = access.visible(scope.user, Deadline, "coordinate").filter(
        Q(case__jurisdiction=period.jurisdiction)
        | Q(case__isnull=True, responsible_agency__jurisdiction=period.jurisdiction))
    if period.agency is not None:
        rows = rows.filter(responsible_agency=period.agency)
    # Missed: marked so by the sweep, or still pending past its due time (the sweep may not
    # have run yet); extended: first due in the period and moved.
    missed = ((Q(status=Deadline.Status.MISSED) | Q(status__in=Deadline.PENDING, due_at__lt=scope.now))
              & Q(due_at__gte=period.starts, due_at__lt=period.ends))
    extended = Q(original_due_at__gte=period.starts, original_due_at__lt=period.ends)
    group = {"kind": "kind", "agency": "responsible_agency__name"}[by]
    rows = (rows.filter(missed | extended).order_by().values(group)
            .annotate(missed=Count("pk", filter=missed), extended=Count("pk", filter=extended)).order_by(group))
    first = (Column("kind", _("Type of deadline"), CHOICE, _choices(Deadline.Kind.choices)) if by == "kind"
             else Column("responsible_agency__name", _("Responsible agency"),
                         format=lambda name: name or str(_("(no agency)"))))
    return Table(
        key=f"deadlines_by_{by}",
        title=_("Missed and extended deadlines by type") if by == "kind" else _(
            "Missed and extended deadlines by responsible agency"),
        queryset=rows, columns=[first, Column("missed", _("Missed"), INT), Column("extended", _("Extended"), INT)],
        note=_("Due in the period and missed (marked missed, or still open past their due time), or first due in the "
               "period and extended."),
    )
