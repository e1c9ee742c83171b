"""Conditions that must stay visible until someone acts on them, as SQL expressions so list
pages and dashboards flag every row in the same query."""

from django.db.models import Exists, OuterRef

from cases.models import Charge

from .models.justice import RELATED_OFFENCES


def _charged_with_related_offence(**where):
    """Charges of a related offence against a defendant who is also a victim, with no
    non-punishment decision recorded for that defendant yet [PR 1.2.2, VS 21]."""
    return Charge.objects.filter(
        offence__in=RELATED_OFFENCES, defendant__victim__isnull=False,
        defendant__non_punishment_decision__isnull=True, **where,
    )


def victim_needs_non_punishment_decision():
    """For Victim querysets: .annotate(non_criminalisation_flag=victim_needs_non_punishment_decision())."""
    return Exists(_charged_with_related_offence(defendant__victim=OuterRef("pk")))


def case_needs_non_punishment_decision():
    """For Case querysets: a victim is charged in this case with an offence tied to their trafficking."""
    return Exists(_charged_with_related_offence(defendant__case=OuterRef("pk")))


def victim_needs_risk_reassessment():
    """For Victim querysets: a protection order of the victim was violated after their last
    completed risk assessment [SPEC 2.6]; it stays until a completed assessment is recorded."""
    from protection.services import needs_reassessment

    return needs_reassessment()


def case_needs_risk_reassessment():
    """For Case querysets: a victim of this case needs a risk re-assessment after a violation."""
    from .models import Victim

    return Exists(Victim.objects.filter(case_links__case=OuterRef("pk")).filter(victim_needs_risk_reassessment()))


def with_flags(victims):
    """Victims with the conditions that must stay visible, in the same query."""
    return victims.annotate(non_criminalisation_flag=victim_needs_non_punishment_decision(),
                            risk_reassessment_flag=victim_needs_risk_reassessment())
