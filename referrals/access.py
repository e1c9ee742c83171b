"""Who may see, answer and withdraw a referral [SPEC 2.4, SPEC 3]: the two agencies it joins,
the receiving side answering, the sending side withdrawing; coordinators list it in their
report. Registered in ReferralsConfig.ready()."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.engine import Action, ObjectRule
from access.registry import Capability
from accounts.functions import Function as F
from access.functions import COORDINATORS, RECORDERS
from access.offices import coordinated_agencies
from victims.access import VICTIM_RULE

from .models import Referral


class ReferralRule(ObjectRule):
    """A referral is seen by the two agencies it joins; the receiving side answers and works on
    it, the sending side may withdraw it. People excluded from a case of the victim stay out."""

    model = Referral
    actions = {
        "view": Action("view", _("see the referral"), RECORDERS),
        "respond": Action("respond", _("answer and work on the referral"), RECORDERS),
        "withdraw": Action("withdraw", _("withdraw the referral"), RECORDERS),
        # Referrals between agencies and their timings, by victim code [SPEC 2.8].
        "coordinate": Action("coordinate", _("list the referral in a coordination report"), COORDINATORS),
    }

    def paths(self, user, action):
        if not user.agency_id:  # referrals join agencies
            return None
        if action == "coordinate":
            agencies = coordinated_agencies(user)
            return None if agencies is None else (
                (Q(from_agency__in=agencies) | Q(to_agency__in=agencies))
                & ~VICTIM_RULE.exclusion(user, victim="victim_id"))
        side = {
            "view": Q(from_agency=user.agency_id) | Q(to_agency=user.agency_id),
            "respond": Q(to_agency=user.agency_id),
            "withdraw": Q(from_agency=user.agency_id),
        }[action]
        return side & ~VICTIM_RULE.exclusion(user, victim="victim_id")


REFERRAL_RULE = ReferralRule()
RULES = (REFERRAL_RULE,)
CAPABILITIES = (
    # Without the victim's consent a referral is sent only by police or prosecution, with a
    # reason that is kept and logged (an emergency, a child) [SPEC 2.4, NA VII.D.9].
    Capability("override_consent", _("refer without the victim's consent, giving a reason"),
               {F.INVESTIGATOR, F.PROSECUTOR}),
)
