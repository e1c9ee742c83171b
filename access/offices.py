"""Which offices a coordinator speaks for: the national coordination office's focal point its
country, a supervisor their own office [SPEC 2.8, GP 14, NA I.B]. The coordination report's
reach and the aggregate right of national statistics are drawn from here."""

from django.db.models import Q

from accounts.functions import AgencyKind, Function as F
from accounts.models import Agency, Jurisdiction

from .engine import may_act_at_all
from .functions import AGGREGATORS, COORDINATORS, functions_of


def coordinated_country(user):
    """The country a national coordination office's focal point coordinates, or None: the
    coordination report covers its cases whichever agencies handle them [GP 14, NA I.B]."""
    agency = getattr(user, "agency", None)
    if (may_act_at_all(user) and F.FOCAL_POINT in (user.functions or ()) and agency is not None
            and agency.kind == AgencyKind.COORDINATION):
        return agency.country.code
    return None


def coordinated_agencies(user):
    """The agencies whose referrals, and whose orders and deadlines that belong to no case, a
    coordination report covers: every agency of a focal point's country; a supervisor's own
    office. None when the user reads no coordination report."""
    if not may_act_at_all(user) or not functions_of(user) & COORDINATORS or not user.agency_id:
        return None
    country = coordinated_country(user)
    if country is not None:
        return Agency.objects.filter(country=country).values("pk")
    if F.SUPERVISOR in user.functions:
        return Agency.objects.filter(pk=user.agency_id).values("pk")
    return None


def coordinated_jurisdictions(user):
    """The jurisdictions a user may run a coordination report for: those of the focal point's
    country, a supervisor's own."""
    return _office_jurisdictions(user, COORDINATORS)


def _office_jurisdictions(user, functions):
    """For a user with one of `functions`: the focal point's country's jurisdictions, a
    supervisor's own office's; otherwise none."""
    if not functions_of(user) & functions or not may_act_at_all(user):
        return Jurisdiction.objects.none()
    country = coordinated_country(user)
    if country is not None:
        return Jurisdiction.objects.filter(country=country)
    if F.SUPERVISOR in user.functions and user.agency_id and user.agency.jurisdiction_id:
        return Jurisdiction.objects.filter(pk=user.agency.jurisdiction_id)
    return Jurisdiction.objects.none()


def aggregated_jurisdictions(user):
    """The jurisdictions whose every case and victim the user may count for national
    reporting [SPEC 2.8, NA III.C.1, VS 18(e)]: a national coordination office's focal point
    every jurisdiction of its country, a supervisor their own office's; nobody else any.
    Restricted cases and cases the user may not open are counted too: statistics are the
    focal point's job. The right yields counts only (access.aggregate_scope), never rows."""
    return _office_jurisdictions(user, AGGREGATORS)


def reads_classified_statistics(user):
    """Whether the user may see statistics with their small counts, marked "do not publish":
    the national coordination office's focal point, who compiles what is published [SPEC 2.8,
    NA I.B]. Everyone else who counts (a supervisor) gets the public version only."""
    return coordinated_country(user) is not None


def coordinated_agency_choices(user):
    """The agencies a coordination report can be narrowed to: those of the user's jurisdictions
    and those it covers."""
    agencies = coordinated_agencies(user)
    condition = Q(jurisdiction__in=coordinated_jurisdictions(user))
    if agencies is not None:
        condition |= Q(pk__in=agencies)
    return Agency.objects.filter(condition)
