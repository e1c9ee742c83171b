"""How cases answer what other apps announce (connected in CasesConfig.ready)."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from accounts.signals import agency_left

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
