"""How long things take, in days: n, median and 90th percentile (PostgreSQL percentile_cont,
linear interpolation) [SPEC 2.4, 2.8; NA VI.A, GP 8(b)]. Days are counted between local
dates."""

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseStageChange
from referrals.models import Referral
from referrals.timings import annotate_timings

from .base import DAYS, durations, figures, indicator, statistics

CLOSED = (Case.Stage.CLOSED, Case.Stage.CLOSED_NO_CHARGE)


def _days(later, earlier):
    """later - earlier, two dates, in days (an integer)."""
    return Func(later, earlier, template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField())


@indicator(key="identification_to_referral", label=_("Identification to referral"), unit=DAYS,
           spec="SPEC 2.4, 2.8; NA VI.A")
def identification_to_referral(scope, period, count):
    """Days from a person's first identification (their first decision as presumed or
    identified, as referrals.timings) to their first referral, for first referrals sent in
    the period (sent_at). Later referrals of the same person are not timed again; a person
    referred before any identification has no time."""
    earlier = Referral.objects.filter(victim=OuterRef("victim_id"), sent_at__lt=OuterRef("sent_at"))
    first = Referral.objects.filter(scope.victims("victim"), period.at("sent_at")).exclude(Exists(earlier))
    # A referral before any identification has no days: n counts only those timed.
    return durations(annotate_timings(first), "identification_to_referral_days",
                     measured="identification_to_referral_days")


@indicator(key="stage_durations", label=_("Time in each case stage"), unit=DAYS, spec="SPEC 2.1, 2.8; GP 8(b)")
def stage_durations(scope, period, count):
    """Days a case spent in each stage, for each stay that ended in the period (the stage
    change leaving it, its changed_at): from the change that entered the stage (intake: the
    case's opened_on) to the one leaving it. {stage: {n, median, p90}}; a case in a stage twice
    (back for further investigation, a retrial) gives two stays. Stages still under way are
    not counted."""
    entered = Subquery(CaseStageChange.objects.filter(
        case=OuterRef("case_id"), to_stage=OuterRef("from_stage"), changed_at__lte=OuterRef("changed_at"),
    ).exclude(pk=OuterRef("pk")).order_by("-changed_at", "-pk").values("changed_at")[:1])
    stays = CaseStageChange.objects.filter(scope.cases("case"), period.at("changed_at")).annotate(
        stay_days=_days(TruncDate("changed_at"), Coalesce(TruncDate(entered), F("case__opened_on"))))
    # Every stay has days (the case's opened_on when no change entered the stage): n counts rows.
    rows = stays.order_by().values("from_stage").annotate(**statistics("stay_days"))
    return {row["from_stage"]: figures(row) for row in rows}


@indicator(key="case_length", label=_("Case length"), unit=DAYS, spec="SPEC 2.8; PR 1.2.4, GP 8(b)")
def case_length(scope, period, count):
    """Days from a case's opening (opened_on) to its closing, for cases closed in the period
    (moved to "closed" or "closed without charge", its changed_at)."""
    closings = CaseStageChange.objects.filter(scope.cases("case"), period.at("changed_at"), to_stage__in=CLOSED)
    return durations(closings.annotate(length_days=_days(TruncDate("changed_at"), F("case__opened_on"))),
                     "length_days")
