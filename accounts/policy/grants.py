"""Which groups hold which guardian grants on an object, derived from the domain facts.

Every change to those facts (an agency's part in a case, a team assignment, a restriction,
a victim linked to a case, a supporting agency, a consent, a referral) calls the matching
sync function in the same transaction, so grants are always a function of the data and can
be rebuilt at will (`manage.py rebuild_grants`).

Set-based: each reconciliation is two SQL statements over a *scope* (some cases or victims,
or all of them): delete the grants the facts no longer give, insert the ones they give and
are missing. One case is re-synced in a few statements whatever its size; the whole country
in the same few statements [SPEC 3]. The grant rows are guardian's direct group-permission
models (content object, group, permission), written as guardian itself writes them.
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from accounts.models import Agency, User
from cases.models import Case, CaseAgency, CaseAssignment, CaseGroupObjectPermission
from referrals.models import Referral
from victims.models import Consent, Victim, VictimCaseLink, VictimGroupObjectPermission, VictimSupport

EDITING_ROLES = (CaseAgency.Role.INVESTIGATING, CaseAgency.Role.PROSECUTING)
CASE_GRANTS = ("view_case", "change_case")
# Held by the supporting NGO: everything, shelter and counselling included [SPEC 2.3].
SUPPORTER_GRANTS = ("view_victim", "change_victim", "view_victim_identity", "view_shelter_location",
                    "view_counselling_notes")
VICTIM_GRANTS = (*SUPPORTER_GRANTS, "view_victim_referral")


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def permission_ids(model, codenames):
    """{codename: permission id} for the model's permissions (created by migrate)."""
    content_type = ContentType.objects.get_for_model(model)
    found = dict(Permission.objects.filter(content_type=content_type, codename__in=codenames)
                 .values_list("codename", "pk"))
    missing = set(codenames) - set(found)
    if missing:
        raise LookupError(f"Permissions missing for {model.__name__}: {sorted(missing)} (run migrate)")
    return found


def _scope(column, ids):
    return "" if ids is None else f" AND {column} = ANY(%(scope)s::bigint[])"


def _delete_then_insert(delete_sql, insert_sql, params=None):
    """Run a reconciliation's two statements; (rows removed, rows added)."""
    with connection.cursor() as cursor:
        cursor.execute(delete_sql, params)
        removed = cursor.rowcount
        cursor.execute(insert_sql, params)
        return removed, cursor.rowcount


def _reconcile(grant_model, desired_sql, params, ids, codenames):
    """Make the grants of `grant_model` with these permissions, on the objects in scope
    (`ids`, or all when None), exactly the rows of `desired_sql` (object_id, group_id,
    permission_id). Returns (removed, added)."""
    table = _table(grant_model)
    params = {**params, "scope": list(ids) if ids is not None else None,
              "permissions": list(permission_ids(grant_model.content_object.field.related_model, codenames).values())}
    same = ("d.object_id = g.content_object_id AND d.group_id = g.group_id AND d.permission_id = g.permission_id")
    return _delete_then_insert(
        f"WITH desired AS ({desired_sql}) DELETE FROM {table} g WHERE g.permission_id = ANY(%(permissions)s)"
        f"{_scope('g.content_object_id', ids)} AND NOT EXISTS (SELECT 1 FROM desired d WHERE {same})",
        f"WITH desired AS ({desired_sql}) INSERT INTO {table} (content_object_id, group_id, permission_id) "
        f"SELECT DISTINCT d.object_id, d.group_id, d.permission_id FROM desired d "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} g WHERE {same})", params)


def reconcile_case_grants(case_ids=None):
    """The case team holds view and change on its case; each agency taking part sees it, and
    the investigating and prosecuting agencies change it, unless it is restricted (a public
    official involved: its team only) [PR 1.2.7]."""
    perms = permission_ids(Case, CASE_GRANTS)
    case, part, agency = _table(Case), _table(CaseAgency), _table(Agency)
    desired = f"""
        SELECT c.id AS object_id, c.team_group_id AS group_id, p.id AS permission_id
          FROM {case} c CROSS JOIN unnest(%(case_grants)s::integer[]) AS p(id)
         WHERE TRUE{_scope('c.id', case_ids)}
        UNION ALL
        SELECT ca.case_id, a.group_id, %(view_case)s
          FROM {part} ca JOIN {agency} a ON a.id = ca.agency_id JOIN {case} c ON c.id = ca.case_id
         WHERE NOT c.is_restricted{_scope('c.id', case_ids)}
        UNION ALL
        SELECT ca.case_id, a.group_id, %(change_case)s
          FROM {part} ca JOIN {agency} a ON a.id = ca.agency_id JOIN {case} c ON c.id = ca.case_id
         WHERE NOT c.is_restricted AND ca.role = ANY(%(editing)s){_scope('c.id', case_ids)}"""
    params = {"case_grants": list(perms.values()), "view_case": perms["view_case"],
              "change_case": perms["change_case"], "editing": [str(role) for role in EDITING_ROLES]}
    return _reconcile(CaseGroupObjectPermission, desired, params, case_ids, CASE_GRANTS)


def reconcile_victim_grants(victim_ids=None):
    """What each group may see of a victim, from the case grants of the victim's cases (read
    from the grant table, so reconcile cases first), the supporting NGOs, consents and
    referrals."""
    perms = permission_ids(Victim, VICTIM_GRANTS)
    case_perms = permission_ids(Case, CASE_GRANTS)
    support, link, consent = _table(VictimSupport), _table(VictimCaseLink), _table(Consent)
    agency, case, case_grant, referral = _table(Agency), _table(Case), _table(CaseGroupObjectPermission), _table(Referral)
    desired = f"""
        SELECT s.victim_id AS object_id, a.group_id AS group_id, p.id AS permission_id
          FROM {support} s JOIN {agency} a ON a.id = s.agency_id
               CROSS JOIN unnest(%(supporter)s::integer[]) AS p(id)
         WHERE s.ended_on IS NULL{_scope('s.victim_id', victim_ids)}
        UNION ALL
        SELECT l.victim_id, g.group_id,
               CASE WHEN g.permission_id = %(view_case)s THEN %(view_victim)s ELSE %(change_victim)s END
          FROM {link} l JOIN {case_grant} g ON g.content_object_id = l.case_id
         WHERE g.permission_id IN (%(view_case)s, %(change_case)s){_scope('l.victim_id', victim_ids)}
        UNION ALL
        -- Identity: the people on the case team, not whole agencies [SPEC 2.3].
        SELECT l.victim_id, c.team_group_id, %(identity)s
          FROM {link} l JOIN {case} c ON c.id = l.case_id
         WHERE TRUE{_scope('l.victim_id', victim_ids)}
        UNION ALL
        -- Consent to share with a named agency is a source of access of its own; withdrawing it
        -- removes what it gave (access the agency holds for another reason stays) [NA VII.D.9].
        SELECT co.victim_id, a.group_id, %(view_victim)s
          FROM {consent} co JOIN {agency} a ON a.id = co.agency_id
         WHERE co.withdrawn_on IS NULL AND co.purpose IN (%(share_record)s, %(share_identity)s)
               {_scope('co.victim_id', victim_ids)}
        UNION ALL
        SELECT co.victim_id, a.group_id, %(identity)s
          FROM {consent} co JOIN {agency} a ON a.id = co.agency_id
         WHERE co.withdrawn_on IS NULL AND co.purpose = %(share_identity)s{_scope('co.victim_id', victim_ids)}
        UNION ALL
        -- A referral gives the receiving agency the victim's referral summary while it works on
        -- it, and only while the consent it was sent with stands; one sent by override stands on it.
        SELECT r.victim_id, a.group_id, %(referral)s
          FROM {referral} r JOIN {agency} a ON a.id = r.to_agency_id LEFT JOIN {consent} co ON co.id = r.consent_id
         WHERE r.status = ANY(%(gives_access)s)
               AND ((r.consent_id IS NOT NULL AND co.withdrawn_on IS NULL)
                    OR (r.consent_id IS NULL AND r.consent_override_reason <> ''))
               {_scope('r.victim_id', victim_ids)}"""
    params = {
        "supporter": [perms[codename] for codename in SUPPORTER_GRANTS], "view_victim": perms["view_victim"],
        "change_victim": perms["change_victim"], "identity": perms["view_victim_identity"],
        "referral": perms["view_victim_referral"], "view_case": case_perms["view_case"],
        "change_case": case_perms["change_case"], "share_record": Consent.Purpose.SHARE_RECORD.value,
        "share_identity": Consent.Purpose.SHARE_IDENTITY.value,
        "gives_access": [str(status) for status in Referral.GIVES_ACCESS],
    }
    return _reconcile(VictimGroupObjectPermission, desired, params, victim_ids, VICTIM_GRANTS)


def reconcile_case_teams(case_ids=None):
    """Each case-team group holds exactly the people with a current assignment."""
    members, case, assignment = _table(User.groups.through), _table(Case), _table(CaseAssignment)
    scope = _scope("c.id", case_ids)
    params = {"scope": list(case_ids) if case_ids is not None else None}
    return _delete_then_insert(
        f"DELETE FROM {members} m USING {case} c WHERE m.group_id = c.team_group_id{scope} AND NOT EXISTS "
        f"(SELECT 1 FROM {assignment} a WHERE a.case_id = c.id AND a.ended_on IS NULL AND a.user_id = m.user_id)",
        f"INSERT INTO {members} (user_id, group_id) SELECT DISTINCT a.user_id, c.team_group_id "
        f"FROM {assignment} a JOIN {case} c ON c.id = a.case_id WHERE a.ended_on IS NULL{scope} AND NOT EXISTS "
        f"(SELECT 1 FROM {members} m WHERE m.user_id = a.user_id AND m.group_id = c.team_group_id)", params)


def reconcile_agency_membership():
    """Every user in exactly one agency group: their agency's."""
    members, agency, user = _table(User.groups.through), _table(Agency), _table(User)
    return _delete_then_insert(
        f"DELETE FROM {members} m USING {agency} g WHERE m.group_id = g.group_id AND NOT EXISTS "
        f"(SELECT 1 FROM {user} u WHERE u.id = m.user_id AND u.agency_id = g.id)",
        f"INSERT INTO {members} (user_id, group_id) SELECT u.id, g.group_id FROM {user} u "
        f"JOIN {agency} g ON g.id = u.agency_id WHERE NOT EXISTS "
        f"(SELECT 1 FROM {members} m WHERE m.user_id = u.id AND m.group_id = g.group_id)")


# --- One object's facts changed (the services call these) -------------------------------------

def sync_case_team(case):
    """The case-team group holds exactly the people with a current assignment."""
    reconcile_case_teams([case.pk])


def sync_case_grants(case):
    """The case's grants, and those of its victims, which follow them."""
    reconcile_case_grants([case.pk])
    reconcile_victim_grants(list(VictimCaseLink.objects.filter(case=case).values_list("victim_id", flat=True)))


def sync_victim_grants(victim):
    reconcile_victim_grants([victim.pk])


def rebuild_all():
    """Every membership and grant from the facts, for the whole country, in eight statements.
    Returns {what: (removed, added)}: nothing of either when the grants were in step."""
    return {
        "agency memberships": reconcile_agency_membership(),
        "case-team memberships": reconcile_case_teams(),
        "case grants": reconcile_case_grants(),
        "victim grants": reconcile_victim_grants(),
    }
