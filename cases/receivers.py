"""How cases answer what other apps announce (connected in CasesConfig.ready)."""

from django.contrib.auth.models import Group
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext as _

from accounts.signals import agency_left

from .grants import sync_case_grants, sync_case_team
from .models import Case, CaseAgency, CaseAssignment
from .services import end_assignments_of


@receiver(agency_left, dispatch_uid="cases.end_assignments_on_leaving_an_agency")
def end_assignments_on_leaving_an_agency(sender, *, user, agency, **kwargs):
    """Someone who moves to another agency (or to none) leaves every case team they were on:
    they held those functions for their old agency, and the new one may not take part in the
    case at all. What they answered for passes to whoever holds the function next [GP 15]."""
    if user.agency_id:
        reason = _("Moved from %(old)s to %(new)s.") % {"old": agency, "new": user.agency}
    else:
        reason = _("Left %(old)s.") % {"old": agency}
    end_assignments_of(user, reason=reason[:300])


# Deletions that bypass the services (admin, cascades) still bring the grants in step.

@receiver(post_delete, sender=CaseAgency, dispatch_uid="cases.case_agency_deleted")
def case_agency_deleted(sender, instance, **kwargs):
    case = Case.objects.filter(pk=instance.case_id).first()
    if case is not None:
        sync_case_grants(case)


@receiver(post_delete, sender=CaseAssignment, dispatch_uid="cases.assignment_deleted")
def assignment_deleted(sender, instance, **kwargs):
    case = Case.objects.filter(pk=instance.case_id).first()
    if case is not None:
        sync_case_team(case)
        sync_case_grants(case)


@receiver(post_delete, sender=Case, dispatch_uid="cases.case_deleted")
def case_deleted(sender, instance, **kwargs):
    # The team group would otherwise keep its members and any grants it still holds.
    Group.objects.filter(pk=instance.team_group_id).delete()
