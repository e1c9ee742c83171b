"""What the pages of other apps read about referrals [SPEC 2.4, SPEC 3]."""

import access

from .models import Referral


def victim_referrals(user, victim, may):
    """The victim page's referrals: those the reader's agency sent or received. One query."""
    return {"referrals": access.visible(user, Referral.objects.filter(victim=victim)).select_related(
        "from_agency", "to_agency")}
