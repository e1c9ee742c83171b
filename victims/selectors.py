"""What the pages of other apps read about victims [SPEC 2.3, SPEC 3]."""

import access

from .flags import with_flags
from .models import Victim


def case_victims(user, case, may):
    """The case page's victims: those the user may see, with their flags. One query."""
    return {"victims": with_flags(access.visible(user, Victim.objects.filter(case_links__case=case)))}
