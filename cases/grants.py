"""Who holds which grants on a case, from the case's facts [SPEC 3, PR 1.2.7]: its team, the
agencies taking part and its restriction (access.grants is the machinery). The services call
these in the transaction that changed the facts; a victim's grants follow its cases', so
changing a case's grants announces it (signals.case_grants_changed)."""

from access.grants import delete_then_insert, permission_ids, reconcile, scoped, table
from accounts.models import Agency, User

from .models import Case, CaseAgency, CaseAssignment, CaseGroupObjectPermission
from .signals import case_grants_changed

EDITING_ROLES = (CaseAgency.Role.INVESTIGATING, CaseAgency.Role.PROSECUTING)
CASE_GRANTS = ("view_case", "change_case")


def reconcile_case_grants(case_ids=None):
    """The case team holds view and change on its case; each agency taking part sees it, and
    the investigating and prosecuting agencies change it, unless it is restricted (a public
    official involved: its team only) [PR 1.2.7]."""
    perms = permission_ids(Case, CASE_GRANTS)
    case, part, agency = table(Case), table(CaseAgency), table(Agency)
    desired = f"""
        SELECT c.id AS object_id, c.team_group_id AS group_id, p.id AS permission_id
          FROM {case} c CROSS JOIN unnest(%(case_grants)s::integer[]) AS p(id)
         WHERE TRUE{scoped('c.id', case_ids)}
        UNION ALL
        SELECT ca.case_id, a.group_id, %(view_case)s
          FROM {part} ca JOIN {agency} a ON a.id = ca.agency_id JOIN {case} c ON c.id = ca.case_id
         WHERE NOT c.is_restricted{scoped('c.id', case_ids)}
        UNION ALL
        SELECT ca.case_id, a.group_id, %(change_case)s
          FROM {part} ca JOIN {agency} a ON a.id = ca.agency_id JOIN {case} c ON c.id = ca.case_id
         WHERE NOT c.is_restricted AND ca.role = ANY(%(editing)s){scoped('c.id', case_ids)}"""
    params = {"case_grants": list(perms.values()), "view_case": perms["view_case"],
              "change_case": perms["change_case"], "editing": [str(role) for role in EDITING_ROLES]}
    return reconcile(CaseGroupObjectPermission, desired, params, case_ids, CASE_GRANTS)


def reconcile_case_teams(case_ids=None):
    """Each case-team group holds exactly the people with a current assignment."""
    members, case, assignment = table(User.groups.through), table(Case), table(CaseAssignment)
    scope = scoped("c.id", case_ids)
    params = {"scope": list(case_ids) if case_ids is not None else None}
    return delete_then_insert(
        f"DELETE FROM {members} m USING {case} c WHERE m.group_id = c.team_group_id{scope} AND NOT EXISTS "
        f"(SELECT 1 FROM {assignment} a WHERE a.case_id = c.id AND a.ended_on IS NULL AND a.user_id = m.user_id)",
        f"INSERT INTO {members} (user_id, group_id) SELECT DISTINCT a.user_id, c.team_group_id "
        f"FROM {assignment} a JOIN {case} c ON c.id = a.case_id WHERE a.ended_on IS NULL{scope} AND NOT EXISTS "
        f"(SELECT 1 FROM {members} m WHERE m.user_id = a.user_id AND m.group_id = c.team_group_id)", params)


def sync_case_team(case):
    """The case-team group holds exactly the people with a current assignment."""
    reconcile_case_teams([case.pk])


def sync_case_grants(case):
    """The case's grants, and (through case_grants_changed) those of its victims, which follow them."""
    reconcile_case_grants([case.pk])
    case_grants_changed.send(sender=Case, case=case)
