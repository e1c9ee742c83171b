"""Who sees and handles a deadline [SPEC 2.7, SPEC 3]: whoever may see and handle what it is
about. Registered in DeadlinesConfig.ready()."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.engine import Action, ObjectRule, either
from access.functions import CASE_READERS, COORDINATORS, VICTIM_WORKERS
from access.offices import coordinated_agencies
from accounts.functions import Function as F
from cases.access import CASE_RULE
from protection.access import ORDER_RULE
from protection.models import ProtectionOrder
from referrals.access import REFERRAL_RULE
from referrals.models import Referral
from victims.access import VICTIM_RULE

from .models import Deadline


class DeadlineRule(ObjectRule):
    """A deadline is seen and handled by whoever may see and handle what it is about: the most
    specific of its order, referral, cooperation request, defendant, case or victim. The
    person responsible for it may also mark it met or extend it while they can see it."""

    model = Deadline
    actions = {
        "view": Action("view", _("see the deadline"), CASE_READERS | VICTIM_WORKERS | {F.FRONTLINE}),
        "change": Action("change", _("mark the deadline met or extend it"),
                         CASE_READERS | VICTIM_WORKERS | {F.FRONTLINE}),
        # Missed and extended deadlines are counted in the coordination report, by kind and
        # responsible agency: those of the cases it lists, and those of no case held by the
        # agencies it covers [SPEC 2.8].
        "coordinate": Action("coordinate", _("count the deadline in a coordination report"), COORDINATORS),
    }

    @staticmethod
    def _victim_excluded(user):
        """Deadlines of no case about a victim (directly, or through a referral or an order of
        theirs) whom the user is kept away from by an exclusion from one of the victim's cases:
        as the victim's referrals and orders are for the coordination report."""
        excluded = VICTIM_RULE.excluded_ids(user)
        return (Q(victim__in=excluded) | Q(referral__victim__in=excluded)
                | Q(protection_order__victim__in=excluded))

    def _anchors(self, user, action):
        """(anchor field, the test for deadlines whose most specific anchor it is), most
        specific first."""
        change = action == "change"
        referral = REFERRAL_RULE.condition(user, "respond" if change else "view")
        victim = VICTIM_RULE.visible_ids(user, "change" if change else "view")
        order = ORDER_RULE.condition(user, "change" if change else "view")
        return [
            ("protection_order", None if order is None
             else Q(protection_order__in=ProtectionOrder.objects.filter(order).values("pk"))),
            ("referral", None if referral is None else Q(referral__in=Referral.objects.filter(referral).values("pk"))),
            ("case", self._case_test(user, change)),
            ("victim", None if victim is None else Q(victim__in=victim)),
        ]

    @staticmethod
    def _case_test(user, change):
        """Deadlines about a case, or about a record of its file (a cooperation request, a
        defendant), which carry their case (the deadline services set it): that part of the
        case's rights decides."""
        names = (("change_cooperation", "change_proceedings", "change") if change
                 else ("view_cooperation", "view_proceedings", "view"))
        cooperation, proceedings, case = (CASE_RULE.visible_ids(user, name) for name in names)
        if cooperation is proceedings is case:  # the same rights (the engine gives the same object)
            return None if case is None else Q(case__in=case)
        tests = [(Q(cooperation_request__isnull=False), cooperation),
                 (Q(cooperation_request__isnull=True, defendant__isnull=False), proceedings),
                 (Q(cooperation_request__isnull=True, defendant__isnull=True), case)]
        return either(*(which & Q(case__in=allowed) for which, allowed in tests if allowed is not None))

    def paths(self, user, action):
        if action == "coordinate":
            cases, agencies = CASE_RULE.through(user, "coordinate", "case"), coordinated_agencies(user)
            return either(cases,
                          None if agencies is None else Q(case__isnull=True, responsible_agency__in=agencies)
                          & ~self._victim_excluded(user))
        condition = self._anchored(user, action)
        if action == "change":
            seen = self.condition(user, "view")
            if seen is not None:
                condition = either(condition, Q(responsible_user=user) & seen)
        return condition

    def _anchored(self, user, action):
        paths, earlier = [], Q()
        for field, test in self._anchors(user, action):
            if test is not None:
                paths.append(earlier & Q(**{f"{field}__isnull": False}) & test)
            earlier &= Q(**{f"{field}__isnull": True})
        return either(*paths)

    def condition_within(self, user, action, within):
        # Among deadlines the user may see, one they answer for is theirs to handle: no need
        # to test again that they see it.
        if action == "change" and within == "view" and self.condition(user, "view") is not None:
            return either(self._anchored(user, "change"), Q(responsible_user=user))
        return self.condition(user, action)


RULES = (DeadlineRule(),)
