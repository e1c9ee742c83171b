from django.contrib.auth.models import Group


def sync_agency_membership(user):
    """Keep the user in exactly one agency group: the group of the agency they belong to."""
    wanted = {user.agency.group_id} if user.agency_id else set()
    current = set(user.groups.filter(agency__isnull=False).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*Group.objects.filter(pk__in=current - wanted))
    if wanted - current:
        user.groups.add(*wanted)
