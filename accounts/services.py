from django.contrib.auth.models import Group


def sync_agency_membership(user):
    """Keep the user in exactly one agency group: the group of the agency they belong to."""
    wanted = {user.agency.group_id} if user.agency_id else set()
    current = set(user.groups.filter(agency__isnull=False).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*Group.objects.filter(pk__in=current - wanted))
    if wanted - current:
        user.groups.add(*wanted)


def leave_agency(user, previous_agency):
    """Someone who moves to another agency (or to none) leaves every case team they were on:
    they held those functions for their old agency, and the new one may not take part in the
    case at all. What they answered for passes to whoever holds the function next."""
    from django.utils.translation import gettext as _

    from cases.services import end_assignments_of

    if user.agency_id:
        reason = _("Moved from %(old)s to %(new)s.") % {"old": previous_agency, "new": user.agency}
    else:
        reason = _("Left %(old)s.") % {"old": previous_agency}
    return end_assignments_of(user, reason=reason[:300])
