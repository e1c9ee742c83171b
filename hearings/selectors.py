"""What the pages of other apps read about hearings [SPEC 2.5, SPEC 3]."""

import access

from . import services
from .models import Hearing


def case_hearings(user, case, may):
    """The case page's hearings the user may see (one query), how many were adjourned, and
    whether the user may schedule one in the case."""
    hearings = list(access.visible(user, Hearing.objects.filter(case=case)).select_related(
        "court", "courtroom", "judge", "prosecutor", "adjourned_to"))
    return {
        "hearings": hearings,
        "adjourned_count": sum(1 for hearing in hearings if hearing.status == Hearing.Status.ADJOURNED),
        # Before the case's court (no query for its prosecution: the case carries their rights),
        # else before any court they may list it in.
        "may_schedule": services.may_schedule(user, case, case.court) or (
            access.may_use(user, Hearing, "change") and services.schedulable_cases(user).filter(pk=case.pk).exists()),
    }
