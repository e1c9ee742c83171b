"""Grants as a function of the facts: the machinery each app's grants use [SPEC 3].

Which groups hold which guardian grants on an object is derived from the domain facts (an
agency's part in a case, a team assignment, a restriction, a victim linked to a case, a
supporting agency, a consent, a referral): the apps that own those facts say how, in their
grants.py (cases.grants, victims.grants, referrals.grants), and call their sync functions in
the transaction that changed the facts, so grants are always a function of the data and can
be rebuilt at will (`manage.py rebuild_grants`).

Set-based: each reconciliation is two SQL statements over a *scope* (some objects, or all of
them): delete the grants the facts no longer give, insert the ones they give and are missing.
One case is re-synced in a few statements whatever its size; the whole country in the same
few statements. The grant rows are guardian's direct group-permission models (content
object, group, permission), written as guardian itself writes them.
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from accounts.models import Agency, User

_REBUILDS = []


def table(model):
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


def scoped(column, ids):
    """The SQL that narrows `column` to the scope's ids (the %(scope)s parameter), or nothing
    when the scope is everything (ids None)."""
    return "" if ids is None else f" AND {column} = ANY(%(scope)s::bigint[])"


def delete_then_insert(delete_sql, insert_sql, params=None):
    """Run a reconciliation's two statements; (rows removed, rows added)."""
    with connection.cursor() as cursor:
        cursor.execute(delete_sql, params)
        removed = cursor.rowcount
        cursor.execute(insert_sql, params)
        return removed, cursor.rowcount


def reconcile(grant_model, desired_sql, params, ids, codenames):
    """Make the grants of `grant_model` with these permissions, on the objects in scope
    (`ids`, or all when None), exactly the rows of `desired_sql` (object_id, group_id,
    permission_id). Returns (removed, added)."""
    grants = table(grant_model)
    params = {**params, "scope": list(ids) if ids is not None else None,
              "permissions": list(permission_ids(grant_model.content_object.field.related_model, codenames).values())}
    same = ("d.object_id = g.content_object_id AND d.group_id = g.group_id AND d.permission_id = g.permission_id")
    return delete_then_insert(
        f"WITH desired AS ({desired_sql}) DELETE FROM {grants} g WHERE g.permission_id = ANY(%(permissions)s)"
        f"{scoped('g.content_object_id', ids)} AND NOT EXISTS (SELECT 1 FROM desired d WHERE {same})",
        f"WITH desired AS ({desired_sql}) INSERT INTO {grants} (content_object_id, group_id, permission_id) "
        f"SELECT DISTINCT d.object_id, d.group_id, d.permission_id FROM desired d "
        f"WHERE NOT EXISTS (SELECT 1 FROM {grants} g WHERE {same})", params)


def reconcile_agency_membership():
    """Every user in exactly one agency group: their agency's."""
    members, agency, user = table(User.groups.through), table(Agency), table(User)
    return delete_then_insert(
        f"DELETE FROM {members} m USING {agency} g WHERE m.group_id = g.group_id AND NOT EXISTS "
        f"(SELECT 1 FROM {user} u WHERE u.id = m.user_id AND u.agency_id = g.id)",
        f"INSERT INTO {members} (user_id, group_id) SELECT u.id, g.group_id FROM {user} u "
        f"JOIN {agency} g ON g.id = u.agency_id WHERE NOT EXISTS "
        f"(SELECT 1 FROM {members} m WHERE m.user_id = u.id AND m.group_id = g.group_id)")


def register_rebuild(what, rebuild):
    """A whole-country reconciliation for rebuild_all, run in the order registered (the
    apps' order: a victim's grants read its cases' grants, so cases come first)."""
    _REBUILDS.append((what, rebuild))


def rebuild_all():
    """Every membership and grant from the facts, for the whole country, in a few statements
    each. Returns {what: (removed, added)}: nothing of either when the grants were in step."""
    return {"agency memberships": reconcile_agency_membership(),
            **{what: rebuild() for what, rebuild in _REBUILDS}}
