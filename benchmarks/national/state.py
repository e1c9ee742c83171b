"""What the steps share: the random generator, the clock, and what earlier steps made (kept as
plain ids and small records, not model instances)."""

import copy
import datetime
import random
from collections import defaultdict

from django.utils import timezone

UTC = datetime.timezone.utc


class Plan:
    """A generated object's facts, for the steps that come after it (attributes as needed)."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        return f"Plan({self.__dict__})"


class World:
    """The national world (jurisdictions, agencies, staff) and, for one slice of the work, the
    records that slice made. Slices share the world and differ in their random generator."""

    def __init__(self, sizes, seed, now=None):
        self.sizes = sizes
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
        self.today = self.now.date()
        self.slice_index, self.slices = 0, 1
        # The world, built once.
        self.jurisdictions = {}  # key -> Jurisdiction
        self.agencies = {}  # key -> Agency (demo and national)
        self.agency_kind = {}  # agency id -> kind
        self.agency_jurisdiction = {}  # agency id -> jurisdiction key
        self.agency_country = {}  # agency id -> country code
        self.by_place = defaultdict(list)  # (jurisdiction key, kind) -> [agency id]
        self.staff = defaultdict(lambda: defaultdict(list))  # agency id -> function -> [user id] (national)
        self.demo = {}  # demo username -> User
        self.user_agency = {}  # user id -> agency id
        self.courtrooms = defaultdict(list)  # court agency id -> [courtroom id]
        self._reset()

    def _reset(self):
        # What a slice makes.
        self.cases = []  # [Plan]
        self.victims = []  # [Plan]
        self.defendants = defaultdict(list)  # case id -> [Plan]
        self.referrals = []  # [Plan]
        self.deadlines = []  # Deadline instances collected by the steps, inserted together
        self.hearings = []  # [Plan] of hearings, for notifications
        self.violations = []  # [Plan]
        self.reflection_periods, self.permits = [], []
        self.victim_codes = None  # codes taken (victims.py)
        self.active_cases = self.demo_cases = None  # (deadlines.py)

    def slice(self, index, count):
        """The world for slice `index` of `count`: its part of every figure, its own random
        generator (the same seed and number of slices give the same data)."""
        part = copy.copy(self)
        part._reset()
        part.sizes = self.sizes.slice(index, count)
        part.slice_index, part.slices = index, count
        part.rng = random.Random(self.seed * 1009 + index)
        return part

    # --- Time ---------------------------------------------------------------------------

    def day(self, days):
        return self.today + datetime.timedelta(days=days)

    def at(self, date, hour=9, minute=0):
        return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=UTC)

    def working_time(self, date):
        """Some moment of a working day."""
        return self.at(date, self.rng.randint(8, 18), self.rng.choice((0, 10, 15, 20, 30, 40, 45, 50)))

    def between(self, start, end):
        """A random datetime between two datetimes (or dates)."""
        if isinstance(start, datetime.date) and not isinstance(start, datetime.datetime):
            start = self.at(start, 0)
        if isinstance(end, datetime.date) and not isinstance(end, datetime.datetime):
            end = self.at(end, 0)
        if end <= start:
            return start
        return start + datetime.timedelta(seconds=self.rng.randint(0, int((end - start).total_seconds())))

    # --- Choices ------------------------------------------------------------------------

    def weighted(self, pairs):
        values, weights = zip(*pairs)
        return self.rng.choices(values, weights)[0]

    def chance(self, p):
        return self.rng.random() < p

    def person_of(self, agency_id, *functions):
        """A national staff member of the agency holding one of `functions`, or None."""
        for function in functions:
            people = self.staff[agency_id].get(function)
            if people:
                return self.rng.choice(people)
        return None

    def colleague(self, agency_id, function, of):
        """Another national staff member of the agency with the same function, or None."""
        people = [pk for pk in self.staff[agency_id].get(function, ()) if pk != of]
        return self.rng.choice(people) if people else None

    @staticmethod
    def end_of_day(date):
        """As deadlines.services.end_of_day: a date-only deadline is due at 23:59 local time."""
        return timezone.make_aware(datetime.datetime.combine(date, datetime.time(23, 59))).astimezone(UTC)
