"""The SQL floor of each page: hand-written SQL fetching the rows the page shows to its user,
without the access-policy machinery (no rule objects, no per-action EXISTS over permission and
content-type joins): what the user sees comes straight from their groups' guardian grants, as
prepared permission ids, minus their exclusions. The page's median over the floor's median is
the price of everything else (policy, ORM, templates, middleware).

Each builder returns a Floor of statements; a floor fetches every row of each (a count, then
the page's rows, as the page does). On the national dataset each floor's rows were checked
against the page's own querysets (lists, inbox boxes, calendar, dashboards): the same rows.
"""

import datetime
import math

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone

PAGE = 50  # the lists' page size (ListView.paginate_by, REST_FRAMEWORK PAGE_SIZE)


class Floor:
    def __init__(self, statements, note=""):
        self.statements, self.note = statements, note

    def __call__(self):
        rows = 0
        with connection.cursor() as cursor:
            for sql, params in self.statements:
                cursor.execute(sql, params)
                rows += len(cursor.fetchall())
        return rows

    def count(self):
        """The first statement's first value (the list's count, for lists)."""
        with connection.cursor() as cursor:
            cursor.execute(*self.statements[0])
            return cursor.fetchone()[0]


def _permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename).pk


def params(user, **more):
    from deadlines.models import Deadline

    return {
        "user": user.pk, "agency": user.agency_id, "view_case": _permission("cases", "view_case"),
        "view_victim": _permission("victims", "view_victim"),
        "since": timezone.now() - datetime.timedelta(days=settings.VICTIM_RECORDER_ACCESS_DAYS),
        "pending": list(Deadline.PENDING), "now": timezone.now(), **more,
    }


# The cases a user sees: a group of theirs holds view_case, and no exclusion names them. The ids
# come as an array (one InitPlan), so the rows are fetched by primary key.
CASES_SEEN = """ARRAY(SELECT g.content_object_id FROM cases_casegroupobjectpermission g
    JOIN accounts_user_groups ug ON ug.group_id = g.group_id
    WHERE ug.user_id = %(user)s AND g.permission_id = %(view_case)s)"""
CASE_NOT_EXCLUDED = """NOT EXISTS (SELECT 1 FROM cases_caseexclusion e
    WHERE e.case_id = {case} AND e.user_id = %(user)s)"""
# The victims a user sees: by grant, or recorded by them lately in their agency; never one of a
# case they are excluded from.
VICTIMS_SEEN = """ARRAY(SELECT g.content_object_id FROM victims_victimgroupobjectpermission g
    JOIN accounts_user_groups ug ON ug.group_id = g.group_id
    WHERE ug.user_id = %(user)s AND g.permission_id = %(view_victim)s
    UNION SELECT r.id FROM victims_victim r WHERE r.recorded_by_id = %(user)s
      AND r.recording_agency_id = %(agency)s AND r.created_at >= %(since)s)"""
VICTIM_NOT_EXCLUDED = """NOT EXISTS (SELECT 1 FROM victims_victimcaselink xl
    JOIN cases_caseexclusion xe ON xe.case_id = xl.case_id
    WHERE xl.victim_id = {victim} AND xe.user_id = %(user)s)"""


def case_seen(column):
    return f"{column} = ANY({CASES_SEEN}) AND {CASE_NOT_EXCLUDED.format(case=column)}"


def victim_seen(column):
    return f"{column} = ANY({VICTIMS_SEEN}) AND {VICTIM_NOT_EXCLUDED.format(victim=column)}"


def offset(page, count):
    """The OFFSET of page `page` (a number, or "last")."""
    number = max(1, math.ceil(count / PAGE)) if page == "last" else int(page)
    return (number - 1) * PAGE


def _paged(count_sql, rows_sql, values, page):
    """A count and one page of rows; "last" is resolved with the count, as the paginator does."""
    if page == "last":
        with connection.cursor() as cursor:
            cursor.execute(count_sql, values)
            values = {**values, "offset": offset("last", cursor.fetchone()[0])}
    else:
        values = {**values, "offset": offset(page, 0)}
    return [(count_sql, values), (rows_sql + " LIMIT 50 OFFSET %(offset)s", values)]


# --- Lists ----------------------------------------------------------------------------------

def case_list(user, page=1):
    where = case_seen("c.id")
    return Floor(_paged(
        f"SELECT count(*) FROM cases_case c WHERE {where}",
        f"""SELECT c.id, c.reference, c.title, c.stage, c.priority, c.opened_on, c.is_restricted,
                   c.is_transnational, c.exploitation_forms, j.name
            FROM cases_case c JOIN accounts_jurisdiction j ON j.id = c.jurisdiction_id
            WHERE {where} ORDER BY c.opened_on DESC, c.id DESC""", params(user), page))


def victim_list(user, page=1):
    where = victim_seen("v.id")
    return Floor(_paged(
        f"SELECT count(*) FROM victims_victim v WHERE {where}",
        f"""SELECT v.id, v.code, v.status, v.sex, v.age_group, v.nationality, v.created_at,
                   v.exploitation_forms, v.languages
            FROM victims_victim v WHERE {where} ORDER BY v.created_at DESC, v.id DESC""", params(user), page))


def deadlines_mine(user, page=1):
    where = f"""d.status = ANY(%(pending)s)
        AND (d.responsible_user_id = %(user)s OR (d.responsible_user_id IS NULL AND d.responsible_agency_id = %(agency)s))
        AND (d.case_id = ANY({CASES_SEEN}) OR d.victim_id = ANY({VICTIMS_SEEN})
             OR d.referral_id IN (SELECT f.id FROM referrals_referral f
                                  WHERE f.from_agency_id = %(agency)s OR f.to_agency_id = %(agency)s))"""
    return Floor(_paged(
        f"SELECT count(*) FROM deadlines_deadline d WHERE {where}",
        f"""SELECT d.id, d.title, d.kind, d.status, d.due_at, d.original_due_at, d.extension_reason,
                   c.reference, v.code, u.first_name, u.last_name, a.name
            FROM deadlines_deadline d LEFT JOIN cases_case c ON c.id = d.case_id
            LEFT JOIN victims_victim v ON v.id = d.victim_id
            LEFT JOIN accounts_user u ON u.id = d.responsible_user_id
            LEFT JOIN accounts_agency a ON a.id = d.responsible_agency_id
            WHERE {where} ORDER BY d.due_at, d.id""", params(user), page))


def referral_inbox(user):
    from referrals.models import Referral

    values = params(user, open=list(Referral.OPEN), sent=Referral.Status.SENT,
                    recent=timezone.now() - datetime.timedelta(days=14))
    select = f"""SELECT r.id, r.status, r.urgency, r.sent_at, r.response_due_at, r.services,
                        (SELECT v.code FROM victims_victim v WHERE v.id = r.victim_id),
                        fa.name, ta.name, u.first_name, u.last_name,
                        EXISTS (SELECT 1 FROM referrals_referralnotice n WHERE n.referral_id = r.id
                                AND n.agency_id = %(agency)s AND n.read_at IS NULL)
        FROM referrals_referral r
        JOIN accounts_agency fa ON fa.id = r.from_agency_id JOIN accounts_agency ta ON ta.id = r.to_agency_id
        LEFT JOIN accounts_user u ON u.id = r.assigned_to_id
        WHERE {VICTIM_NOT_EXCLUDED.format(victim='r.victim_id')} AND """
    order = " ORDER BY r.sent_at DESC, r.id DESC"
    return Floor([
        (select + """(r.to_agency_id = %(agency)s OR r.from_agency_id = %(agency)s) AND r.status = %(sent)s
                     AND r.response_due_at < %(now)s""" + order, values),
        (select + "r.to_agency_id = %(agency)s AND r.status = ANY(%(open)s)" + order, values),
        (select + """(r.to_agency_id = %(agency)s OR r.from_agency_id = %(agency)s)
                     AND r.assigned_to_id = %(user)s AND r.assigned_at >= %(recent)s""" + order, values),
        (select + "r.from_agency_id = %(agency)s AND r.status = ANY(%(open)s)" + order, values),
    ])


# --- Dashboards -----------------------------------------------------------------------------

def prosecutor_dashboard(user):
    from cases.models import CaseAssignment
    from hearings.models import Hearing

    values = params(user, prosecutor=CaseAssignment.TeamRole.PROSECUTOR, scheduled=Hearing.Status.SCHEDULED)
    return Floor([(f"""
        SELECT c.id, c.reference, c.title, c.stage, c.priority, c.stage_entered_at, j.name,
            (SELECT min(h.starts_at) FROM hearings_hearing h WHERE h.case_id = c.id
             AND h.status = %(scheduled)s AND h.starts_at >= %(now)s),
            (SELECT count(*) FROM hearings_hearing h WHERE h.case_id = c.id AND h.status = 'adjourned'),
            (SELECT count(*) FROM deadlines_deadline d WHERE d.case_id = c.id AND d.status = ANY(%(pending)s)),
            (SELECT count(*) FROM deadlines_deadline d WHERE d.case_id = c.id AND d.status = ANY(%(pending)s)
             AND d.due_at < %(now)s)
        FROM cases_case c JOIN accounts_jurisdiction j ON j.id = c.jurisdiction_id
        WHERE EXISTS (SELECT 1 FROM cases_caseassignment a WHERE a.case_id = c.id AND a.user_id = %(user)s
                      AND a.team_role = %(prosecutor)s AND a.ended_on IS NULL)
          AND {case_seen("c.id")}
        ORDER BY c.stage_entered_at, c.id""", values)])


def supervisor_dashboard(user):
    from cases.models import Case, CaseAgency, CaseAssignment

    values = params(user, prosecuting=CaseAgency.Role.PROSECUTING, prosecutor=CaseAssignment.TeamRole.PROSECUTOR,
                    judgment=Case.Stage.JUDGMENT, closed=[Case.Stage.CLOSED, Case.Stage.CLOSED_NO_CHARGE],
                    function=["prosecutor"])
    # The office's cases the supervisor sees, computed once per statement.
    office = f"""WITH office AS MATERIALIZED (
        SELECT c.id, c.reference, c.stage, c.priority, c.stage_entered_at, c.jurisdiction_id FROM cases_case c
        WHERE {case_seen("c.id")}
          AND EXISTS (SELECT 1 FROM cases_caseagency ca WHERE ca.case_id = c.id AND ca.agency_id = %(agency)s
                      AND ca.role = %(prosecuting)s)) """
    return Floor([
        # Continuity: office cases that reached judgment, and those with one prosecutor throughout.
        (office + """SELECT count(*), count(*) FILTER (WHERE n = 1) FROM (
                SELECT (SELECT count(DISTINCT a.user_id) FROM cases_caseassignment a
                        WHERE a.case_id = o.id AND a.team_role = %(prosecutor)s) AS n
                FROM office o WHERE EXISTS (SELECT 1 FROM cases_casestagechange s WHERE s.case_id = o.id
                                            AND s.to_stage = %(judgment)s)) judged""", values),
        # Caseload: the office's prosecutors and their open cases.
        (office + """SELECT u.id, u.first_name, u.last_name, count(o.id) AS open_cases
             FROM accounts_user u LEFT JOIN cases_caseassignment a ON a.user_id = u.id
                  AND a.team_role = %(prosecutor)s AND a.ended_on IS NULL
             LEFT JOIN office o ON o.id = a.case_id AND NOT o.stage = ANY(%(closed)s)
             WHERE u.agency_id = %(agency)s AND u.functions @> %(function)s::varchar[]
             GROUP BY u.id ORDER BY open_cases DESC, u.last_name, u.first_name, u.username""", values),
        # Over the standard: every open office case with its stage time and current prosecutor.
        (office + """SELECT o.*, u.first_name, u.last_name FROM office o
             LEFT JOIN cases_caseassignment a ON a.case_id = o.id AND a.team_role = %(prosecutor)s
                  AND a.ended_on IS NULL
             LEFT JOIN accounts_user u ON u.id = a.user_id
             WHERE NOT o.stage = ANY(%(closed)s)""", values),
    ])


# --- Detail pages ---------------------------------------------------------------------------

def case_detail(user, case_id):
    values = params(user, case=case_id, recent=timezone.now() - datetime.timedelta(days=30))
    one = "{table} WHERE {column} = %(case)s"
    return Floor([
        (f"""SELECT c.*, j.name, ct.name, u.username FROM cases_case c
             JOIN accounts_jurisdiction j ON j.id = c.jurisdiction_id LEFT JOIN accounts_agency ct ON ct.id = c.court_id
             LEFT JOIN accounts_user u ON u.id = c.created_by_id
             WHERE c.id = %(case)s AND {case_seen("c.id")}""", values),
        ("SELECT ca.role, a.name FROM cases_caseagency ca JOIN accounts_agency a ON a.id = ca.agency_id "
         "WHERE ca.case_id = %(case)s ORDER BY ca.role", values),
        ("SELECT s.team_role, s.started_on, s.ended_on, u.first_name, u.last_name FROM cases_caseassignment s "
         "JOIN accounts_user u ON u.id = s.user_id WHERE s.case_id = %(case)s ORDER BY s.team_role, s.started_on",
         values),
        ("SELECT v.id, v.code, v.status, v.age_group, l.role FROM victims_victimcaselink l "
         "JOIN victims_victim v ON v.id = l.victim_id WHERE l.case_id = %(case)s", values),
        ("SELECT * FROM " + one.format(table="cases_casestagechange", column="case_id") + " ORDER BY changed_at",
         values),
        ("SELECT d.*, ch.* FROM cases_defendant d LEFT JOIN cases_charge ch ON ch.defendant_id = d.id "
         "WHERE d.case_id = %(case)s", values),
        ("SELECT h.*, ct.name, r.name FROM hearings_hearing h JOIN accounts_agency ct ON ct.id = h.court_id "
         "LEFT JOIN hearings_courtroom r ON r.id = h.courtroom_id WHERE h.case_id = %(case)s "
         "ORDER BY h.starts_at, h.id", values),
        ("SELECT * FROM deadlines_deadline WHERE case_id = %(case)s AND (status = ANY(%(pending)s) "
         "OR closed_at >= %(recent)s) ORDER BY due_at, id", values),
        ("SELECT n.* FROM cases_casenote n WHERE n.case_id = %(case)s ORDER BY n.created_at DESC", values),
        ("SELECT * FROM " + one.format(table="protection_protectionorder", column="case_id")
         + " ORDER BY issued_on DESC, id DESC", values),
    ])


def victim_detail(user, victim_id):
    values = params(user, victim=victim_id, recent=timezone.now() - datetime.timedelta(days=30))
    about = "SELECT * FROM {table} WHERE victim_id = %(victim)s"
    return Floor([
        (f"""SELECT v.*, a.name, i.* FROM victims_victim v LEFT JOIN accounts_agency a ON a.id = v.recording_agency_id
             LEFT JOIN victims_victimidentity i ON i.victim_id = v.id
             WHERE v.id = %(victim)s AND {victim_seen("v.id")}""",
         values),
        ("SELECT c.id, c.reference, c.title, c.stage, l.role FROM victims_victimcaselink l "
         "JOIN cases_case c ON c.id = l.case_id WHERE l.victim_id = %(victim)s", values),
        ("SELECT s.*, a.name FROM victims_victimsupport s JOIN accounts_agency a ON a.id = s.agency_id "
         "WHERE s.victim_id = %(victim)s AND s.ended_on IS NULL", values),
        ("SELECT r.*, fa.name, ta.name FROM referrals_referral r JOIN accounts_agency fa ON fa.id = r.from_agency_id "
         "JOIN accounts_agency ta ON ta.id = r.to_agency_id WHERE r.victim_id = %(victim)s "
         "AND (r.from_agency_id = %(agency)s OR r.to_agency_id = %(agency)s)", values),
        (about.format(table="victims_consent"), values),
        (about.format(table="victims_statusdecision") + " ORDER BY decided_on", values),
        (about.format(table="victims_riskassessment"), values),
        (about.format(table="protection_protectionorder") + " ORDER BY issued_on DESC", values),
        (about.format(table="deadlines_deadline") + " AND (status = ANY(%(pending)s) OR closed_at >= %(recent)s)",
         values),
    ])


# --- Calendar -------------------------------------------------------------------------------

def _month(day):
    from hearings import feeds

    return feeds.period("month", day).bounds()


def calendar_court(user, court_id, day):
    start, end = _month(day)
    values = params(user, court=court_id, start=start, end=end)
    return Floor([
        ("SELECT id, name FROM accounts_agency WHERE kind = 'court' AND is_active ORDER BY name", values),
        ("SELECT id, name FROM accounts_agency WHERE kind = 'ngo' AND is_active ORDER BY name", values),
        ("""SELECT h.id, h.kind, h.status, h.starts_at, h.ends_at, c.reference, r.name
            FROM hearings_hearing h JOIN cases_case c ON c.id = h.case_id
            LEFT JOIN hearings_courtroom r ON r.id = h.courtroom_id
            WHERE h.court_id = %(court)s AND NOT c.is_restricted AND h.starts_at >= %(start)s
              AND h.starts_at < %(end)s ORDER BY h.starts_at, h.id""", values),
        ("""SELECT d.id, d.title, d.kind, d.due_at, c.reference FROM deadlines_deadline d
            LEFT JOIN cases_case c ON c.id = d.case_id
            WHERE d.responsible_agency_id = %(court)s AND d.status = ANY(%(pending)s)
              AND d.due_at >= %(start)s AND d.due_at < %(end)s ORDER BY d.due_at, d.id""", values),
    ])


def calendar_mine(user, day):
    start, end = _month(day)
    values = params(user, start=start, end=end, function=["prosecutor"])
    # My hearings: as prosecutor or judge (their indexes with the start), or of my team's cases.
    mine = """SELECT id FROM hearings_hearing WHERE prosecutor_id = %(user)s
                AND starts_at >= %(start)s AND starts_at < %(end)s
              UNION SELECT id FROM hearings_hearing WHERE judge_id = %(user)s
                AND starts_at >= %(start)s AND starts_at < %(end)s
              UNION SELECT id FROM hearings_hearing WHERE starts_at >= %(start)s AND starts_at < %(end)s
                AND case_id = ANY(ARRAY(SELECT a.case_id FROM cases_caseassignment a
                                        WHERE a.user_id = %(user)s AND a.ended_on IS NULL))"""
    return Floor([
        ("SELECT id, name FROM accounts_agency WHERE kind = 'court' AND is_active ORDER BY name", values),
        ("SELECT id, first_name, last_name FROM accounts_user WHERE is_active "
         "AND functions @> %(function)s::varchar[] ORDER BY last_name, first_name, username", values),
        ("SELECT id, name FROM accounts_agency WHERE kind = 'ngo' AND is_active ORDER BY name", values),
        (f"""SELECT h.id, h.kind, h.status, h.starts_at, h.ends_at, c.reference, ct.name, r.name
            FROM hearings_hearing h JOIN cases_case c ON c.id = h.case_id
            JOIN accounts_agency ct ON ct.id = h.court_id LEFT JOIN hearings_courtroom r ON r.id = h.courtroom_id
            WHERE h.id = ANY(ARRAY({mine})) AND {case_seen("h.case_id")}
            ORDER BY h.starts_at, h.id""", values),
        (f"""SELECT d.id, d.title, d.kind, d.due_at, c.reference FROM deadlines_deadline d
            LEFT JOIN cases_case c ON c.id = d.case_id
            WHERE d.status = ANY(%(pending)s) AND (d.responsible_user_id = %(user)s
                  OR (d.responsible_user_id IS NULL AND d.responsible_agency_id = %(agency)s))
              AND (d.case_id = ANY({CASES_SEEN}) OR d.victim_id = ANY({VICTIMS_SEEN}))
              AND d.due_at >= %(start)s AND d.due_at < %(end)s ORDER BY d.due_at, d.id""", values),
    ])


# --- Coordination report --------------------------------------------------------------------

def coordination(user, period):
    """The report's main tables as the page shows them (the first REPORT_SCREEN_ROWS rows and a
    count of each): international cases, their cooperation requests, referrals between the
    country's agencies, upcoming hearings. The aggregate tables (timings, deadlines by kind and
    agency) and the orders are left out: the floor is a lower bound."""
    from cases.models import Case

    now = timezone.now()
    values = params(user, jurisdiction=period.jurisdiction.pk, country=str(getattr(period.jurisdiction.country, "code", period.jurisdiction.country)),
                    starts=period.starts, ends=period.ends, date_from=period.date_from, date_to=period.date_to,
                    closed=[Case.Stage.CLOSED, Case.Stage.CLOSED_NO_CHARGE], rows=settings.REPORT_SCREEN_ROWS,
                    lookahead=max(period.ends, now + datetime.timedelta(days=settings.COORDINATION_LOOKAHEAD_DAYS)))
    cases = f"""FROM cases_case c WHERE c.jurisdiction_id = %(jurisdiction)s AND NOT c.is_restricted
        AND {CASE_NOT_EXCLUDED.format(case='c.id')} AND c.opened_on <= %(date_to)s
        AND NOT (c.stage = ANY(%(closed)s) AND c.stage_entered_at < %(starts)s)
        AND (c.is_transnational OR c.countries_of_origin <> '' OR c.countries_of_transit <> ''
             OR c.countries_of_destination <> ''
             OR EXISTS (SELECT 1 FROM cases_cooperationrequest q WHERE q.case_id = c.id))"""
    requests = f"FROM cases_cooperationrequest q WHERE q.case_id IN (SELECT c.id {cases})"
    referrals = """FROM referrals_referral r JOIN accounts_agency fa ON fa.id = r.from_agency_id
        JOIN accounts_agency ta ON ta.id = r.to_agency_id
        WHERE (fa.country = %(country)s OR ta.country = %(country)s) AND r.sent_at >= %(starts)s
          AND r.sent_at < %(ends)s"""
    hearings = """FROM hearings_hearing h JOIN cases_case c ON c.id = h.case_id
        WHERE c.jurisdiction_id = %(jurisdiction)s AND NOT c.is_restricted AND h.status = 'scheduled'
          AND h.starts_at >= %(now)s AND h.starts_at < %(lookahead)s"""
    return Floor([
        (f"SELECT count(*) {cases}", values),
        (f"""SELECT c.reference, c.title, c.stage, c.opened_on, c.is_transnational, c.countries_of_origin,
                    c.countries_of_transit, c.countries_of_destination,
                    (SELECT string_agg(a.name || '|' || ca.role, ';') FROM cases_caseagency ca
                     JOIN accounts_agency a ON a.id = ca.agency_id WHERE ca.case_id = c.id)
             {cases} ORDER BY c.reference LIMIT %(rows)s""", values),
        (f"SELECT count(*) {requests}", values),
        (f"SELECT q.* {requests} ORDER BY q.sent_on, q.id LIMIT %(rows)s", values),
        (f"SELECT count(*) {referrals}", values),
        (f"SELECT r.id, r.status, r.sent_at, r.accepted_at, fa.name, ta.name, "
         f"(SELECT v.code FROM victims_victim v WHERE v.id = r.victim_id) {referrals} "
         "ORDER BY r.sent_at LIMIT %(rows)s", values),
        (f"SELECT count(*) {hearings}", values),
        (f"SELECT h.id, h.kind, h.starts_at, c.reference {hearings} ORDER BY h.starts_at LIMIT %(rows)s", values),
    ], note="main tables only")
