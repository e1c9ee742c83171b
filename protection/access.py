"""Who sees and changes protection orders, their violations and events [SPEC 2.6, SPEC 3].
Registered in ProtectionConfig.ready().

An order is seen by those who work with the protected victim (their safety file), by the
people of the case's proceedings, and by the issuing court; police, prosecution and the
court record and change it.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

import access
from access.engine import Action, ObjectRule, either, may_act_at_all
from access.functions import COORDINATORS, COURT_STAFF, PROCEEDINGS, VICTIM_WORKERS, functions_of, is_court_staff
from access.offices import coordinated_agencies
from accounts.functions import Function as F
from cases.access import CASE_RULE
from victims.access import VICTIM_RULE

from .models import OrderEvent, ProtectionOrder, Violation

# Who records protection orders: police and prosecution apply, the court issues.
ORDER_KEEPERS = frozenset({F.INVESTIGATOR, F.PROSECUTOR, F.SUPERVISOR}) | COURT_STAFF


class ProtectionOrderRule(ObjectRule):
    """An order is seen by those who work with the protected victim (their safety file), by
    the people of the case's proceedings, and by the issuing court; it is recorded and changed
    by police, prosecution and the court."""

    model = ProtectionOrder
    actions = {
        "view": Action("view", _("see the protection order"), VICTIM_WORKERS | PROCEEDINGS),
        "change": Action("change", _("vary, review or revoke the protection order"), ORDER_KEEPERS),
        "report_violation": Action("report_violation", _("report a violation of the order"),
                                   VICTIM_WORKERS | PROCEEDINGS),
        # Orders and violations in the coordination report: those of the cases it lists, and
        # those without a case from the courts it covers [SPEC 2.8].
        "coordinate": Action("coordinate", _("list the order in a coordination report"), COORDINATORS),
    }

    def _court_path(self, user):
        # The issuing court keeps its orders, except those of a restricted case (its team only).
        if not is_court_staff(user):
            return None
        return Q(issuing_court=user.agency_id) & (Q(case__isnull=True) | Q(case__is_restricted=False))

    def paths(self, user, action):
        functions = functions_of(user)
        if action == "coordinate":
            cases, courts = CASE_RULE.through(user, "coordinate", "case"), coordinated_agencies(user)
            listed = either(cases,
                         None if courts is None else Q(case__isnull=True, issuing_court__in=courts))
            return None if listed is None else listed & ~VICTIM_RULE.exclusion(user, victim="victim_id")
        safety = VICTIM_RULE.visible_ids(user, "view_safety")
        cases = CASE_RULE.visible_ids(user, "view_proceedings")
        view = either(
            None if safety is None else Q(victim__in=safety),
            None if cases is None else Q(case__in=cases),
            self._court_path(user),
        )
        if view is None:
            return None
        view &= ~VICTIM_RULE.exclusion(user, victim="victim_id")
        if action != "change":
            return view
        change = None
        if functions & {F.INVESTIGATOR, F.PROSECUTOR, F.SUPERVISOR}:
            changing = VICTIM_RULE.visible_ids(user, "change_safety")
            case_change = CASE_RULE.visible_ids(user, "change")
            change = either(
                None if case_change is None else Q(case__in=case_change),
                None if changing is None else Q(case__isnull=True, victim__in=changing),
            )
        change = either(change, self._court_path(user))
        return None if change is None else view & change

    def may_record(self, user, victim, case, court):
        """Whether the user may record a new order for `victim` (in `case`, from `court`)."""
        functions = functions_of(user)
        if not may_act_at_all(user) or not functions & ORDER_KEEPERS:
            return False
        if not access.can(user, "view", victim):  # no query for a victim loaded with its rights
            return False
        if case is not None and not access.can(user, "view", case):
            return False
        if is_court_staff(user):
            return court is not None and court.pk == user.agency_id
        if case is not None:
            return access.can(user, "change", case)
        return bool(functions & {F.INVESTIGATOR, F.PROSECUTOR}) and access.can(user, "change_safety", victim)


ORDER_RULE = ProtectionOrderRule()


class OrderPartRule(ObjectRule):
    """Violations and order events follow their order."""

    def __init__(self, model, change):
        self.model = model
        self.order_actions = {"view": "view", "change": change, "coordinate": "coordinate"}
        self.actions = {name: ORDER_RULE.actions[action] for name, action in self.order_actions.items()}

    def paths(self, user, action):
        condition = ORDER_RULE.condition(user, self.order_actions[action])
        return None if condition is None else Q(order__in=ProtectionOrder.objects.filter(condition).values("pk"))


RULES = (
    ORDER_RULE,
    # Anyone who may see an order may report a violation; what was done about it (arrest, bail
    # revoked) is recorded by those who keep the order.
    OrderPartRule(Violation, "change"), OrderPartRule(OrderEvent, "change"),
)
