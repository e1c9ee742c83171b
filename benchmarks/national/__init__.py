"""National-scale data for the benchmark [SPEC 3]: about 40 agencies in the Portuguese
districts, hundreds of users, and cases, victims, charges, hearings, deadlines, referrals and
notifications in proportion to the number of cases asked for (the issue's figures at 50,000
cases), on top of the demo world so the demo logins see a national share.

Bulk inserts only, with their history rows; grants, group memberships and the sweep schedule
are then derived from the data by the functions the application uses for that."""

from .run import DEFAULT_SEED, PREFIX, generate, present  # noqa: F401
