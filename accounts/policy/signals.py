"""Deletions that bypass the services (admin, cascades) still bring the grants in step."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from cases.models import Case, CaseAgency, CaseAssignment
from victims.models import Victim, VictimCaseLink, VictimSupport

from .grants import sync_case_grants, sync_case_team, sync_victim_grants


@receiver(post_delete, sender=VictimCaseLink)
@receiver(post_delete, sender=VictimSupport)
def victim_fact_deleted(sender, instance, **kwargs):
    victim = Victim.objects.filter(pk=instance.victim_id).first()
    if victim is not None:
        sync_victim_grants(victim)


@receiver(post_delete, sender=CaseAgency)
def case_agency_deleted(sender, instance, **kwargs):
    case = Case.objects.filter(pk=instance.case_id).first()
    if case is not None:
        sync_case_grants(case)


@receiver(post_delete, sender=CaseAssignment)
def assignment_deleted(sender, instance, **kwargs):
    case = Case.objects.filter(pk=instance.case_id).first()
    if case is not None:
        sync_case_team(case)
        sync_case_grants(case)


@receiver(post_delete, sender=Case)
def case_deleted(sender, instance, **kwargs):
    # The team group would otherwise keep its members and any grants it still holds.
    from django.contrib.auth.models import Group

    Group.objects.filter(pk=instance.team_group_id).delete()
