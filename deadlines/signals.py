"""Generated deadlines follow their sources: every save of a case, referral, cooperation
request, defendant, protection order, violation, risk assessment, reflection period or
residence permit, and every change of a case team, brings its deadlines up to date in the same
transaction (admin, API, pages and tasks alike); a review held and a violation reported, which
protection announces, likewise."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from cases.models import Case, CooperationRequest, Defendant
from cases.signals import case_team_changed
from protection.models import ProtectionOrder, Violation
from protection.signals import order_reviewed, violation_reported
from referrals.models import Referral
from victims.models import ReflectionPeriod, ResidencePermit, RiskAssessment

from . import services as deadlines


def _skip(kwargs):
    return kwargs.get("raw")  # loading fixtures


@receiver(post_save, sender=Case)
def case_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        deadlines.for_case_stage(instance)


@receiver(post_save, sender=Referral)
def referral_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        deadlines.for_referral(instance)


@receiver(post_save, sender=CooperationRequest)
def cooperation_request_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        deadlines.for_cooperation_request(instance)


@receiver(post_save, sender=Defendant)
def defendant_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        deadlines.for_defendant(instance)


@receiver(post_save, sender=ProtectionOrder)
def protection_order_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        deadlines.for_protection_order(instance)


@receiver(post_save, sender=Violation)
def violation_saved(sender, instance, created, **kwargs):
    if created and not _skip(kwargs):
        deadlines.for_violation(instance)


@receiver(post_save, sender=RiskAssessment)
def risk_assessment_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        deadlines.for_risk_assessment(instance)


@receiver(post_save, sender=ReflectionPeriod)
def reflection_period_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        deadlines.for_reflection_period(instance)


@receiver(post_save, sender=ResidencePermit)
def residence_permit_saved(sender, instance, **kwargs):
    if not _skip(kwargs):
        deadlines.for_residence_permit(instance)
        deadlines.permit_renewed(instance)


@receiver(order_reviewed, dispatch_uid="deadlines.order_reviewed")
def review_held(sender, *, order, **kwargs):
    deadlines.order_reviewed(order=order)


@receiver(violation_reported, dispatch_uid="deadlines.violation_reported")
def violation_told(sender, *, violation, recipients, **kwargs):
    deadlines.tell_of_violation(violation, recipients)


@receiver(case_team_changed)
def case_team_changed_handler(sender, case, handed_over, **kwargs):
    deadlines.after_team_change(case, handed_over)
