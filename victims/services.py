"""Changes to victims that affect who may see them; each locks the victim row (concurrent
changes queue up) and keeps the grants in step."""

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.policy.grants import sync_victim_grants

from .models import Victim, VictimCaseLink, VictimIdentity, VictimSupport


def lock(victim):
    return Victim.objects.select_for_update().get(pk=victim.pk)


@transaction.atomic
def record_victim(*, actor, identity=None, supporting_agencies=(), **fields):
    """Record a victim at first contact. The identity goes into its own protected record."""
    victim = Victim(recorded_by=actor, recording_agency=actor.agency, **fields)
    victim.full_clean()
    victim.save()
    VictimIdentity.objects.create(victim=victim, **(identity or {}))
    bulk_create_with_history([VictimSupport(victim=victim, agency=a) for a in supporting_agencies], VictimSupport)
    sync_victim_grants(victim)
    return victim


@transaction.atomic
def link_to_case(victim, case, role):
    victim = lock(victim)
    link, _created = VictimCaseLink.objects.get_or_create(victim=victim, case=case, defaults={"role": role})
    sync_victim_grants(victim)
    return link


@transaction.atomic
def unlink_from_case(link):
    victim = lock(link.victim)
    link.delete()
    sync_victim_grants(victim)


@transaction.atomic
def add_supporting_agency(victim, agency):
    victim = lock(victim)
    support, _created = VictimSupport.objects.get_or_create(victim=victim, agency=agency, ended_on=None)
    sync_victim_grants(victim)
    return support


@transaction.atomic
def end_support(support, ended_on=None):
    victim = lock(support.victim)
    support.ended_on = ended_on or timezone.localdate()
    support.save()
    sync_victim_grants(victim)
