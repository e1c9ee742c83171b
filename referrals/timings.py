"""How long each step of the referral mechanism took, in SQL, for reports over many referrals
[SPEC 2.4 metrics, 2.8]: identification to referral (days), referral to acceptance and
acceptance to first service (hours). Identification is the victim's first decision as a
presumed or identified victim, as in referrals.services.timings; a "not a victim" decision is
no identification, and a later one recording the person as presumed again does not move the
first [SPEC 2.3]."""

from django.db.models import F, FloatField, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import TruncDate

from victims.models import StatusDecision, Victim

# The decisions that identify a victim: never Victim.Status.NOT_A_VICTIM.
IDENTIFIED = (Victim.Status.PRESUMED, Victim.Status.IDENTIFIED)


def _difference(later, earlier, template, output_field):
    return Func(later, earlier, template=template, arg_joiner=" - ", output_field=output_field)


def _hours(later, earlier):
    return _difference(F(later), F(earlier), "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)", FloatField())


def annotate_timings(referrals):
    """Each referral with identification_to_referral_days, referral_to_acceptance_hours and
    acceptance_to_first_service_hours (NULL where a step has not happened)."""
    identified_on = Subquery(StatusDecision.objects.filter(victim=OuterRef("victim_id"), status__in=IDENTIFIED)
                             .order_by("decided_on", "id").values("decided_on")[:1])
    return referrals.annotate(
        identification_to_referral_days=_difference(TruncDate("sent_at"), identified_on, "(%(expressions)s)",
                                                    IntegerField()),
        referral_to_acceptance_hours=_hours("accepted_at", "sent_at"),
        acceptance_to_first_service_hours=_hours("first_service_at", "accepted_at"),
    )
