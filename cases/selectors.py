"""What pages read of a case [SPEC 2.2, SPEC 3]."""

from django.db.models import Exists, OuterRef

import access
from accounts.models import TrainingRecord

from . import lifecycle
from .models import Case, CaseNote
from .panels import CASE_PAGE


def case_file(user, case):
    """Everything the case's page shows of `case` (loaded with every right of the user on it),
    each part of the file only where the policy lets the user see it, and the panels the apps
    above add (cases.panels). A constant number of queries whatever the file holds."""
    may = {action: access.can(user, action, case) for action in access.rule_for(Case).actions}
    # Who on the team is trained for trafficking cases [GP 13, PR 1.2.4].
    trained = TrainingRecord.objects.filter(user=OuterRef("user_id"))
    file = {
        "may": may,
        "agency_roles": case.agency_roles.select_related("agency").order_by("role"),
        "team": case.assignments.select_related("user").annotate(trained=Exists(trained)).order_by(
            "team_role", "started_on"),
        "stage_changes": case.stage_changes.select_related("changed_by"),
        "transitions": lifecycle.available_transitions(case, user),
        "standard_days": lifecycle.stage_standard_days(case, case.priority == Case.Priority.CHILD),
        "days_in_stage": lifecycle.days_in_stage(case),
        "meetings": case.meetings.prefetch_related("agencies"),
        "notes": access.visible(user, CaseNote.objects.filter(case=case)).select_related("author", "author_agency"),
        "exclusions": case.exclusions.select_related("user") if may["manage_team"] else None,
        "audience": access.audience(case, user),
    }
    if may["view_proceedings"]:
        file["defendants"] = case.defendants.prefetch_related("charges__verdict__appeals")
        file["assets"] = case.assets.select_related("defendant")
    if may["view_cooperation"]:
        file["cooperation_requests"] = case.cooperation_requests.all()
    if may["view_compensation"]:
        file["compensation_claims"] = case.compensation_claims.select_related("victim")
    # Victims, hearings, deadlines and protection orders: the panels the apps above add.
    file.update(CASE_PAGE.context(user, case, may))
    return file
