"""How victims answer what other apps announce, and deletions that bypass the services
(admin, cascades), so the victims' grants stay in step (connected in VictimsConfig.ready)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from cases.signals import case_grants_changed

from .grants import sync_victim_grants, sync_victims_of_case
from .models import Victim, VictimCaseLink, VictimSupport


@receiver(case_grants_changed, dispatch_uid="victims.follow_case_grants")
def follow_case_grants(sender, *, case, **kwargs):
    """A victim's grants follow those of their cases [SPEC 3]."""
    sync_victims_of_case(case)


@receiver(post_delete, sender=VictimCaseLink, dispatch_uid="victims.link_deleted")
@receiver(post_delete, sender=VictimSupport, dispatch_uid="victims.support_deleted")
def victim_fact_deleted(sender, instance, **kwargs):
    victim = Victim.objects.filter(pk=instance.victim_id).first()
    if victim is not None:
        sync_victim_grants(victim)
