"""The sets of functions the rules share: who, by their job, may ever do a kind of thing.
A rule then says on which objects (grants, ownership, a reach) [SPEC 1, SPEC 3]."""

from accounts.functions import AgencyKind, Function as F

# Everyone who works on cases, as opposed to auditors and administrators, who see
# no case content [SPEC 1].
CASE_READERS = frozenset({
    F.INVESTIGATOR, F.PROSECUTOR, F.SUPERVISOR, F.COURT_CLERK, F.JUDGE, F.CASEWORKER, F.FOCAL_POINT,
})
# Investigative detail is for police, prosecution and their supervisors: never NGOs, courts
# or the focal point.
INVESTIGATIVE = frozenset({F.INVESTIGATOR, F.PROSECUTOR, F.SUPERVISOR})
# Who may ever see a victim's identity; the grant then says for which victims.
IDENTITY_READERS = frozenset({F.INVESTIGATOR, F.PROSECUTOR, F.CASEWORKER})
# Who may record a victim, and so see and correct what they recorded.
RECORDERS = frozenset({F.FRONTLINE, F.INVESTIGATOR, F.PROSECUTOR, F.CASEWORKER})
# Defendants, charges, verdicts and assets: police, prosecution and the court; never NGOs
# (no suspect intelligence) nor the focal point (works on pseudonymised, aggregated data).
PROCEEDINGS = INVESTIGATIVE | {F.COURT_CLERK, F.JUDGE}
# Who builds the case file.
CASE_BUILDERS = frozenset({F.INVESTIGATOR, F.PROSECUTOR})
# Who works with the victim directly: police, prosecution and the supporting NGO.
VICTIM_WORKERS = frozenset({F.INVESTIGATOR, F.PROSECUTOR, F.CASEWORKER})
# Who reads coordination reports [SPEC 2.8]: the focal point for the country its office
# coordinates [GP 14], a supervisor for their office.
COORDINATORS = frozenset({F.FOCAL_POINT, F.SUPERVISOR})
# Who may count every case and victim of a jurisdiction for national statistics [SPEC 2.8]:
# the same people, for the same jurisdictions, but over restricted cases as well, because
# they only ever receive counts (offices.aggregated_jurisdictions).
AGGREGATORS = COORDINATORS
# The court's own people: they list hearings and issue orders at their court [SPEC 2.5].
COURT_STAFF = frozenset({F.COURT_CLERK, F.JUDGE})


def functions_of(user):
    return set(getattr(user, "functions", ()) or ())


def is_court_staff(user):
    """A clerk or judge of a court (their agency is one)."""
    return bool(functions_of(user) & COURT_STAFF) and bool(user.agency_id) and user.agency.kind == AgencyKind.COURT
