"""Indicators about cases, the persons prosecuted and their sentences, and assets
[SPEC 2.8, NA III.C.1, PR 1.2.4, PR 1.2.8]. Every case of the scope's jurisdictions counts,
restricted ones too. A defendant is a person (natural or legal) in one case: the same person
charged in two cases is two defendants, as the file records no identity shared across cases."""

from django.db.models import Case as SqlCase, CharField, Max, Min, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from cases.models import Asset, Case, CaseStageChange, Charge, Defendant, Verdict

from .base import AMOUNT, CASES, PERSONS, amounts, indicator
from .tally import ASSET_DIMENSIONS, CASE_DIMENSIONS, DEFENDANT_DIMENSIONS, Dimension

CONVICTED = (Verdict.Outcome.CONVICTED, Verdict.Outcome.CONVICTED_LESSER)


def _entered(scope, period, stage):
    """Cases that entered `stage` in the period (the stage change's changed_at)."""
    changes = CaseStageChange.objects.filter(period.at("changed_at"), to_stage=stage)
    return Case.objects.filter(scope.cases(), pk__in=changes.values("case_id"))


def _verdicts(period, outcomes=None):
    verdicts = Verdict.objects.filter(period.on("decided_on"))
    return verdicts if outcomes is None else verdicts.filter(outcome__in=outcomes)


@indicator(key="cases_investigated", label=_("Cases investigated"), unit=CASES, spec="SPEC 2.8; NA III.C.1, PR 1.2.4",
           dimensions=CASE_DIMENSIONS)
def cases_investigated(scope, period, count):
    """Cases whose investigation opened in the period (moved to "investigation", its
    changed_at; a case sent back for further investigation counts once)."""
    return {"cases": count(_entered(scope, period, Case.Stage.INVESTIGATION))}


@indicator(key="cases_prosecuted", label=_("Cases prosecuted"), unit=CASES, spec="SPEC 2.8; NA III.C.1, PR 1.2.4",
           dimensions=CASE_DIMENSIONS)
def cases_prosecuted(scope, period, count):
    """Cases whose prosecution started in the period: charged, moved to "pre-trial" (its
    changed_at)."""
    return {"cases": count(_entered(scope, period, Case.Stage.PRE_TRIAL))}


@indicator(key="cases_adjudicated", label=_("Cases adjudicated"), unit=CASES, spec="SPEC 2.8; NA III.C.1, PR 1.2.4",
           dimensions=CASE_DIMENSIONS)
def cases_adjudicated(scope, period, count):
    """Cases with a verdict of any outcome on one of their charges decided in the period
    (the verdict's decided_on)."""
    cases = Case.objects.filter(scope.cases(), pk__in=_verdicts(period).values("charge__defendant__case_id"))
    return {"cases": count(cases)}


@indicator(key="cases_convicted", label=_("Cases with a conviction"), unit=CASES,
           spec="SPEC 2.8; NA III.C.1, PR 1.2.4", dimensions=CASE_DIMENSIONS)
def cases_convicted(scope, period, count):
    """Cases with a conviction (of the offence charged or a lesser one) decided in the
    period (the verdict's decided_on)."""
    verdicts = _verdicts(period, CONVICTED)
    return {"cases": count(Case.objects.filter(scope.cases(), pk__in=verdicts.values("charge__defendant__case_id")))}


def _defendants(scope, condition):
    return Defendant.objects.filter(scope.cases("case"), condition)


@indicator(key="persons_prosecuted", label=_("Persons prosecuted"), unit=PERSONS, spec="SPEC 2.2, 2.8; PR 1.2.4",
           dimensions=DEFENDANT_DIMENSIONS)
def persons_prosecuted(scope, period, count):
    """Defendants, natural or legal persons, charged in the period: a charge beyond
    "proposed" (filed, amended, or filed and later withdrawn) with its charged_on in it."""
    charges = Charge.objects.exclude(status=Charge.Status.PROPOSED).filter(period.on("charged_on"))
    return {"persons": count(_defendants(scope, Q(pk__in=charges.values("defendant_id"))))}


def _convicted(scope, period):
    return _defendants(scope, Q(pk__in=_verdicts(period, CONVICTED).values("charge__defendant_id")))


@indicator(key="persons_convicted", label=_("Persons convicted"), unit=PERSONS, spec="SPEC 2.2, 2.8; PR 1.2.4",
           dimensions=DEFENDANT_DIMENSIONS)
def persons_convicted(scope, period, count):
    """Defendants, natural or legal persons, convicted (of the offence charged or a lesser
    one) by a verdict decided in the period."""
    return {"persons": count(_convicted(scope, period))}


# Custodial terms in months: [from, to), the last open-ended.
BANDS = (("under_1y", 0, 12), ("1_3y", 12, 36), ("3_5y", 36, 60), ("5_10y", 60, 120), ("10y_plus", 120, None))
# A convicted person's band: "none" without a custodial term (the keys publish.BANDS names).
CUSTODIAL_BAND = Dimension("custodial_band", _("Longest custodial term"), "custodial_band",
                           labels={"none": "none", **{band: band for band, _low, _high in BANDS}})


def _band(months):
    """The band of `months` (an aggregate of the subquery it sits in), "none" when NULL."""
    return SqlCase(*(When(Q(**{f"{months}__gte": low}) if high is None
                       else Q(**{f"{months}__gte": low, f"{months}__lt": high}), then=Value(band))
                  for band, low, high in BANDS), default=Value("none"), output_field=CharField())


@indicator(key="sentences", label=_("Sentences"), unit=PERSONS, spec="SPEC 2.2, 2.8; PR 1.2.4",
           dimensions=DEFENDANT_DIMENSIONS)
def sentences(scope, period, count):
    """The sentences of the persons convicted in the period (as persons_convicted), each
    person once: "custodial" by band of the longest custodial term among their convictions of
    the period (suspended or not; "none" for no custodial term), "suspended", those with a
    suspended custodial term, "fined", those fined, and "fines", the fines per currency."""
    convictions = _verdicts(period, CONVICTED)
    # The band is worked out inside the per-person subquery, so each person's convictions
    # are read once, not once per band.
    band = Subquery(convictions.filter(charge__defendant=OuterRef("pk")).order_by().values("charge__defendant")
                    .annotate(longest=Max("custodial_months")).annotate(band=_band("longest")).values("band"),
                    output_field=CharField())
    convicted = _convicted(scope, period)
    suspended = convictions.filter(custodial_months__isnull=False, suspended=True)
    fined = convictions.filter(fine_amount__gt=0)
    counted = count(convicted, measures={"suspended": Q(pk__in=suspended.values("charge__defendant_id")),
                                         "fined": Q(pk__in=fined.values("charge__defendant_id"))})
    return {"custodial": count.per(convicted.annotate(custodial_band=band), CUSTODIAL_BAND),
            **counted,
            "fines": amounts(fined.filter(scope.cases("charge__defendant__case")), "fine_amount")}


ASSET_STAGES = {
    "frozen": (Asset.Stage.FROZEN,),
    "confiscated": (Asset.Stage.CONFISCATED,),
    "returned": (Asset.Stage.RETURNED, Asset.Stage.COMPENSATION),
}


@indicator(key="assets", label=_("Assets frozen, confiscated and returned"), unit=AMOUNT,
           spec="SPEC 2.2, 2.8; PR 1.2.8", dimensions=ASSET_DIMENSIONS)
def assets(scope, period, count):
    """Assets that reached a stage in the period, from the asset's history (the moment its
    record first showed that stage): "frozen" (frozen or seized), "confiscated", "returned"
    (returned, or used for victim compensation); each with the count of assets and
    "<stage>_value", their estimated values per currency. An asset frozen and confiscated in
    the period is in both."""
    result = {}
    for key, stages in ASSET_STAGES.items():
        # The first historical record in the stage dates it: later edits leave it there.
        first = (Asset.history.model.objects.filter(stage__in=stages).order_by().values("id")
                 .annotate(first=Min("history_date")).filter(period.at("first")).values("id"))
        reached = Asset.objects.filter(scope.cases("case"), pk__in=first)
        result[key] = count(reached)
        result[f"{key}_value"] = amounts(reached, "estimated_value")
    return result
