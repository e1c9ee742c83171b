"""What a violation leaves visible until someone acts on it [SPEC 2.6]: the victim needs a new
risk assessment. Added to every victim list's flags in ProtectionConfig.ready()
(victims.flags.add_flag), and flagged on cases for the dashboards."""

from django.db.models import Exists, OuterRef

from victims.models import RiskAssessment, Victim

from .models import Violation


def victim_needs_risk_reassessment():
    """For Victim querysets: a protection order of the victim was violated after their last
    completed risk assessment; it stays until a completed assessment is recorded."""
    newer = Violation.objects.filter(order__victim=OuterRef("pk")).filter(
        ~Exists(RiskAssessment.objects.filter(victim=OuterRef("order__victim"), completed=True,
                                              assessed_on__gte=OuterRef("reported_at__date"))))
    return Exists(newer)


def case_needs_risk_reassessment():
    """For Case querysets: a victim of this case needs a risk re-assessment after a violation."""
    return Exists(Victim.objects.filter(case_links__case=OuterRef("pk")).filter(victim_needs_risk_reassessment()))
