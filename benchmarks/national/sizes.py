"""How much of everything: the issue's national figures at 50,000 cases, scaled in proportion
to the number of cases asked for. Agencies stay about 40 whatever the size; users scale but
never fall below what staffs every agency."""

from dataclasses import dataclass

REFERENCE_CASES = 50_000

# At 50,000 cases.
NATIONAL = {
    "users": 600,
    "victims": 80_000,
    "charges": 150_000,
    "hearings": 200_000,
    "deadlines": 300_000,
    "referrals": 60_000,
    "notifications": 100_000,
    # Pending deadlines the sweep must look at now (overdue, or a reminder threshold reached).
    "due_deadlines": 10_000,
    "protection_orders": 2_500,
    "cooperation_requests": 3_000,
    "meetings": 4_000,
    "witnesses": 20_000,
    # The demo logins' share.
    "prosecutor_team": 300,  # cases with the demo prosecutor on the team
    "investigator_team": 200,  # cases the demo investigator leads
    "judge_team": 150,  # cases the demo judge sits on
    "caseworker_team": 100,  # cases the demo caseworker is on
    "pt_police_cases": 3_000,  # the demo investigator's agency investigates
    "pt_prosecution_cases": 4_000,  # the demo prosecutor's and supervisor's office prosecutes
    "pt_court_cases": 2_500,  # the demo judge's and clerk's court tries
    "pt_ngo_victims": 3_000,  # the demo caseworker's NGO supports
    "pt_ngo_referrals": 3_500,  # referrals sent to the demo caseworker's NGO
}


def part(total, index, count):
    """Slice `index` of `count` of a total (the slices add up to the total)."""
    return total * (index + 1) // count - total * index // count


@dataclass(frozen=True)
class Sizes:
    """The figures for `cases` cases; for a slice of the work (one of `of` workers), its part
    of each figure."""

    cases_wanted: int
    index: int = 0
    of: int = 1

    @property
    def cases(self):
        return part(self.cases_wanted, self.index, self.of)

    @property
    def scale(self):
        return self.cases / REFERENCE_CASES

    def __getattr__(self, name):
        if name not in NATIONAL:
            raise AttributeError(name)
        total = max(1, round(NATIONAL[name] * self.cases_wanted / REFERENCE_CASES))
        return part(total, self.index, self.of)

    def slice(self, index, of):
        return Sizes(self.cases_wanted, index, of)
