"""Who sees and changes hearings, witnesses, special measures, deadlines and protection orders.

They follow the case and the victim they belong to (rules.py), with two additions of their
own: court staff see the hearings and orders of their own court, and an NGO sees the hearings
of the victims it supports, not others' [SPEC 2.5].
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.functions import Function as F
from cases.models import Case, CaseExclusion
from deadlines.models import Deadline
from hearings.models import Hearing, HearingWitness, JudgeUnavailability, SpecialMeasure
from protection.models import OrderEvent, ProtectionOrder, Violation
from referrals.models import Referral
from victims.models import VictimCaseLink

from .engine import Action, ObjectRule, may_act_at_all, user_groups
from .rules import (
    CASE_READERS, CASE_RULE, COORDINATORS, PROCEEDINGS, VICTIM_RULE, VICTIM_WORKERS, RULES, coordinated_agencies,
    excluded_cases,
)

COURT_STAFF = frozenset({F.COURT_CLERK, F.JUDGE})
# Who sets hearing dates: the prosecution asks, the court lists [SPEC 2.5].
SCHEDULERS = frozenset({F.PROSECUTOR, F.SUPERVISOR}) | COURT_STAFF
# Who records protection orders: police and prosecution apply, the court issues.
ORDER_KEEPERS = frozenset({F.INVESTIGATOR, F.PROSECUTOR, F.SUPERVISOR}) | COURT_STAFF


def _functions(user):
    return set(getattr(user, "functions", ()) or ())




def _any(*conditions):
    conditions = [c for c in conditions if c is not None]
    if not conditions:
        return None
    result = conditions[0]
    for condition in conditions[1:]:
        result |= condition
    return result


def _is_court_staff(user):
    return bool(_functions(user) & COURT_STAFF) and user.agency_id and user.agency.kind == "court"


def supported_victims(user):
    """The victims the user's agency supports (the shelter-location grant is the supporters'
    alone), or None."""
    return VICTIM_RULE.visible_ids(user, "view_shelter")


def _on_team(user, team_group_path):
    return Q(**{f"{team_group_path}__in": user_groups(user)})


def _case_excluded(user, path="case"):
    return Q(**{f"{path}__in": excluded_cases(user)})


class HearingRule(ObjectRule):
    model = Hearing
    actions = {
        "view": Action("view", _("see the hearing"), CASE_READERS),
        "change": Action("change", _("schedule, move, adjourn or cancel the hearing"), SCHEDULERS),
        "view_witnesses": Action("view_witnesses", _("see the witnesses and their special measures"),
                                 PROCEEDINGS | {F.CASEWORKER}),
        # Hearings that need coordination, in the report, with their case [SPEC 2.8].
        "coordinate": Action("coordinate", _("list the hearing in a coordination report"), COORDINATORS),
    }

    def _court_path(self, user):
        # Court staff list the hearings of their court (a restricted case only through its team).
        if not _is_court_staff(user):
            return None
        return Q(court=user.agency_id, case__is_restricted=False) & ~_case_excluded(user)

    def _ngo_path(self, user):
        """Caseworkers: the hearings of the victims their agency supports, and of the cases
        they are personally on the team of (a victim's representative)."""
        if F.CASEWORKER not in _functions(user):
            return None
        on_team = _on_team(user, "case__team_group_id")
        victims = supported_victims(user)
        if victims is not None:
            # A restricted case's hearings stay with its team, whoever supports its victims.
            supported = Q(case__in=VictimCaseLink.objects.filter(victim__in=victims).values("case_id"))
            on_team |= supported & Q(case__is_restricted=False)
        return on_team & ~_case_excluded(user)

    def condition(self, user, action):
        if action not in self.actions:
            raise KeyError(f"Hearing has no action {action!r}")
        functions = _functions(user)
        if not may_act_at_all(user) or not functions & self.actions[action].functions:
            return None
        if action == "coordinate":
            return CASE_RULE.through(user, "coordinate", "case")
        if action == "view":
            case_path = None
            if functions & (CASE_READERS - {F.CASEWORKER}):
                cases = CASE_RULE.visible_ids(user, "view")
                case_path = None if cases is None else Q(case__in=cases)
            return _any(case_path, self._court_path(user), self._ngo_path(user))
        if action == "change":
            case_path = None
            if functions & {F.PROSECUTOR, F.SUPERVISOR}:
                cases = CASE_RULE.visible_ids(user, "change")
                case_path = None if cases is None else Q(case__in=cases)
            return _any(case_path, self._court_path(user))
        # view_witnesses: the proceedings' people; an NGO only its own victims' rows (HearingWitnessRule).
        cases = CASE_RULE.visible_ids(user, "view_proceedings")
        return _any(None if cases is None else Q(case__in=cases), self._court_path(user), self._ngo_path(user))

    def may_schedule(self, user, case, court):
        """Whether the user may set a hearing in `case` before `court`: the prosecution of the
        case, or the staff of that court where they see the case."""
        from accounts import policy

        functions = _functions(user)
        if not may_act_at_all(user):
            return False
        if functions & {F.PROSECUTOR, F.SUPERVISOR} and policy.can(user, "change", case):
            return True
        # Court staff list hearings at their own court, for the cases before it or that they see.
        return bool(_is_court_staff(user) and court is not None and user.agency_id == court.pk
                    and (policy.can(user, "view", case) or (case.court_id == court.pk and not case.is_restricted))
                    and not CaseExclusion.objects.filter(case=case, user=user).exists())

    def schedulable_cases(self, user):
        """The cases the user may set hearings in (for choosing one)."""
        functions = _functions(user)
        paths = []
        if functions & {F.PROSECUTOR, F.SUPERVISOR}:
            paths.append(CASE_RULE.condition(user, "change"))
        if _is_court_staff(user):
            paths.append(Q(court=user.agency_id, is_restricted=False) & ~CASE_RULE.exclusion(user))
            paths.append(CASE_RULE.condition(user, "view"))
        condition = _any(*paths)
        return Case.objects.none() if condition is None else Case.objects.filter(condition)


HEARING_RULE = HearingRule()


class HearingWitnessRule(ObjectRule):
    """Witnesses and their measures: the people of the proceedings see all; an NGO sees the
    rows of the victims it supports."""

    model = HearingWitness
    path = "hearing"
    actions = {
        "view": HEARING_RULE.actions["view_witnesses"],
        "change": Action("change", _("record witnesses and special measures"), SCHEDULERS),
        "coordinate": HEARING_RULE.actions["coordinate"],
    }

    def condition(self, user, action):
        functions = _functions(user)
        if not may_act_at_all(user) or not functions & self.actions[action].functions:
            return None
        prefix = f"{self.path}__" if self.path != "hearing" else ""
        hearing_field = f"{prefix}hearing"
        if action in ("change", "coordinate"):
            hearings = HEARING_RULE.condition(user, action)
            return None if hearings is None else Q(**{f"{hearing_field}__in": Hearing.objects.filter(hearings).values("pk")})
        paths = []
        if functions & (PROCEEDINGS | COURT_STAFF):
            cases = CASE_RULE.visible_ids(user, "view_proceedings")
            if cases is not None:
                paths.append(Q(**{f"{hearing_field}__case__in": cases}))
            court = HEARING_RULE._court_path(user)
            if court is not None:
                paths.append(Q(**{f"{hearing_field}__in": Hearing.objects.filter(court).values("pk")}))
        if F.CASEWORKER in functions:
            victims = supported_victims(user)
            if victims is not None:
                paths.append(Q(**{f"{prefix}victim__in": victims})
                             & (Q(**{f"{hearing_field}__case__is_restricted": False})
                                | _on_team(user, f"{hearing_field}__case__team_group_id"))
                             & ~_case_excluded(user, f"{hearing_field}__case"))
        return _any(*paths)


class SpecialMeasureRule(HearingWitnessRule):
    model = SpecialMeasure
    path = "witness"


class JudgeUnavailabilityRule(ObjectRule):
    """A judge's absences: seen by the staff of the judge's court; recorded by its clerks and
    by the judge for themself (not by one judge for another)."""

    model = JudgeUnavailability
    actions = {
        "view": Action("view", _("see judges' non-availability"), COURT_STAFF),
        "change": Action("change", _("record judges' non-availability"), COURT_STAFF),
    }

    def condition(self, user, action):
        if not may_act_at_all(user) or not _is_court_staff(user):
            return None
        if action == "view":
            return Q(judge__agency=user.agency_id) | Q(judge=user)
        clerk = Q(judge__agency=user.agency_id) if F.COURT_CLERK in _functions(user) else Q(pk__in=[])
        return clerk | Q(judge=user)


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
        if not _is_court_staff(user):
            return None
        return Q(issuing_court=user.agency_id) & (Q(case__isnull=True) | Q(case__is_restricted=False))

    def condition(self, user, action):
        if action not in self.actions:
            raise KeyError(f"ProtectionOrder has no action {action!r}")
        functions = _functions(user)
        if not may_act_at_all(user) or not functions & self.actions[action].functions:
            return None
        if action == "coordinate":
            cases, courts = CASE_RULE.through(user, "coordinate", "case"), coordinated_agencies(user)
            listed = _any(cases,
                          None if courts is None else Q(case__isnull=True, issuing_court__in=courts))
            return None if listed is None else listed & ~VICTIM_RULE.exclusion(user, victim="victim_id")
        safety = VICTIM_RULE.visible_ids(user, "view_safety")
        cases = CASE_RULE.visible_ids(user, "view_proceedings")
        view = _any(
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
            change = _any(
                None if case_change is None else Q(case__in=case_change),
                None if changing is None else Q(case__isnull=True, victim__in=changing),
            )
        change = _any(change, self._court_path(user))
        return None if change is None else view & change

    def may_record(self, user, victim, case, court):
        """Whether the user may record a new order for `victim` (in `case`, from `court`)."""
        from accounts import policy

        functions = _functions(user)
        if not may_act_at_all(user) or not functions & ORDER_KEEPERS:
            return False
        if not policy.can(user, "view", victim):  # no query for a victim loaded with its rights
            return False
        if case is not None and not policy.can(user, "view", case):
            return False
        if _is_court_staff(user):
            return court is not None and court.pk == user.agency_id
        if case is not None:
            return policy.can(user, "change", case)
        return bool(functions & {F.INVESTIGATOR, F.PROSECUTOR}) and policy.can(user, "change_safety", victim)


ORDER_RULE = ProtectionOrderRule()


class OrderPartRule(ObjectRule):
    """Violations and order events follow their order."""

    def __init__(self, model, change):
        self.model = model
        self.order_actions = {"view": "view", "change": change, "coordinate": "coordinate"}
        self.actions = {name: ORDER_RULE.actions[action] for name, action in self.order_actions.items()}

    def condition(self, user, action):
        condition = ORDER_RULE.condition(user, self.order_actions[action])
        return None if condition is None else Q(order__in=ProtectionOrder.objects.filter(condition).values("pk"))


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
        referral = RULES[Referral].condition(user, "respond" if change else "view")
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
        return _any(*(which & Q(case__in=allowed) for which, allowed in tests if allowed is not None))

    def condition(self, user, action):
        if action not in self.actions:
            raise KeyError(f"Deadline has no action {action!r}")
        if not may_act_at_all(user) or not _functions(user) & self.actions[action].functions:
            return None
        if action == "coordinate":
            cases, agencies = CASE_RULE.through(user, "coordinate", "case"), coordinated_agencies(user)
            return _any(cases,
                        None if agencies is None else Q(case__isnull=True, responsible_agency__in=agencies)
                        & ~self._victim_excluded(user))
        condition = self._anchored(user, action)
        if action == "change":
            seen = self.condition(user, "view")
            if seen is not None:
                condition = _any(condition, Q(responsible_user=user) & seen)
        return condition

    def _anchored(self, user, action):
        paths, earlier = [], Q()
        for field, test in self._anchors(user, action):
            if test is not None:
                paths.append(earlier & Q(**{f"{field}__isnull": False}) & test)
            earlier &= Q(**{f"{field}__isnull": True})
        return _any(*paths)

    def condition_within(self, user, action, within):
        # Among deadlines the user may see, one they answer for is theirs to handle: no need
        # to test again that they see it.
        if action == "change" and within == "view" and self.condition(user, "view") is not None:
            return _any(self._anchored(user, "change"), Q(responsible_user=user))
        return self.condition(user, action)


RULES.update({rule.model: rule for rule in (
    HEARING_RULE, HearingWitnessRule(), SpecialMeasureRule(), JudgeUnavailabilityRule(), ORDER_RULE,
    # Anyone who may see an order may report a violation; what was done about it (arrest, bail
    # revoked) is recorded by those who keep the order.
    OrderPartRule(Violation, "change"), OrderPartRule(OrderEvent, "change"), DeadlineRule(),
)})
