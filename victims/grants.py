"""Who holds which grants on a victim, from the victim's facts [SPEC 2.3, SPEC 3, NA VII.D.9]:
the grants of the victim's cases, the supporting NGO, consents to share, and what other apps
add as a source (a referral's receiving agency: referrals.grants). access.grants is the
machinery; the services call sync_victim_grants in the transaction that changed the facts."""

from access.grants import permission_ids, reconcile, scoped, table
from accounts.models import Agency
from cases.grants import CASE_GRANTS
from cases.models import Case, CaseGroupObjectPermission

from .models import Consent, Victim, VictimCaseLink, VictimGroupObjectPermission, VictimSupport

# Held by the supporting NGO: everything, shelter and counselling included [SPEC 2.3].
SUPPORTER_GRANTS = ("view_victim", "change_victim", "view_victim_identity", "view_shelter_location",
                    "view_counselling_notes")
VICTIM_GRANTS = (*SUPPORTER_GRANTS, "view_victim_referral")

_SOURCES = []


def add_source(source):
    """Another app's facts that give groups grants on victims: `source(perms, victim_ids)`
    returns (SQL, parameters) of rows (object_id, group_id, permission_id) for the victims in
    scope (access.grants.scoped on its victim column), `perms` being {codename: id} of
    VICTIM_GRANTS; its parameter names are its own (prefixed with its app's name)."""
    _SOURCES.append(source)


def reconcile_victim_grants(victim_ids=None):
    """What each group may see of a victim, from the case grants of the victim's cases (read
    from the grant table, so reconcile cases first), the supporting NGOs, consents and the
    sources other apps add (add_source: referrals)."""
    perms = permission_ids(Victim, VICTIM_GRANTS)
    case_perms = permission_ids(Case, CASE_GRANTS)
    support, link, consent = table(VictimSupport), table(VictimCaseLink), table(Consent)
    agency, case, case_grant = table(Agency), table(Case), table(CaseGroupObjectPermission)
    desired = f"""
        SELECT s.victim_id AS object_id, a.group_id AS group_id, p.id AS permission_id
          FROM {support} s JOIN {agency} a ON a.id = s.agency_id
               CROSS JOIN unnest(%(supporter)s::integer[]) AS p(id)
         WHERE s.ended_on IS NULL{scoped('s.victim_id', victim_ids)}
        UNION ALL
        SELECT l.victim_id, g.group_id,
               CASE WHEN g.permission_id = %(view_case)s THEN %(view_victim)s ELSE %(change_victim)s END
          FROM {link} l JOIN {case_grant} g ON g.content_object_id = l.case_id
         WHERE g.permission_id IN (%(view_case)s, %(change_case)s){scoped('l.victim_id', victim_ids)}
        UNION ALL
        -- Identity: the people on the case team, not whole agencies [SPEC 2.3].
        SELECT l.victim_id, c.team_group_id, %(identity)s
          FROM {link} l JOIN {case} c ON c.id = l.case_id
         WHERE TRUE{scoped('l.victim_id', victim_ids)}
        UNION ALL
        -- Consent to share with a named agency is a source of access of its own; withdrawing it
        -- removes what it gave (access the agency holds for another reason stays) [NA VII.D.9].
        SELECT co.victim_id, a.group_id, %(view_victim)s
          FROM {consent} co JOIN {agency} a ON a.id = co.agency_id
         WHERE co.withdrawn_on IS NULL AND co.purpose IN (%(share_record)s, %(share_identity)s)
               {scoped('co.victim_id', victim_ids)}
        UNION ALL
        SELECT co.victim_id, a.group_id, %(identity)s
          FROM {consent} co JOIN {agency} a ON a.id = co.agency_id
         WHERE co.withdrawn_on IS NULL AND co.purpose = %(share_identity)s{scoped('co.victim_id', victim_ids)}"""
    added = [source(perms, victim_ids) for source in _SOURCES]
    desired = " UNION ALL ".join([desired, *(sql for sql, _ in added)])
    params = {
        "supporter": [perms[codename] for codename in SUPPORTER_GRANTS], "view_victim": perms["view_victim"],
        "change_victim": perms["change_victim"], "identity": perms["view_victim_identity"],
        "view_case": case_perms["view_case"],
        "change_case": case_perms["change_case"], "share_record": Consent.Purpose.SHARE_RECORD.value,
        "share_identity": Consent.Purpose.SHARE_IDENTITY.value,
    }
    for _, more in added:
        params.update(more)
    return reconcile(VictimGroupObjectPermission, desired, params, victim_ids, VICTIM_GRANTS)


def sync_victim_grants(victim):
    reconcile_victim_grants([victim.pk])


def sync_victims_of_case(case):
    """The grants of the victims linked to `case`, after its own grants changed."""
    reconcile_victim_grants(list(VictimCaseLink.objects.filter(case=case).values_list("victim_id", flat=True)))
