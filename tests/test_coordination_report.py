"""The coordination report [SPEC 2.8] on a hand-built world with known answers.

Everything is built in a jurisdiction of its own (the focal point's country, PT) with the
services the app uses, so the demo rows never reach these tables; the report is then run as
the demo focal point (national coordination office, PT) or a supervisor of that jurisdiction.
Each table's rows are checked cell by cell as the page, the API and the exports get them
(Column.cell), the access policy's "coordinate" action case by case, and that no identity
reaches the report's SQL or its page.
"""

import datetime
import json
import re
import statistics
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.drainage import reset_generator_stats
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder

import access
from accounts.models import Agency, Jurisdiction, User
from cases import lifecycle
from cases import services as case_services
from cases.models import Case, CaseAgency, CaseAssignment, CaseExclusion, CooperationRequest, CoordinationMeeting
from deadlines import services as deadline_services
from deadlines.models import Deadline
from hearings import services as calendar_services
from hearings.models import Courtroom, Hearing, HearingWitness, Party, SpecialMeasure
from hearings.scheduling import ScheduleWarnings
from protection import services as protection_services
from protection.models import ProtectionOrder, Violation
from referrals import services as referral_services
from referrals.models import Referral
from reports import api as report_api
from reports import coordination
from reports.coordination import Period
from reports.models import ExportJob
from reports.tables import cell_text
from victims import services as victim_services
from victims.models import Consent, ProtectedRelative, StatusDecision, Victim, VictimCaseLink, VictimIdentity

from . import factories

R = CaseAgency.Role
L = VictimCaseLink.Role
URL = "/reports/coordination/"
API = "/api/reports/coordination/"
TABLE_KEYS = ["international_cases", "cooperation_requests", "referrals", "referral_timings", "hearings",
              "protection_orders", "violations", "meetings", "deadlines_by_kind", "deadlines_by_agency"]
NON_COORDINATORS = ["investigator", "prosecutor", "caseworker", "clerk", "judge", "auditor", "admin", "frontline"]


# --- The world ------------------------------------------------------------------------------

def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def naive(moment):
    """A stored aware datetime as a DATETIME cell shows it."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def _schedule(hearing, clerk):
    try:
        return calendar_services.schedule(hearing, actor=clerk)
    except ScheduleWarnings as warnings:  # confirmed, as the person would ("save anyway")
        return calendar_services.schedule(hearing, actor=clerk, confirmed=[p.key for p in warnings.problems])


def _witness(clerk, **fields):
    witness = HearingWitness(**fields)
    try:
        return calendar_services.save_witness(witness, actor=clerk)
    except ScheduleWarnings as warnings:
        return calendar_services.save_witness(witness, actor=clerk, confirmed=[p.key for p in warnings.problems])


def _measure(clerk, witness, measure, decision=SpecialMeasure.Decision.PENDING, decided_on=None):
    return calendar_services.save_measure(SpecialMeasure(
        witness=witness, measure=measure, requested_by=Party.PROSECUTION,
        requested_on=witness.hearing.created_at.date(),
        decision=decision, decided_on=decided_on), actor=clerk)


def _victim(actor, given, family, *, supported_by, status="presumed", identified_on=None, **fields):
    victim = victim_services.record_victim(
        actor=actor, supporting_agencies=[supported_by], status=status, sex="Feminine", age_group="adult",
        nationality="BR", identity={
            "given_names": given, "family_name": family, "aliases": f"{given[:3]}ka",
            "mailing_street": f"{family} street 7", "mailing_city": "Porto",
            "mailing_postal_code": f"4{len(family)}00-999",
            "email": f"{given.lower()}@example.net", "mobile_phone": f"+351 92{len(family)} 123 456",
            "contact": f"+351 91{len(family)} 123 456", "shelter_location": f"Shelter {family}",
            "date_of_birth": datetime.date(1990, 1, 2)},
        **fields)
    if identified_on is not None:
        decision = StatusDecision.objects.get(victim=victim)
        decision.decided_on = identified_on
        decision.save()
    return victim


def _refer(victim, sender, to_agency, sent_at, *, urgency=Referral.Urgency.ROUTINE, accepted_after=None,
           service_after=None, receiver=None):
    """A referral sent with the victim's consent, answered and started by the receiving side
    through the services, then dated as it happened."""
    victim_services.give_consent(victim, actor=sender, purpose=Consent.Purpose.REFERRAL, agency=to_agency,
                                 informed=True)
    referral = referral_services.send_referral(victim, actor=sender, to_agency=to_agency, services=["shelter"],
                                               urgency=urgency)
    if accepted_after is not None:
        referral = referral_services.move(referral, "accept", actor=receiver)
    if service_after is not None:
        referral = referral_services.move(referral, "start", actor=receiver)
    referral = Referral.objects.get(pk=referral.pk)
    referral.sent_at = sent_at
    if accepted_after is not None:
        referral.accepted_at = sent_at + accepted_after
    if service_after is not None:
        referral.first_service_at = referral.accepted_at + service_after
    referral.save()
    return referral


def _order(actor, victim, reference, kind, *, case, court, issued, expires=None, review=None, relatives=()):
    return protection_services.record_order(ProtectionOrder(
        victim=victim, case=case, kind=kind, issuing_court=court, court_reference=reference, issued_on=issued,
        effective_from=issued, expires_on=expires, next_review_on=review, conditions="No contact of any kind."),
        actor=actor, relatives=relatives)


def _violation(actor, order, occurred_at, **fields):
    return protection_services.report_violation(
        Violation(order=order, occurred_at=occurred_at, description="Approached the protected person.", **fields),
        actor=actor)


def _meeting(case, held_on, agencies, decisions, recorded_by, next_meeting_on=None):
    meeting = CoordinationMeeting.objects.create(case=case, held_on=held_on, decisions=decisions,
                                                 next_meeting_on=next_meeting_on, recorded_by=recorded_by)
    meeting.agencies.set(agencies)
    return meeting


def _deadline(actor, kind, due, responsible, **about):
    return deadline_services.add(Deadline(kind=kind, title=f"Test {kind} deadline",
                                          due_at=deadline_services.end_of_day(due), responsible_agency=responsible,
                                          **about), actor=actor)


def build_world():
    today = timezone.localdate()
    T = lambda days: today + datetime.timedelta(days=days)  # noqa: E731
    w = SimpleNamespace(today=today, T=T)
    w.jurisdiction = Jurisdiction.objects.create(country="PT", name="Porto judicial district (coordination tests)")

    def agency(name, kind, country="PT", jurisdiction=w.jurisdiction):
        return Agency.objects.create(name=name, kind=kind, country=country, jurisdiction=jurisdiction)

    w.police = agency("Porto Police Test Unit", "police")
    w.prosecution = agency("Porto Prosecution Test Office", "prosecution")
    w.court = agency("Porto Criminal Court Test", "court")
    w.ngo = agency("Porto NGO Alpha Test", "ngo")
    w.ngo2 = agency("Porto NGO Beta Test", "ngo")
    w.consulate = agency("Brazilian Consulate Test", "consular", country="BR", jurisdiction=None)
    w.inv = factories.user(w.police, "investigator", username="coord-inv")
    w.pros = factories.user(w.prosecution, "prosecutor", username="coord-pros")
    w.sup = factories.user(w.prosecution, "supervisor", username="coord-sup")
    w.clerk = factories.user(w.court, "court_clerk", username="coord-clerk")
    w.cw = factories.user(w.ngo, "caseworker", username="coord-cw")
    w.cw2 = factories.user(w.ngo2, "caseworker", username="coord-cw2")
    w.focal = User.objects.get(username="focalpoint")
    w.focal_office = w.focal.agency
    w.room = Courtroom.objects.create(court=w.court, name="Room A", has_safe_waiting_room=True)

    def case(ref, title, actor=None, **fields):
        fields.setdefault("jurisdiction", w.jurisdiction)
        return case_services.open_case(actor=actor or w.pros, reference=ref, title=title, **fields)

    # --- Cases ---
    w.ca = case("CO-A", "Coordination test A: farm labour across borders", opened_on=T(-100), is_transnational=True,
                countries_of_origin=["BR", "RO"], countries_of_transit=["ES"], countries_of_destination=["PT"],
                court=w.court, agencies=[(w.police, R.INVESTIGATING), (w.court, R.COURT), (w.ngo, R.SUPPORTING),
                                         (w.focal_office, R.COORDINATING)])
    lifecycle.move(w.ca, Case.Stage.INVESTIGATION, actor=w.pros)
    # Not transnational, no country: listed for its cooperation requests; the focal point's office
    # takes no part in it, so the focal point lists it without opening it.
    w.cb = case("CO-B", "Coordination test B: request for evidence abroad", actor=w.inv, opened_on=T(-20),
                court=w.court)
    w.cc = case("CO-C", "Coordination test C: domestic only", opened_on=T(-10))  # not listed
    w.cd = case("CO-D", "Coordination test D: closed before the period", opened_on=T(-200), is_transnational=True,
                countries_of_origin=["RO"])
    lifecycle.move(w.cd, Case.Stage.CLOSED_NO_CHARGE, actor=w.pros, reason="No evidence of exploitation.")
    Case.objects.filter(pk=w.cd.pk).update(stage_entered_at=at(T(-61), 12))
    # A country of destination alone makes it international; closed inside the period: listed.
    w.ce = case("CO-E", "Coordination test E: closed in the period", opened_on=T(-50), countries_of_destination=["ES"])
    lifecycle.move(w.ce, Case.Stage.CLOSED_NO_CHARGE, actor=w.pros, reason="Victim returned, no suspect found.")
    Case.objects.filter(pk=w.ce.pk).update(stage_entered_at=at(T(-5), 12))
    w.cf = case("CO-F", "Coordination test F: opened after the period", opened_on=T(31), is_transnational=True)
    w.cr = case("CO-R", "Coordination test R: restricted", opened_on=T(-30), is_transnational=True,
                countries_of_origin=["BR"])
    case_services.set_restricted(w.cr, True)
    w.cr2 = case("CO-R2", "Coordination test R2: restricted, focal point on the team", opened_on=T(-30),
                 is_transnational=True, countries_of_origin=["BR"])
    case_services.set_restricted(w.cr2, True)
    case_services.assign(w.cr2, w.focal, CaseAssignment.TeamRole.VICTIM_REPRESENTATIVE)
    w.cx = case("CO-X", "Coordination test X: focal point excluded", opened_on=T(-30), is_transnational=True,
                countries_of_origin=["RO"])
    case_services.exclude_from_case(w.cx, w.focal, reason="Declared a conflict of interest.", actor=w.pros)
    case_services.exclude_from_case(w.ce, w.sup, reason="Declared a family connection.", actor=w.pros)

    # --- Victims (recorded by the NGO that supports them) ---
    v = {}
    v[1] = _victim(w.cw, "Zephyrine", "Quillbrook", supported_by=w.ngo, identified_on=T(-50))
    victim_services.set_status(v[1], Victim.Status.IDENTIFIED, actor=w.inv, authority="Porto Police",
                               criteria="Interview", decided_on=T(-20))
    v[2] = _victim(w.cw, "Ottilie", "Marrowgate", supported_by=w.ngo, identified_on=T(-40))
    v[3] = _victim(w.cw, "Perpetua", "Fennimore", supported_by=w.ngo, identified_on=T(-30))
    v[4] = _victim(w.cw, "Leocadia", "Thistlewood", supported_by=w.ngo, identified_on=T(-25))
    v[5] = _victim(w.cw, "Brunhilde", "Ashcombe", supported_by=w.ngo, identified_on=T(-12))
    v[6] = _victim(w.cw, "Isolde", "Varnavides", supported_by=w.ngo, identified_on=T(-17))
    v[7] = _victim(w.cw, "Ermengarde", "Pollexfen", supported_by=w.ngo, status="potential")
    v[8] = _victim(w.cw, "Clothilde", "Wetherspoon", supported_by=w.ngo, identified_on=T(-80))
    v[9] = _victim(w.cw, "Radegund", "Blenkinsop", supported_by=w.ngo, identified_on=T(-15))
    v[10] = _victim(w.cw, "Walburga", "Fotheringay", supported_by=w.ngo, identified_on=T(-15))
    v[11] = _victim(w.cw, "Hildegard", "Cholmondeley", supported_by=w.ngo, identified_on=T(-15))
    w.v = v
    victim_services.link_to_case(v[1], w.ca, L.VICTIM_WITNESS)
    victim_services.link_to_case(v[2], w.ca, L.COMPLAINANT)
    victim_services.link_to_case(v[9], w.cb, L.VICTIM_WITNESS)
    victim_services.link_to_case(v[10], w.cr, L.VICTIM_WITNESS)
    victim_services.link_to_case(v[11], w.cx, L.VICTIM_WITNESS)
    w.relative = ProtectedRelative.objects.create(victim=v[1], name="Aurelio Quillbrook", relationship="brother")

    # --- Cooperation requests ---
    CR = CooperationRequest
    w.req1 = CR.objects.create(case=w.ca, kind=CR.Kind.MLA, requesting_state="PT", requested_state="BR",
                               sent_on=T(-30), response_due_on=T(-1), status=CR.Status.SENT)  # overdue
    w.req2 = CR.objects.create(case=w.ca, kind=CR.Kind.EXTRADITION, direction=CR.Direction.INCOMING,
                               requesting_state="RO", requested_state="PT", sent_on=T(-100), response_due_on=T(10),
                               status=CR.Status.ACKNOWLEDGED, screened_on=T(-50), risk_torture=True)
    w.req3 = CR.objects.create(case=w.ca, kind=CR.Kind.POLICE, requesting_state="PT", requested_state="ES",
                               sent_on=T(-200), status=CR.Status.EXECUTED)  # answered long ago: not listed
    w.req4 = CR.objects.create(case=w.cb, kind=CR.Kind.JIT, requesting_state="PT", requested_state="RO")  # draft
    w.req5 = CR.objects.create(case=w.cb, kind=CR.Kind.VIDEO_TESTIMONY, requesting_state="PT", requested_state="ES",
                               sent_on=T(-10), response_due_on=T(-3), status=CR.Status.EXECUTED)
    w.req7 = CR.objects.create(case=w.cb, kind=CR.Kind.ASSET_RECOVERY, requesting_state="PT", requested_state="BR",
                               sent_on=T(-2), status=CR.Status.SENT)  # no due date: not overdue
    w.req6 = CR.objects.create(case=w.cr, kind=CR.Kind.MLA, requesting_state="PT", requested_state="BR",
                               sent_on=T(-10), status=CR.Status.SENT)  # restricted case: not listed

    # --- Referrals ---
    h = datetime.timedelta(hours=1)
    w.r1 = _refer(v[1], w.cw, w.ngo2, at(T(-45), 10), accepted_after=2 * h, service_after=24 * h, receiver=w.cw2)
    w.r8 = _refer(v[1], w.cw, w.police, at(T(-44), 9), accepted_after=1.5 * h, service_after=3.5 * h, receiver=w.inv)
    w.r2 = _refer(v[2], w.cw, w.ngo2, at(T(-38), 14), urgency=Referral.Urgency.URGENT, accepted_after=5 * h,
                  service_after=48 * h, receiver=w.cw2)
    w.r9 = _refer(v[2], w.cw, w.consulate, at(T(-30), 11), urgency=Referral.Urgency.EMERGENCY)
    w.r4 = _refer(v[4], w.cw, w.ngo2, at(T(-24), 8), accepted_after=0.5 * h, service_after=100 * h, receiver=w.cw2)
    w.r3 = _refer(v[3], w.cw, w.ngo2, at(T(-20), 16), accepted_after=30 * h, service_after=10 * h, receiver=w.cw2)
    w.r6 = _refer(v[6], w.cw, w.ngo2, at(T(-14), 12), accepted_after=12 * h, receiver=w.cw2)
    w.r5 = _refer(v[5], w.cw, w.ngo2, at(T(-5), 9, 30))
    w.r7 = _refer(v[7], w.cw, w.police, at(T(-3), 15))
    w.r10 = _refer(v[8], w.cw, w.police, at(T(-70), 10), accepted_after=h, receiver=w.inv)  # before the period
    w.r11 = _refer(v[11], w.cw, w.ngo2, at(T(-6), 10))  # a victim of a case the focal point is excluded from

    # --- Hearings ---
    clerk, S, D = w.clerk, SpecialMeasure.Measure, SpecialMeasure.Decision
    K = Hearing.Kind

    def hearing(case, kind, starts_at, room=w.room):
        return _schedule(Hearing(case=case, kind=kind, court=w.court, courtroom=room, starts_at=starts_at,
                                 duration_minutes=90), clerk)

    w.h1 = hearing(w.ca, K.TRIAL_DAY, at(T(7), 10))  # a measure asked for, an interpreter
    _measure(clerk, _witness(clerk, hearing=w.h1, victim=v[1]), S.SCREEN)
    _witness(clerk, hearing=w.h1, role="labour inspector", interpreter_language="Romanian")
    w.h2 = hearing(w.ca, K.PRELIMINARY, at(T(14), 10), room=None)  # a measure granted
    _measure(clerk, _witness(clerk, hearing=w.h2, victim=v[2], appearance=HearingWitness.Appearance.VIDEO_LINK),
             S.VIDEO_LINK, D.GRANTED, T(-1))
    w.h3 = hearing(w.ca, K.TRIAL_DAY, at(T(21), 10))  # only a refused measure: no need
    _measure(clerk, _witness(clerk, hearing=w.h3, victim=v[1]), S.CLOSED_SESSION, D.REFUSED, T(-1))
    w.h4 = hearing(w.cb, K.TRIAL_DAY, at(T(10), 9))  # a victim-witness abroad
    _witness(clerk, hearing=w.h4, victim=v[9], appearance=HearingWitness.Appearance.VIDEO_LINK, testifies_from="BR")
    w.h5 = hearing(w.ca, K.DEPOSITION, at(T(28), 9))  # early testimony, a safe waiting room granted
    _measure(clerk, _witness(clerk, hearing=w.h5, victim=v[2], early_testimony=True, leaves_country_on=T(40)),
             S.SAFE_WAITING_ROOM, D.GRANTED, T(-1))
    w.h6 = hearing(w.ca, K.TRIAL_DAY, at(T(35), 10))  # a witness with no need
    _witness(clerk, hearing=w.h6, victim=v[1])
    w.h7 = hearing(w.ca, K.TRIAL_DAY, at(T(-3), 10))  # past
    _witness(clerk, hearing=w.h7, role="labour inspector", interpreter_language="Romanian")
    w.h8 = hearing(w.ca, K.TRIAL_DAY, at(T(100), 10))  # beyond the look-ahead
    _witness(clerk, hearing=w.h8, role="labour inspector", interpreter_language="Romanian")
    w.h9 = hearing(w.ca, K.TRIAL_DAY, at(T(12), 10))  # cancelled
    _witness(clerk, hearing=w.h9, role="labour inspector", interpreter_language="Romanian")
    calendar_services.close(w.h9, actor=clerk, version=Hearing.objects.get(pk=w.h9.pk).version,
                            status=Hearing.Status.CANCELLED, reason="The court is closed that day.")

    # --- Protection orders and violations ---
    PK = ProtectionOrder.Kind
    w.o1 = _order(w.pros, v[1], "PO-1", PK.NO_CONTACT, case=w.ca, court=w.court, issued=T(-90), expires=T(60),
                  review=T(20), relatives=[w.relative])
    w.o2 = _order(w.pros, v[2], "PO-2", PK.RESTRAINING, case=w.ca, court=w.court, issued=T(-100), expires=T(10))
    w.o3 = _order(w.pros, v[2], "PO-3", PK.PROTECTION, case=w.ca, court=w.court, issued=T(-100), expires=T(-20))
    w.o4 = _order(w.pros, v[1], "PO-4", PK.BAIL_CONDITIONS, case=w.ca, court=w.court, issued=T(-200),
                  expires=T(-100))  # expired before the period: not listed
    w.o5 = _order(w.pros, v[1], "PO-5", PK.ANONYMITY, case=None, court=w.court, issued=T(-30))
    w.o6 = _order(w.pros, v[1], "PO-6", PK.WITNESS_PROTECTION, case=w.ca, court=w.court, issued=T(-50))
    protection_services.revoke(w.o6, actor=w.pros, version=ProtectionOrder.objects.get(pk=w.o6.pk).version,
                               on=T(-1), reason="Lifted by the court.")  # revoked: not listed
    w.o7 = _order(w.pros, v[10], "PO-7", PK.NO_CONTACT, case=w.cr, court=w.court, issued=T(-20))  # restricted case
    w.va = _violation(w.pros, w.o1, at(T(-70), 10))  # before the period
    w.vb = _violation(w.pros, w.o1, at(T(-10), 22), action_taken=Violation.Action.ARREST,
                      escalation=Violation.Escalation.POLICE)
    w.vc = _violation(w.pros, w.o5, at(T(-2), 8))
    w.vd = _violation(w.pros, w.o7, at(T(-2), 9))  # restricted case: not listed

    # --- Coordination meetings ---
    w.m1 = _meeting(w.ca, T(-15), [w.police, w.prosecution, w.ngo], "Agreed the joint interview schedule.",
                    w.pros, next_meeting_on=T(15))
    w.m2 = _meeting(w.cb, T(-5), [w.police, w.ngo2], "Shared the evidence request timeline.", w.inv)
    w.m3 = _meeting(w.ca, T(-70), [w.police], "Before the period.", w.pros)
    w.m4 = _meeting(w.cr, T(-10), [w.prosecution], "Restricted case.", w.pros)
    w.m5 = _meeting(w.cx, T(-3), [w.prosecution], "Excluded case.", w.pros)

    # --- Deadlines (and the cooperation request's answer, generated and due yesterday) ---
    DK = Deadline.Kind
    w.d1 = _deadline(w.pros, DK.DISCLOSURE, T(-10), w.prosecution, case=w.ca)  # still open past its date
    w.d2 = deadline_services.mark_missed(_deadline(w.pros, DK.INDICTMENT, T(-20), w.prosecution, case=w.ca))
    w.d3 = deadline_services.extend(_deadline(w.pros, DK.PROCEDURAL, T(-5), w.police, case=w.ca), actor=w.pros,
                                    new_due_at=deadline_services.end_of_day(T(20)), reason="Defence asked for time.")
    w.d4 = deadline_services.extend(_deadline(w.inv, DK.PROCEDURAL, T(-3), w.police, case=w.cb), actor=w.inv,
                                    new_due_at=deadline_services.end_of_day(T(-1)), reason="Translation late.")
    w.d5 = _deadline(w.pros, DK.DISCLOSURE, T(-90), w.prosecution, case=w.ca)  # due before the period
    w.d6 = deadline_services.mark_met(_deadline(w.pros, DK.DISCLOSURE, T(-8), w.prosecution, case=w.ca),
                                      actor=w.pros)
    w.d7 = _deadline(w.pros, DK.PROCEDURAL, T(-4), w.prosecution, case=w.cr)  # restricted case
    w.d8 = _deadline(w.cw, DK.PROCEDURAL, T(-2), w.ngo, victim=v[3])  # of no case, held by an agency of the district
    w.period = Period(date_from=T(-60), date_to=T(30), jurisdiction=w.jurisdiction)
    return w


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def district(db):
    """Just the district and an agency abroad, for tests of the filters."""
    today = timezone.localdate()
    jurisdiction = Jurisdiction.objects.create(country="PT", name="Porto judicial district (coordination tests)")
    consulate = Agency.objects.create(name="Brazilian Consulate Test", kind="consular", country="BR")
    return SimpleNamespace(jurisdiction=jurisdiction, consulate=consulate, period=Period(
        today - datetime.timedelta(days=60), today + datetime.timedelta(days=30), jurisdiction))


def report_for(user, period):
    return {table.key: table for table in coordination.build(user, period).tables}


def cells(table):
    return [row for row, _links in table.rows()]


def links(table):
    return [tuple(link) for _row, link in table.rows()]


def params(w, **extra):
    query = {"date_from": w.period.date_from.isoformat(), "date_to": w.period.date_to.isoformat(),
             "jurisdiction": w.jurisdiction.pk}
    query.update(extra)
    return query


def api_params(w, **extra):
    query = {"from": w.period.date_from.isoformat(), "to": w.period.date_to.isoformat(),
             "jurisdiction": w.jurisdiction.pk}
    query.update(extra)
    return query


# --- What each table holds ---------------------------------------------------------------------

def expected_rows(w):
    """Every table's rows as the focal point gets them for the world's period."""
    T, v = w.T, w.v
    pros_office = w.prosecution.name

    def parts(*pairs):
        return "; ".join(f"{name} ({label})" for name, label in pairs)

    rows = {}
    rows["international_cases"] = [
        ["CO-A", "Coordination test A: farm labour across borders", "Investigation", T(-100), "yes",
         "Brazil; Romania", "Spain", "Portugal", pros_office,
         parts((w.focal_office.name, "Coordination / focal point"), (w.court.name, "Court"),
               (w.ngo.name, "Supporting service provider"), (w.police.name, "Investigating agency"),
               (w.prosecution.name, "Prosecuting office")), 3],
        ["CO-B", "Coordination test B: request for evidence abroad", "Intake", T(-20), "no", "", "", "", None,
         parts((w.police.name, "Investigating agency")), 3],
        ["CO-E", "Coordination test E: closed in the period", "Closed without charge", T(-50), "no", "", "", "Spain",
         pros_office, parts((w.prosecution.name, "Prosecuting office")), 0],
        ["CO-R2", "Coordination test R2: restricted, focal point on the team", "Intake", T(-30), "yes", "Brazil", "",
         "", pros_office, parts((w.prosecution.name, "Prosecuting office")), 0],
    ]
    rows["cooperation_requests"] = [
        ["CO-A", "Extradition", "We are requested", "Romania", "Portugal", T(-100), T(10), "Acknowledged", "no", "yes",
         T(-50), "yes"],
        ["CO-A", "Mutual legal assistance", "We request", "Portugal", "Brazil", T(-30), T(-1), "Sent", "yes", "no", None,
         "no"],
        ["CO-B", "Testimony by video link", "We request", "Portugal", "Spain", T(-10), T(-3), "Executed", "no", "no",
         None, "no"],
        ["CO-B", "Asset recovery", "We request", "Portugal", "Brazil", T(-2), None, "Sent", "no", "no", None, "no"],
        ["CO-B", "Joint investigation team", "We request", "Portugal", "Romania", None, None, "Draft", "no", "no", None,
         "no"],
    ]

    def referral(r, victim, to, urgency, status, international, days, acceptance, service):
        return [victim.code, w.ngo.name, to.name, urgency, status, international, naive(r.sent_at), days,
                acceptance, service]

    rows["referrals"] = [
        referral(w.r1, v[1], w.ngo2, "Routine", "In progress", "no", 5, 2.0, 24.0),
        referral(w.r8, v[1], w.police, "Routine", "In progress", "no", 6, 1.5, 3.5),
        referral(w.r2, v[2], w.ngo2, "Urgent", "In progress", "no", 2, 5.0, 48.0),
        referral(w.r9, v[2], w.consulate, "Emergency", "Sent", "yes", 10, None, None),
        referral(w.r4, v[4], w.ngo2, "Routine", "In progress", "no", 1, 0.5, 100.0),
        referral(w.r3, v[3], w.ngo2, "Routine", "In progress", "no", 10, 30.0, 10.0),
        referral(w.r6, v[6], w.ngo2, "Routine", "Accepted", "no", 3, 12.0, None),
        referral(w.r5, v[5], w.ngo2, "Routine", "Sent", "no", 7, None, None),
        referral(w.r7, v[7], w.police, "Routine", "Sent", "no", None, None, None),
    ]
    rows["hearings"] = [
        ["CO-A", "Trial day", datetime.datetime.combine(T(7), datetime.time(10)), w.court.name, "Room A", v[1].code,
         f"{v[1].code}: Screen (Not yet decided)", "Romanian (not booked)", "", "", "no", "yes"],
        ["CO-B", "Trial day", datetime.datetime.combine(T(10), datetime.time(9)), w.court.name, "Room A", v[9].code,
         "", "", f"{v[9].code}: Brazil", "", "no", "yes"],
        ["CO-A", "Preliminary hearing", datetime.datetime.combine(T(14), datetime.time(10)), w.court.name, None,
         v[2].code, f"{v[2].code}: Video link / CCTV (Granted)", "", "", "", "no", None],
        ["CO-A", "Deposition / pre-trial testimony", datetime.datetime.combine(T(28), datetime.time(9)), w.court.name,
         "Room A", v[2].code, f"{v[2].code}: Safe waiting room (Granted)", "", "", f"{v[2].code} leaves on {T(40)}",
         "yes", "yes"],
    ]
    rows["protection_orders"] = [
        ["PO-3", "Protection order", "Expired", "CO-A", v[2].code, 0, w.court.name, T(-100), T(-20), "yes", None, 0],
        ["PO-2", "Restraining order", "Active", "CO-A", v[2].code, 0, w.court.name, T(-100), T(10), "yes", None, 0],
        ["PO-1", "No-contact order", "Active", "CO-A", v[1].code, 1, w.court.name, T(-90), T(60), "no", T(20), 2],
        ["PO-5", "Anonymity order", "Active", None, v[1].code, 0, w.court.name, T(-30), None, "no", None, 1],
    ]
    rows["violations"] = [
        ["PO-1", "No-contact order", "CO-A", v[1].code, naive(w.vb.occurred_at), naive(w.vb.reported_at), "Arrest",
         "Police"],
        ["PO-5", "Anonymity order", None, v[1].code, naive(w.vc.occurred_at), naive(w.vc.reported_at), "No action yet",
         "Not escalated"],
    ]
    rows["meetings"] = [
        ["CO-A", T(-15), "; ".join(sorted([w.police.name, w.prosecution.name, w.ngo.name])),
         "Agreed the joint interview schedule.", T(15)],
        ["CO-B", T(-5), "; ".join(sorted([w.police.name, w.ngo2.name])), "Shared the evidence request timeline.", None],
    ]
    rows["deadlines_by_kind"] = [
        ["Cooperation request answer", 1, 0],  # generated from the overdue request
        ["Disclosure", 1, 0],
        ["Indictment", 1, 0],
        ["Procedural (agreed)", 2, 2],
    ]
    rows["deadlines_by_agency"] = [
        [w.ngo.name, 1, 0],
        [w.police.name, 1, 2],
        [w.prosecution.name, 3, 0],
    ]
    return rows


def test_each_table_holds_exactly_the_known_rows(world):
    w = world
    tables = report_for(w.focal, w.period)
    assert list(tables) == TABLE_KEYS
    expected = expected_rows(w)
    for key in TABLE_KEYS:
        if key == "referral_timings":
            continue
        assert cells(tables[key]) == expected[key], key
        assert tables[key].count() == len(expected[key]), key
    # The rows the page links: the focal point opens the case its office coordinates and the one it
    # is on the team of, not the others; the hearings of the case it may open.
    # (id, may open it, restricted: its showing is logged)
    assert links(tables["international_cases"]) == [(w.ca.pk, True, False), (w.cb.pk, False, False),
                                                    (w.ce.pk, False, False), (w.cr2.pk, True, True)]
    assert links(tables["hearings"]) == [(w.h1.pk, True), (w.h4.pk, False), (w.h2.pk, True), (w.h5.pk, True)]
    assert links(tables["protection_orders"]) == [(o.pk, False) for o in (w.o3, w.o2, w.o1, w.o5)]
    # The generated cooperation deadline is what the missed count holds for it.
    generated = Deadline.objects.get(cooperation_request=w.req1)
    assert (generated.kind, generated.responsible_agency, generated.status) == (
        Deadline.Kind.COOPERATION_RESPONSE, w.prosecution, Deadline.Status.OPEN)


def test_referral_timings_per_receiving_agency_are_exact_medians_and_90th_percentiles(world):
    w = world
    table = report_for(w.focal, w.period)["referral_timings"]
    rows = cells(table)
    assert [row[0] for row in rows] == [w.consulate.name, w.ngo2.name, w.police.name]

    def timed(referrals):
        days = [(r.sent_at.date() - StatusDecision.objects.filter(victim=r.victim).order_by("decided_on")
                 .first().decided_on).days for r in referrals if r.victim.status != Victim.Status.POTENTIAL]
        acceptance = [(r.accepted_at - r.sent_at).total_seconds() / 3600 for r in referrals if r.accepted_at]
        service = [(r.first_service_at - r.accepted_at).total_seconds() / 3600 for r in referrals if r.first_service_at]
        return days, acceptance, service

    ngo2 = [Referral.objects.get(pk=r.pk) for r in (w.r1, w.r2, w.r3, w.r4, w.r5, w.r6)]
    days, acceptance, service = timed(ngo2)
    assert sorted(days) == [1, 2, 3, 5, 7, 10] and sorted(acceptance) == [0.5, 2, 5, 12, 30]
    assert sorted(service) == [10, 24, 48, 100]

    def stats(data):
        return [len(data), statistics.median(data), statistics.quantiles(data, n=10, method="inclusive")[8]]

    expected_ngo2 = [w.ngo2.name, 6]
    for data in (days, acceptance, service):
        n, median, p90 = stats(data)
        expected_ngo2 += [n, round(median, 1), round(p90, 1)]
    assert rows[1] == expected_ngo2 == [w.ngo2.name, 6, 6, 4.0, 8.5, 5, 5.0, 22.8, 4, 36.0, 84.4]
    # Unrounded, straight from percentile_cont, as statistics computes them.
    raw = {row[0]: row for row in table.query()}
    for offset, data in zip((3, 6, 9), (days, acceptance, service)):
        assert raw[w.ngo2.name][offset] == pytest.approx(statistics.median(data), abs=1e-9)
        assert raw[w.ngo2.name][offset + 1] == pytest.approx(
            statistics.quantiles(data, n=10, method="inclusive")[8], abs=1e-9)
    # One referral timed, one not identified: the single value is both median and 90th percentile.
    assert rows[2] == [w.police.name, 2, 1, 6.0, 6.0, 1, 1.5, 1.5, 1, 3.5, 3.5]
    # No step happened: nothing to take a median of.
    assert rows[0] == [w.consulate.name, 1, 1, 10.0, 10.0, 0, None, None, 0, None, None]


def test_the_agency_filter_narrows_every_table_to_what_concerns_that_agency(world):
    w = world
    tables = report_for(w.focal, Period(w.period.date_from, w.period.date_to, w.jurisdiction, agency=w.ngo2))
    assert [row[0] for row in cells(tables["international_cases"])] == []  # Beta takes part in no case
    assert [row[2] for row in cells(tables["referrals"])] == [w.ngo2.name] * 6
    assert [row[0] for row in cells(tables["referral_timings"])] == [w.ngo2.name]
    assert cells(tables["meetings"]) == [expected_rows(w)["meetings"][1]]  # attended
    assert cells(tables["deadlines_by_agency"]) == []
    tables = report_for(w.focal, Period(w.period.date_from, w.period.date_to, w.jurisdiction, agency=w.police))
    assert [row[0] for row in cells(tables["international_cases"])] == ["CO-A", "CO-B"]
    assert [row[0] for row in cells(tables["hearings"])] == ["CO-A", "CO-B", "CO-A", "CO-A"]
    assert cells(tables["deadlines_by_agency"]) == [[w.police.name, 1, 2]]
    assert cells(tables["deadlines_by_kind"]) == [["Procedural (agreed)", 1, 2]]


def test_deadlines_of_a_victim_kept_from_the_focal_point_are_not_counted(world):
    """An exclusion from a case keeps the focal point from that case's victims: their referral
    is not listed (see above), nor is its answer's deadline counted when missed."""
    w = world
    for referral in (w.r5, w.r11):  # both to Beta; r11's victim is in the case the focal point is kept from
        deadline_services.mark_missed(Deadline.objects.get(referral=referral))
    tables = report_for(w.focal, w.period)
    expected = expected_rows(w)
    assert cells(tables["deadlines_by_kind"]) == expected["deadlines_by_kind"] + [["Referral answer", 1, 0]]
    assert cells(tables["deadlines_by_agency"]) == [[w.ngo.name, 1, 0], [w.ngo2.name, 1, 0], [w.police.name, 1, 2],
                                                    [w.prosecution.name, 3, 0]]
    listed = access.visible(w.focal, Deadline, "coordinate")
    assert listed.filter(referral=w.r5).exists() and not listed.filter(referral=w.r11).exists()
    # The supervisor, not excluded from that case, counts... nothing of the NGOs' (not their office's).
    assert not access.visible(w.sup, Deadline, "coordinate").filter(referral__in=[w.r5, w.r11]).exists()


# --- The access policy ------------------------------------------------------------------------

def mine(w, queryset):
    return set(queryset.filter(jurisdiction=w.jurisdiction).values_list("reference", flat=True))


def test_the_focal_point_lists_every_unrestricted_case_of_its_country_and_no_other(world, demo):
    w = world
    listed = access.visible(w.focal, Case, "coordinate")
    # Restricted CO-R stays with its team; CO-R2 is listed because the focal point is on its team;
    # CO-X names the focal point in an exclusion. Listed whether or not it may open them.
    assert mine(w, listed) == {"CO-A", "CO-B", "CO-C", "CO-D", "CO-E", "CO-F", "CO-R2"}
    assert mine(w, access.visible(w.focal, Case)) == {"CO-A", "CO-R2"}
    assert not listed.exclude(jurisdiction__country="PT").exists()
    assert not listed.filter(is_restricted=True).exclude(pk=w.cr2.pk).exists()
    assert demo.case("C4") not in listed and demo.case("C2") not in listed
    assert {demo.case("C1"), demo.case("C3")} <= set(listed)
    # Of its report: the international ones open in the period.
    table = report_for(w.focal, w.period)["international_cases"]
    assert [row[0] for row in cells(table)] == ["CO-A", "CO-B", "CO-E", "CO-R2"]
    # The jurisdictions it may report on are its country's; another country's is refused.
    assert w.jurisdiction in access.coordinated_jurisdictions(w.focal)
    assert not access.coordinated_jurisdictions(w.focal).exclude(country="PT").exists()
    # Everything else it lists follows the cases: nothing of CO-R or CO-X anywhere.
    assert not access.visible(w.focal, CooperationRequest, "coordinate").filter(case__in=[w.cr, w.cx]).exists()
    assert not access.visible(w.focal, CoordinationMeeting, "coordinate").filter(case__in=[w.cr, w.cx]).exists()
    assert not access.visible(w.focal, Hearing, "coordinate").filter(case__in=[w.cr, w.cx]).exists()
    assert not access.visible(w.focal, ProtectionOrder, "coordinate").filter(case__in=[w.cr, w.cx]).exists()
    assert not access.visible(w.focal, Violation, "coordinate").filter(order=w.o7).exists()
    assert not access.visible(w.focal, Deadline, "coordinate").filter(case__in=[w.cr, w.cx]).exists()
    assert not access.visible(w.focal, Referral, "coordinate").filter(victim=w.v[11]).exists()


def test_what_follows_a_case_is_listed_exactly_when_its_case_is(world, demo):
    """The focal point's reach over its country is tested on each row's case (joined), not as
    an id set: the same rows, the restricted case it is on the team of (a grant) included, and
    none of the one it is excluded from."""
    w = world
    on_team = _deadline(w.pros, Deadline.Kind.PROCEDURAL, w.T(3), w.prosecution, case=w.cr2)
    kept_out = _deadline(w.pros, Deadline.Kind.PROCEDURAL, w.T(3), w.prosecution, case=w.cr)
    listed_cases = access.visible(w.focal, Case, "coordinate")
    for model in (Hearing, CooperationRequest, CoordinationMeeting, Deadline, ProtectionOrder):
        listed = access.visible(w.focal, model, "coordinate").filter(case__isnull=False)
        expected = model.objects.filter(case__in=listed_cases.values("pk"))
        if model is ProtectionOrder:  # nor an order protecting a victim of a case it is excluded from
            expected = expected.exclude(victim__in=VictimCaseLink.objects.filter(
                case__in=CaseExclusion.objects.filter(user=w.focal).values("case_id")).values("victim_id"))
        assert set(listed) == set(expected), model
        assert expected.exists(), model
    listed = access.visible(w.focal, Deadline, "coordinate")
    assert on_team in listed and kept_out not in listed
    # The shape that keeps the report fast at national size: no union of ids for the reach.
    sql = str(access.visible(w.focal, Hearing, "coordinate").query)
    assert "UNION" not in sql and '"accounts_jurisdiction"."country" = PT' in sql
    # Without a reach (a supervisor) the case ids are one grant subquery, as on every other page.
    assert "accounts_jurisdiction" not in str(access.visible(w.sup, Hearing, "coordinate").query)


def test_a_supervisor_lists_only_the_cases_they_may_see(world, demo):
    w = world
    listed = access.visible(w.sup, Case, "coordinate")
    # Their office's unrestricted cases, except the one they are excluded from (CO-E); CO-B is the
    # police's alone.
    assert mine(w, listed) == {"CO-A", "CO-C", "CO-D", "CO-F", "CO-X"}
    assert set(listed) <= set(access.visible(w.sup, Case))
    tables = report_for(w.sup, w.period)
    assert [row[0] for row in cells(tables["international_cases"])] == ["CO-A", "CO-X"]
    assert links(tables["international_cases"]) == [(w.ca.pk, True, False), (w.cx.pk, True, False)]
    assert [row[0] for row in cells(tables["cooperation_requests"])] == ["CO-A", "CO-A"]
    assert [row[0] for row in cells(tables["hearings"])] == ["CO-A", "CO-A", "CO-A"]
    assert [row[0] for row in cells(tables["meetings"])] == ["CO-A", "CO-X"]
    # Referrals: only those their own office sent or received (none here).
    assert cells(tables["referrals"]) == []
    assert access.coordinated_jurisdictions(w.sup).get() == w.jurisdiction
    # The demo supervisor: every listed case is one they may see (excluded from C3).
    supervisor = demo.user("supervisor")
    demo_listed = access.visible(supervisor, Case, "coordinate")
    assert set(demo_listed) <= set(access.visible(supervisor, Case))
    assert demo.case("C3") not in demo_listed and demo.case("C2") not in demo_listed


@pytest.mark.parametrize("username", NON_COORDINATORS)
def test_other_functions_neither_open_the_report_nor_list_anything(username, login, api_login, demo):
    user = demo.user(username)
    assert login(username).get(URL).status_code == 403
    response = api_login(username).get(API)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only focal points and supervisors read coordination reports."}
    for model in (Case, CooperationRequest, CoordinationMeeting, Referral, Hearing, HearingWitness, SpecialMeasure,
                  ProtectionOrder, Violation, Deadline):
        assert not access.visible(user, model, "coordinate").exists(), model
    assert not access.may_use(user, Case, "coordinate")
    assert not access.coordinated_jurisdictions(user).exists()


def test_a_focal_point_outside_a_coordination_office_reaches_only_its_own_agencys_cases(world, api_login):
    w = world
    stray = factories.user(w.police, "focal_point", username="coord-stray-focal")
    # No reach over the country: the cases its agency takes part in, which it may see anyway.
    listed = mine(w, access.visible(stray, Case, "coordinate"))
    assert listed == {"CO-A", "CO-B"} == mine(w, access.visible(stray, Case))
    assert not access.coordinated_jurisdictions(stray).exists()
    client = APIClient()
    client.force_authenticate(stray)
    response = client.get(API)
    assert response.status_code == 400
    assert response.json() == {"jurisdiction": ["Choose the jurisdiction the report covers."]}
    assert client.get(API, api_params(w)).json() == {"jurisdiction": ["That is not a jurisdiction you can report on."]}


# --- Identity never reaches the report ---------------------------------------------------------

FIELDS = {
    "international_cases": ["reference", "title", "stage", "opened_on", "is_transnational", "countries_of_origin",
                            "countries_of_transit", "countries_of_destination", "prosecuting_office",
                            "agencies_taking_part", "cooperation_request_count", "pk", "may_view",
                            "is_restricted"],
    "cooperation_requests": ["case__reference", "kind", "direction", "requesting_state", "requested_state", "sent_on",
                             "response_due_on", "status", "is_overdue", "is_screened", "screened_on", "has_risk"],
    "referrals": ["victim__code", "from_agency__name", "to_agency__name", "urgency", "status", "is_international",
                  "sent_at", "identification_to_referral_days", "referral_to_acceptance_hours",
                  "acceptance_to_first_service_hours"],
    "referral_timings": ["to_agency__name", "referrals",
                         "identification_to_referral_days_n", "identification_to_referral_days_median",
                         "identification_to_referral_days_p90",
                         "referral_to_acceptance_hours_n", "referral_to_acceptance_hours_median",
                         "referral_to_acceptance_hours_p90",
                         "acceptance_to_first_service_hours_n", "acceptance_to_first_service_hours_median",
                         "acceptance_to_first_service_hours_p90"],
    "hearings": ["case__reference", "kind", "starts_at", "court__name", "courtroom__name", "victim_witness_codes",
                 "measures", "interpreters", "abroad", "early_testimony", "safe_waiting_room_needed",
                 "courtroom__has_safe_waiting_room", "pk", "may_view"],
    "protection_orders": ["court_reference", "kind", "status", "case__reference", "victim__code", "relatives",
                          "issuing_court__name", "effective_from", "expires_on", "expires_in_period", "next_review_on",
                          "violation_count", "pk", "may_view"],
    "violations": ["order__court_reference", "order__kind", "order__case__reference", "order__victim__code",
                   "occurred_at", "reported_at", "action_taken", "escalation"],
    "meetings": ["case__reference", "held_on", "attending", "decisions", "next_meeting_on"],
    "deadlines_by_kind": ["kind", "missed", "extended"],
    "deadlines_by_agency": ["responsible_agency__name", "missed", "extended"],
}
IDENTITY_SQL = ["victims_victimidentity", "victims_identitydocument", "victims_protectedrelative",
                '"cases_defendant"."name"', "given_names", "family_name", "aliases", "date_of_birth",
                "shelter_location", '"mailing_street"', '"mailing_postal_code"', '"email"', '"home_phone"',
                '"mobile_phone"', '"contact"']


def identity_values():
    values = set()
    # City, state, country and salutation are left out: alone they name no one, and a town's or a
    # country's name is rightly all over a coordination report.
    for row in VictimIdentity.objects.values_list("given_names", "family_name", "aliases", "mailing_street",
                                                  "mailing_postal_code", "email", "home_phone", "mobile_phone",
                                                  "shelter_location", "contact", "date_of_birth"):
        values |= {str(value) for value in row if value}
    values |= {name for name in ProtectedRelative.objects.values_list("name", flat=True) if name}
    return values


def test_no_query_of_the_report_touches_identity_and_every_selected_column_is_reviewed(world, count_queries):
    w = world
    for user in (w.focal, w.sup):
        with count_queries.capture() as queries:
            report = coordination.build(user, w.period)
            shown = {}
            for table in report.tables:
                table.count()
                shown[table.key] = list(table.rows())
        assert len(queries) >= 2 * len(TABLE_KEYS)
        for query in queries:
            sql = query["sql"].lower()
            assert not [word for word in IDENTITY_SQL if word in sql], query["sql"]
        assert {table.key: table.fields for table in report.tables} == FIELDS
        # Nor does any identity value reach a cell.
        secrets = identity_values()
        text = json.dumps([[cell_text(c) for c in row] for rows in shown.values() for row, _l in rows])
        assert not [value for value in secrets if value in text]
    assert "Zephyrine" in secrets and "Aurelio Quillbrook" in secrets  # the check checks something


def _present(values, html):
    return [value for value in values if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", html)]


def test_the_page_shows_no_identity_of_any_victim(world, login):
    client = login("focalpoint")
    secrets = identity_values()
    assert len(secrets) > 40
    for query in (params(world), {}):  # this world's district, and the demo's (the default)
        response = client.get(URL, query)
        assert response.status_code == 200
        html = response.content.decode()
        assert not _present(secrets, html)
    assert world.v[1].code in login("focalpoint").get(URL, params(world)).content.decode()


# --- The page ---------------------------------------------------------------------------------

class TableCells(HTMLParser):
    """The <td> texts of each report table on a page, by its data-table key; and each row's link."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.links, self._table, self._cell, self._row = {}, {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._table = attrs["data-table"]
            self.tables[self._table], self.links[self._table] = [], []
        elif self._table and tag == "tr":
            self._row = []
        elif self._table and tag == "td" and self._row is not None:
            self._cell = ""
        elif self._table and tag == "a" and self._row is not None and not self._row and self._cell is not None:
            self._href = attrs["href"]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.tables[self._table].append(self._row)
                self.links[self._table].append(getattr(self, "_href", None))
            self._row, self._href = None, None
        elif tag == "table":
            self._table = None


def page_tables(html):
    parser = TableCells()
    parser.feed(html)
    return parser


def as_text(rows):
    return [[cell_text(value) for value in row] for row in rows]


def test_the_page_shows_each_section_its_counts_and_rows_linking_only_what_may_be_opened(world, login):
    w = world
    before = ExportJob.objects.count()
    response = login("focalpoint").get(URL, params(w))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("1. Cases with international elements", "2. Referrals between agencies",
                    "3. Upcoming hearings that need coordination", "4. Protection orders and violations",
                    "5. Coordination meetings held", "6. Missed and extended deadlines",
                    "Their cooperation requests", "Referral timings per receiving agency",
                    "Protection orders in force or expiring in the period", "Violations of protection orders",
                    "Missed and extended deadlines by type", "Missed and extended deadlines by responsible agency"):
        assert heading in html, heading
    expected = expected_rows(w)
    counts = dict(re.findall(r'<small class="count" data-table="(\w+)" data-count="(\d+)">', html))
    assert counts == {key: str(len(expected[key]) if key != "referral_timings" else 3) for key in TABLE_KEYS}
    shown = page_tables(html)
    for key in TABLE_KEYS:
        if key != "referral_timings":
            assert shown.tables[key] == as_text(expected[key]), key
    assert shown.tables["referral_timings"][1] == [w.ngo2.name, "6", "6", "4.0", "8.5", "5", "5.0", "22.8", "4",
                                                   "36.0", "84.4"]
    case_url = lambda case: reverse("case-detail", args=[case.pk])  # noqa: E731
    assert shown.links["international_cases"] == [case_url(w.ca), None, None, case_url(w.cr2)]
    assert f'<a href="{case_url(w.ca)}">CO-A</a>' in html and f'href="{case_url(w.cb)}"' not in html
    hearing_url = lambda hearing: reverse("hearing-detail", args=[hearing.pk])  # noqa: E731
    assert shown.links["hearings"] == [hearing_url(w.h1), None, hearing_url(w.h2), hearing_url(w.h5)]
    assert shown.links["protection_orders"] == [None] * 4
    assert "Classification:" in html and ExportJob.objects.count() == before


BAD_INPUT = [
    ("the end before the start", {"date_from": "2026-03-01", "date_to": "2026-02-28"},
     "date_to", "The period cannot end before it starts."),
    ("more than five years", {"date_from": "2020-01-01", "date_to": "2025-01-02"},
     "date_to", "A report covers at most 5 years."),
    ("an unknown jurisdiction", {"jurisdiction": "999999999"}, "jurisdiction",
     "That is not a jurisdiction you can report on."),
    ("another country's jurisdiction", {"jurisdiction": "BR"}, "jurisdiction",
     "That is not a jurisdiction you can report on."),
    ("an unknown agency", {"agency": "999999999"}, "agency", "That is not an agency you can report on."),
    ("another country's agency", {"agency": "BR"}, "agency", "That is not an agency you can report on."),
    ("no date", {"date_from": ""}, "date_from", "This field is required."),
]


def _bad(world, change):
    change = dict(change)
    if change.get("jurisdiction") == "BR":
        change["jurisdiction"] = Jurisdiction.objects.exclude(country="PT").earliest("pk").pk
    if change.get("agency") == "BR":
        change["agency"] = world.consulate.pk
    return change


@pytest.mark.parametrize("what,change,field,message", BAD_INPUT, ids=[case[0] for case in BAD_INPUT])
def test_bad_filters_are_refused_at_their_field_with_400(district, login, what, change, field, message):
    before = ExportJob.objects.count()
    response = login("focalpoint").get(URL, params(district, **_bad(district, change)))
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    html = response.content.decode()
    label = re.search(rf'<label for="id_{field}">.*?</label>', html, re.S).group(0)
    assert f'<small class="error" role="alert">{message}</small>' in label
    assert 'data-table="international_cases"' not in html and "1. Cases with international elements" not in html
    assert ExportJob.objects.count() == before


def test_a_supervisor_may_not_report_on_another_district(world, login):
    client = factories.log_in(Client(), world.sup)
    other = Jurisdiction.objects.filter(country="PT").exclude(pk=world.jurisdiction.pk).earliest("pk")  # the demo's
    response = client.get(URL, params(world, jurisdiction=other.pk))
    assert response.status_code == 400
    assert response.context["form"].errors == {"jurisdiction": ["That is not a jurisdiction you can report on."]}
    assert client.get(URL, params(world)).status_code == 200


# --- The API ----------------------------------------------------------------------------------

def jsonable(rows):
    return json.loads(json.dumps(rows, cls=JSONEncoder))


def test_the_api_gives_the_same_rows_as_the_page(world, api_login, login):
    w = world
    response = api_login("focalpoint").get(API, api_params(w))
    assert response.status_code == 200
    body = response.json()
    assert body["filters"] == {"from": w.period.date_from.isoformat(), "to": w.period.date_to.isoformat(),
                               "jurisdiction": w.jurisdiction.pk, "agency": None}
    assert [table["key"] for table in body["tables"]] == TABLE_KEYS
    expected = expected_rows(w)
    page = page_tables(login("focalpoint").get(URL, params(w)).content.decode())
    for table in body["tables"]:
        key = table["key"]
        assert (table["page"], table["pages"]) == (1, 1)
        if key == "referral_timings":
            assert table["count"] == 3
            assert table["rows"][1] == [w.ngo2.name, 6, 6, 4.0, 8.5, 5, 5.0, 22.8, 4, 36.0, 84.4]
            continue
        assert table["count"] == len(expected[key])
        assert table["rows"] == jsonable(expected[key]), key
        assert page.tables[key] == as_text(expected[key]), key  # the page's cells: the same rows
    referrals = next(table for table in body["tables"] if table["key"] == "referrals")
    assert referrals["rows"][0][6] == naive(w.r1.sent_at).isoformat()
    assert [column["key"] for column in referrals["columns"]] == FIELDS["referrals"]
    assert [column["type"] for column in referrals["columns"]][-4:] == ["datetime", "int", "number", "number"]


def test_the_api_pages_one_table(world, api_login, monkeypatch):
    w = world
    monkeypatch.setattr(report_api, "PAGE_SIZE", 4)
    client = api_login("focalpoint")
    expected = jsonable(expected_rows(w)["referrals"])
    pages = []
    for page in (1, 2, 3, 4):
        response = client.get(API, api_params(w, table="referrals", page=page))
        assert response.status_code == 200
        (table,) = response.json()["tables"]
        assert (table["key"], table["count"], table["page"], table["pages"]) == ("referrals", 9, page, 3)
        pages.append(table["rows"])
    assert pages == [expected[0:4], expected[4:8], expected[8:9], []]


BAD_API = [
    ({"from": "2026-03-01", "to": "2026-02-28"}, {"to": ["The period cannot end before it starts."]}),
    ({"from": "2020-01-01", "to": "2025-01-02"}, {"to": ["A report covers at most 5 years."]}),
    ({"jurisdiction": "999999999"}, {"jurisdiction": ["That is not a jurisdiction you can report on."]}),
    ({"jurisdiction": "BR"}, {"jurisdiction": ["That is not a jurisdiction you can report on."]}),
    ({"agency": "999999999"}, {"agency": ["That is not an agency you can report on."]}),
    ({"from": "yesterday"}, {"from": ["Enter a valid date."]}),
    ({"table": "victims"}, {"table": ["There is no table “victims”."]}),
    ({"page": "0"}, {"page": ["A page is a whole number from 1."]}),
    ({"page": "two"}, {"page": ["A page is a whole number from 1."]}),
]


@pytest.mark.parametrize("change,errors", BAD_API)
def test_the_api_refuses_bad_input_with_field_errors(district, api_login, change, errors):
    response = api_login("focalpoint").get(API, api_params(district, **_bad(district, change)))
    assert response.status_code == 400
    assert response.json() == errors


def test_the_api_defaults_to_the_users_district_and_last_three_months(world, api_login):
    client = APIClient()
    client.force_authenticate(world.sup)
    body = client.get(API, {"table": "meetings"}).json()
    assert body["filters"]["jurisdiction"] == world.jurisdiction.pk
    assert body["filters"]["to"] == timezone.localdate().isoformat()
    # Three months back: the meeting of 70 days ago too.
    assert [row[0] for row in body["tables"][0]["rows"]] == ["CO-A", "CO-A", "CO-X"]
    # Dates without a jurisdiction: the user's own district.
    body = client.get(API, {**api_params(world, table="meetings"), "jurisdiction": ""}).json()
    assert body["filters"] == {**api_params(world), "agency": None}
    assert [row[0] for row in body["tables"][0]["rows"]] == ["CO-A", "CO-X"]


def test_the_endpoint_is_in_the_openapi_schema(db, tmp_path, login):
    response = login("focalpoint").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content) if response.content.lstrip().startswith(b"{") else None
    text = response.content.decode()
    assert "/api/reports/coordination/" in text and "coordination_report" in text
    if schema is not None:
        names = {p["name"] for p in schema["paths"]["/api/reports/coordination/"]["get"]["parameters"]}
        assert names == {"from", "to", "jurisdiction", "agency", "table", "page"}
    reset_generator_stats()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/reports/coordination/:" in (tmp_path / "schema.yaml").read_text()


# --- Constant queries -------------------------------------------------------------------------

def add_rows(w, n):
    """n more rows in most tables of the world's report."""
    T = w.T
    for i in range(n):
        case = case_services.open_case(actor=w.pros, reference=f"CO-MORE-{i:03d}", title=f"More {i}",
                                       jurisdiction=w.jurisdiction, is_transnational=True, countries_of_origin=["BR"],
                                       court=w.court, agencies=[(w.police, R.INVESTIGATING)])
        CooperationRequest.objects.create(case=case, kind=CooperationRequest.Kind.MLA, requesting_state="PT",
                                          requested_state="BR", sent_on=T(-5), response_due_on=T(-1),
                                          status=CooperationRequest.Status.SENT)
        victim = _victim(w.cw, f"Extra{i}", f"Person{i}", supported_by=w.ngo, identified_on=T(-9))
        victim_services.link_to_case(victim, case, L.VICTIM_WITNESS)
        _refer(victim, w.cw, w.ngo2, at(T(-8), 10), accepted_after=datetime.timedelta(hours=i + 1), receiver=w.cw2)
        hearing = _schedule(Hearing(case=case, kind=Hearing.Kind.TRIAL_DAY, court=w.court, courtroom=w.room,
                                    starts_at=at(T(40 + i), 14), duration_minutes=60), w.clerk)
        _witness(w.clerk, hearing=hearing, victim=victim, interpreter_language="Romanian")
        order = _order(w.pros, victim, f"PO-MORE-{i}", ProtectionOrder.Kind.NO_CONTACT, case=case, court=w.court,
                       issued=T(-30), expires=T(60))
        _violation(w.pros, order, at(T(-3), 10))
        _meeting(case, T(-4), [w.police, w.prosecution], f"Meeting {i}.", w.pros)
        _deadline(w.pros, Deadline.Kind.DISCLOSURE, T(-6), w.prosecution, case=case)


def test_the_page_runs_the_same_queries_however_many_rows(world, login, count_queries):
    client = login("focalpoint")
    query = params(world)
    few, response = count_queries(client, URL, query)
    assert 'data-table="international_cases" data-count="4"' in response.content.decode()
    add_rows(world, 20)
    many, response = count_queries(client, URL, query)
    html = response.content.decode()
    counts = dict(re.findall(r'data-table="(\w+)" data-count="(\d+)"', html))
    assert {key: counts[key] for key in ("international_cases", "cooperation_requests", "referrals", "hearings",
                                         "protection_orders", "violations", "meetings")} == {
        "international_cases": "24", "cooperation_requests": "25", "referrals": "29", "hearings": "24",
        "protection_orders": "24", "violations": "22", "meetings": "22"}
    assert many == few


def test_a_restricted_case_the_report_shows_is_logged_like_its_page(world, login):
    """The focal point is on the team of restricted CO-R2: the report lists it, and that view is
    in the access log as surely as opening the case would be; unrestricted rows are not logged."""
    from accounts.models import AccessLog

    w = world
    before = set(AccessLog.objects.values_list("pk", flat=True))
    assert login("focalpoint").get(URL, params(w)).status_code == 200
    entries = AccessLog.objects.exclude(pk__in=before).filter(action=AccessLog.Action.VIEW)
    assert list(entries.values_list("username", "object_label", "object_id", "requested", "purpose")) == [
        ("focalpoint", "CO-R2", str(w.cr2.pk), "list", "coordination report")]


def test_a_table_longer_than_the_screen_shows_its_count_from_the_same_query(world, login, settings, count_queries):
    """With fewer rows on screen than a table holds, the page still says how many there are,
    and asks no COUNT of its own: the count comes with the rows."""
    client = login("focalpoint")
    add_rows(world, 5)
    settings.REPORT_SCREEN_ROWS = 3
    _count, response = count_queries(client, URL, params(world))
    html = response.content.decode()
    counts = dict(re.findall(r'data-table="(\w+)" data-count="(\d+)"', html))
    assert counts["international_cases"] == "9" and counts["meetings"] == "7", counts
    client.get(URL, params(world))
    with count_queries.capture() as queries:
        client.get(URL, params(world))
    # (the one COUNT left is the navigation's unread notifications)
    assert [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")
            and '"deadlines_notification"' not in q["sql"]] == []
