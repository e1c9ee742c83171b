"""Indicators about victims: persons, each counted once however many records they have
[SPEC 2.8, VS 18(e)]. A victim belongs to a jurisdiction when an agency of it recorded them
or they are linked to one of its cases (AggregateScope.victims)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Charge, CompensationClaim
from referrals.models import Referral
from referrals.timings import IDENTIFIED
from victims.models import (
    AssistanceService, CooperationWithAuthorities, Detention, NonPunishmentDecision, StatusDecision, Victim,
)

from .base import AMOUNT, PERSONS, amounts, indicator
from .tally import VICTIM_DIMENSIONS


def _victims(scope, condition):
    return Victim.objects.filter(scope.victims(), condition)


def _having(model, condition, path="victim"):
    """Victims with at least one `model` row matching `condition`."""
    return Q(pk__in=model.objects.filter(condition).values(f"{path}_id"))


@indicator(key="victims_recorded", label=_("Victims recorded"), unit=PERSONS, spec="SPEC 2.3, 2.8",
           dimensions=VICTIM_DIMENSIONS)
def victims_recorded(scope, period, count):
    """Persons first recorded in the period (the record's creation), potential victims
    included. Broken down by "status", it shows where each stands now."""
    return {"persons": count(_victims(scope, period.at("created_at")))}


@indicator(key="victims_identified", label=_("Victims identified"), unit=PERSONS,
           spec="SPEC 2.3, 2.8; NA III.C.1, NA IV.D.1, VS 18(e)", dimensions=VICTIM_DIMENSIONS)
def victims_identified(scope, period, count):
    """Persons with a status decision in the period (its decided_on) recording them as
    presumed or identified victims: "persons" once each, "presumed" and "identified" by the
    decision taken (someone presumed and then identified in the period is in both and once in
    "persons"). A "not a victim" decision identifies nobody [SPEC 2.3]."""
    def decided(statuses):
        return _having(StatusDecision, Q(status__in=statuses) & period.on("decided_on"))
    return count(_victims(scope, decided(IDENTIFIED)),
                 measures={"persons": None, "presumed": decided([Victim.Status.PRESUMED]),
                           "identified": decided([Victim.Status.IDENTIFIED])})


@indicator(key="victims_referred", label=_("Victims referred"), unit=PERSONS, spec="SPEC 2.4, 2.8; NA VI.A",
           dimensions=VICTIM_DIMENSIONS)
def victims_referred(scope, period, count):
    """Persons referred to an agency in the period (the referral's sent_at), whatever the
    referral's outcome; several referrals count the person once."""
    return {"persons": count(_victims(scope, _having(Referral, period.at("sent_at"))))}


def _assisted(period):
    return _having(AssistanceService, period.overlaps("started_on", "ended_on"))


@indicator(key="victims_assisted", label=_("Victims assisted"), unit=PERSONS, spec="SPEC 2.3, 2.8; VS 18(e)",
           dimensions=VICTIM_DIMENSIONS)
def victims_assisted(scope, period, count):
    """Persons receiving an assistance service at some time in the period (started on or
    before its end, not ended before its start), whoever provided it."""
    return {"persons": count(_victims(scope, _assisted(period)))}


@indicator(key="assistance_unconditional", label=_("Assistance not conditional on cooperation"), unit=PERSONS,
           spec="SPEC 2.3, 2.8; VS 18(d), WG 58, PR 1.2.3", dimensions=VICTIM_DIMENSIONS)
def assistance_unconditional(scope, period, count):
    """Of the persons assisted in the period (as victims_assisted), those who do not
    cooperate with the authorities: no cooperation recorded, not asked, considering,
    declined or withdrawn, as recorded now. "share" is not_cooperating / assisted (None when
    nobody was assisted): assistance that reaches those who do not cooperate is the evidence
    that it is not made contingent on cooperation [VS 18(d)]."""
    cooperating = _having(CooperationWithAuthorities, Q(status=CooperationWithAuthorities.Status.COOPERATING))
    counted = count(_victims(scope, _assisted(period)), measures={"assisted": None, "not_cooperating": ~cooperating})
    assisted, not_cooperating = counted["assisted"], counted["not_cooperating"]
    share = not_cooperating.total / assisted.total if assisted.total else None
    return {"assisted": assisted, "not_cooperating": not_cooperating, "share": share}


@indicator(key="victims_detained", label=_("Victims detained"), unit=PERSONS, spec="SPEC 2.3, 2.8; PR 1.2.2",
           dimensions=VICTIM_DIMENSIONS)
def victims_detained(scope, period, count):
    """Persons held in detention at some time in the period (the detention started on or
    before its end and had not ended before its start)."""
    return {"persons": count(_victims(scope, _having(Detention, period.overlaps("started_on", "ended_on"))))}


@indicator(key="victims_prosecuted", label=_("Victims prosecuted"), unit=PERSONS,
           spec="SPEC 2.3, 2.8; PR 1.2.2, PR 2.1, VS 21", dimensions=VICTIM_DIMENSIONS)
def victims_prosecuted(scope, period, count):
    """Non-criminalisation: "persons", victims who are also a defendant charged in the
    period (a charge beyond "proposed" with its charged_on in it); "not_punished", victims
    with a non-punishment decision in the period (decided_on) other than "prosecution
    continues"."""
    charged = Charge.objects.exclude(status=Charge.Status.PROPOSED).filter(period.on("charged_on"),
                                                                          defendant__victim__isnull=False)
    spared = NonPunishmentDecision.objects.filter(period.on("decided_on")).exclude(
        outcome=NonPunishmentDecision.Outcome.PROSECUTION_CONTINUES)
    return {"persons": count(_victims(scope, Q(pk__in=charged.values("defendant__victim_id")))),
            "not_punished": count(_victims(scope, Q(pk__in=spared.values("victim_id"))))}


AWARDED = (CompensationClaim.Status.AWARDED, CompensationClaim.Status.PARTLY_PAID, CompensationClaim.Status.PAID)


def _claims(scope, period):
    """Claims of the scope's victims decided in the period with an award."""
    return CompensationClaim.objects.filter(scope.victims("victim"), period.on("decided_on"), status__in=AWARDED,
                                            amount_awarded__isnull=False)


@indicator(key="compensation_awarded", label=_("Compensation awarded"), unit=AMOUNT,
           spec="SPEC 2.2, 2.8; NA VII.D.2-5", dimensions=VICTIM_DIMENSIONS)
def compensation_awarded(scope, period, count):
    """Compensation awarded by a decision in the period (the claim's decided_on), by any
    route: "persons", the victims awarded some; "awarded", the amounts per currency."""
    claims = _claims(scope, period)
    return {"persons": count(Victim.objects.filter(pk__in=claims.values("victim_id"))),
            "awarded": amounts(claims, "amount_awarded")}


@indicator(key="compensation_paid", label=_("Compensation paid"), unit=AMOUNT, spec="SPEC 2.2, 2.8; NA VII.D.2-5",
           dimensions=VICTIM_DIMENSIONS)
def compensation_paid(scope, period, count):
    """Of the awards decided in the period (as compensation_awarded), what has been paid as
    recorded now: "persons", victims paid something; "paid", the amounts per currency. A
    claim records no payment date, so payments follow their award's decision date."""
    claims = _claims(scope, period).filter(amount_paid__gt=0)
    return {"persons": count(Victim.objects.filter(pk__in=claims.values("victim_id"))),
            "paid": amounts(claims, "amount_paid")}
