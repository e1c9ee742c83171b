"""The case stage lifecycle: one guarded transition per move.

Each transition names where it starts and ends, which functions may make it, whether it
needs a reason, and what must be true first. `move(case, target, actor, reason)` checks all
of it, records the change with its time and actor, and refuses anything else with a message
that says why.
"""

from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import access
from accounts.functions import Function as F

from .models import Case, CaseStageChange, Charge, StageTimeStandard

S = Case.Stage


def _has_filed_charge(case):
    if not Charge.objects.filter(defendant__case=case, status__in=[Charge.Status.FILED, Charge.Status.AMENDED]).exists():
        return _("Record at least one filed charge against a defendant first.")
    return None


def _every_charge_decided(case):
    live = Charge.objects.filter(defendant__case=case).exclude(status=Charge.Status.WITHDRAWN)
    if not live.exists():
        return _("There are no charges to decide.")
    if live.filter(verdict__isnull=True).exists():
        return _("Record a verdict on every charge that was not withdrawn first.")
    return None


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    capability: str  # who may make it: a capability of the access policy (cases.access)
    reason_required: bool = False
    guard: Callable | None = None


PROSECUTION = "move_prosecution"
INVESTIGATION = "move_investigation"

TRANSITIONS = [
    Transition(S.INTAKE, S.INVESTIGATION, gettext_lazy("Open the investigation"), INVESTIGATION),
    Transition(S.INTAKE, S.CLOSED_NO_CHARGE, gettext_lazy("Close without charge"), PROSECUTION, True),
    Transition(S.INVESTIGATION, S.CHARGING, gettext_lazy("Submit for a charging decision"), INVESTIGATION),
    Transition(S.INVESTIGATION, S.CLOSED_NO_CHARGE, gettext_lazy("Close without charge"), PROSECUTION, True),
    Transition(S.CHARGING, S.PRE_TRIAL, gettext_lazy("Charge: start the prosecution"), PROSECUTION,
               guard=_has_filed_charge),
    Transition(S.CHARGING, S.INVESTIGATION, gettext_lazy("Return for further investigation"), PROSECUTION, True),
    Transition(S.CHARGING, S.CLOSED_NO_CHARGE, gettext_lazy("Decide not to charge"), PROSECUTION, True),
    Transition(S.PRE_TRIAL, S.TRIAL, gettext_lazy("Start the trial"), PROSECUTION, guard=_has_filed_charge),
    Transition(S.PRE_TRIAL, S.CLOSED, gettext_lazy("Discontinue the proceedings"), PROSECUTION, True),
    Transition(S.TRIAL, S.JUDGMENT, gettext_lazy("Record the judgment"), PROSECUTION, guard=_every_charge_decided),
    Transition(S.JUDGMENT, S.APPEAL, gettext_lazy("An appeal was lodged"), PROSECUTION),
    Transition(S.JUDGMENT, S.CLOSED, gettext_lazy("Close: the judgment is final"), PROSECUTION),
    Transition(S.APPEAL, S.CLOSED, gettext_lazy("Close: the appeal is decided"), PROSECUTION),
    Transition(S.APPEAL, S.TRIAL, gettext_lazy("Retrial ordered"), PROSECUTION, True),
]
_BY_MOVE = {(t.source, t.target): t for t in TRANSITIONS}


def transitions_from(stage):
    return [t for t in TRANSITIONS if t.source == stage]


def available_transitions(case, user):
    """The moves this user may offer on this case now (guards are checked on submit)."""
    if not access.can(user, "change", case):
        return []
    return [t for t in transitions_from(case.stage) if access.may(user, t.capability)]


@transaction.atomic
def move(case, target, *, actor, reason=""):
    case = Case.objects.select_for_update().get(pk=case.pk)
    transition = _BY_MOVE.get((case.stage, target))
    if transition is None:
        raise ValidationError(
            _("A case at the stage “%(source)s” cannot move to “%(target)s”.")
            % {"source": case.get_stage_display(), "target": Case.Stage(target).label}
        )
    if not access.may(actor, transition.capability) or not access.can(actor, "change", case):
        access.require(actor, "change", case)  # logs, and answers 404 to those who cannot see it
        raise PermissionDenied(
            _("Only %(who)s on this case may %(what)s.")
            % {"who": ", ".join(str(F(f).label).lower() for f in sorted(access.capability(transition.capability).functions)),
               "what": str(transition.label).lower()}
        )
    if transition.reason_required and not reason.strip():
        raise ValidationError(_("“%(what)s” needs a reason.") % {"what": transition.label})
    if transition.guard is not None:
        problem = transition.guard(case)
        if problem:
            raise ValidationError(problem)
    now = timezone.now()
    CaseStageChange.objects.create(case=case, from_stage=case.stage, to_stage=target, changed_at=now,
                                   changed_by=actor, reason=reason.strip())
    case.stage, case.stage_entered_at, case.version = target, now, case.version + 1
    if target == S.CLOSED_NO_CHARGE:
        case.closure_reason = reason.strip()
    case.save()
    return case


# --- Time standards ------------------------------------------------------------------------

def standards_table(jurisdiction_ids):
    """{(jurisdiction_id, stage): (days, child_days)} for these jurisdictions, settings first."""
    table = {}
    rows = StageTimeStandard.objects.filter(jurisdiction_id__in=set(jurisdiction_ids))
    for row in rows:
        table[row.jurisdiction_id, row.stage] = (row.days, row.child_days)
    return table


def stage_standard_days(case, is_child, table=None):
    """Days a case may spend in its current stage; None for closed stages."""
    if table is None:
        table = standards_table([case.jurisdiction_id])
    days = table.get((case.jurisdiction_id, case.stage)) or settings.CASE_STAGE_STANDARD_DAYS.get(case.stage)
    if days is None:
        return None
    return days[1] if is_child else days[0]


def days_in_stage(case, today=None):
    today = today or timezone.localdate()
    return (today - timezone.localtime(case.stage_entered_at).date()).days


def over_standard(case, is_child, table=None, today=None):
    standard = stage_standard_days(case, is_child, table)
    return standard is not None and days_in_stage(case, today) > standard

