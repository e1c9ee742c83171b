"""The indicator registry's parts: the period, an Indicator and how one is computed.

Every indicator is defined once, as a function whose docstring says what it counts, which
date places it in the period and from which SPEC paragraph it comes. It receives an
AggregateScope (access.aggregate_scope: conditions, never rows) and a Period, and
returns numbers only: Tallies of persons or cases, amounts per currency, or durations."""

import datetime
import inspect
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from access.aggregates import AggregateScope
from reports.tables import Percentiles

from .tally import Tally, tally

PERSONS, CASES, AMOUNT, DAYS = "persons", "cases", "amount", "days"


def _midnight(day):
    """The local moment `day` begins."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Period:
    """Dates inclusive. Each indicator says which of its dates must fall in it."""

    date_from: datetime.date
    date_to: datetime.date

    def __post_init__(self):
        if self.date_from > self.date_to:
            raise ValueError("A period ends on or after its start.")

    @property
    def starts(self):
        return _midnight(self.date_from)

    @property
    def ends(self):
        """The first moment after the period."""
        return _midnight(self.date_to + datetime.timedelta(days=1))

    def on(self, date_field):
        """A date (DateField) in the period."""
        return Q(**{f"{date_field}__gte": self.date_from, f"{date_field}__lte": self.date_to})

    def at(self, moment_field):
        """A moment (DateTimeField) in the period, in the local time zone."""
        return Q(**{f"{moment_field}__gte": self.starts, f"{moment_field}__lt": self.ends})

    def overlaps(self, start_field, end_field):
        """Something that started on or before the period's end and had not ended before it."""
        return (Q(**{f"{start_field}__lte": self.date_to})
                & (Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": self.date_from})))


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    spec: str  # the SPEC paragraphs it answers
    function: object  # (scope, period, Counter) -> {name: Tally or numbers}
    dimensions: dict  # what its Tallies can be broken down by ({} for none)

    @property
    def definition(self):
        """What it counts, from which date, and why: the function's docstring."""
        return inspect.cleandoc(self.function.__doc__ or "")

    def compute(self, *, scope, period, by=()):
        """The indicator's numbers, its Tallies broken down `by` up to two of its dimensions."""
        if not isinstance(scope, AggregateScope):
            raise TypeError("Statistics count over policy.aggregate_scope(user), nothing else.")
        unknown = [key for key in by if key not in self.dimensions]
        if unknown:
            raise ValueError(f"{self.key} has no dimension {', '.join(unknown)}.")
        return self.function(scope, period, Counter(tuple(self.dimensions[key] for key in by)))


@dataclass(frozen=True)
class Counter:
    """How an indicator counts, by the dimensions asked for: each call is one query.

    count(queryset) -> a Tally; count(queryset, measures={name: Q}) -> {name: Tally} of one
    population's several counts; count.per(queryset, dimension) -> {category: Tally}, one per
    category of a single-valued `dimension` the indicator adds (a sentence band), each broken
    down by the first dimension asked for."""

    dimensions: tuple

    def __call__(self, queryset, *, measures=None):
        return tally(queryset, self.dimensions, measures=measures)

    def per(self, queryset, dimension):
        first = self.dimensions[:1]
        counted = tally(queryset, (dimension, *first))
        return {category: Tally(counted.rows.get(category, 0),
                                {value: n for (c, value), n in counted.cells.items() if c == category})
                for category in dimension.labels}


REGISTRY = []


def indicator(*, key, label, unit, spec, dimensions=None):
    """Declare an indicator (the decorated function is its computation and definition)."""
    def declare(function):
        REGISTRY.append(Indicator(key, label, unit, spec, function, dimensions or {}))
        return function
    return declare


def statistics(days, *, measured="pk"):
    """The aggregates of a duration: n, and its median and 90th percentile (linear
    interpolation) as "quantiles". `measured` is what n counts: the rows, unless `days` can be
    NULL (then pass `days`). Each aggregate reads `days` afresh, so the fewer the cheaper."""
    return {"n": Count(measured), "quantiles": Percentiles(days, (0.5, 0.9))}


def figures(row):
    """{n, median, p90} from a row of statistics()."""
    median, p90 = row["quantiles"] or (None, None)
    return {"n": row["n"], "median": median, "p90": p90}


def durations(queryset, days, *, measured="pk"):
    """n, median and 90th percentile of `days` over `queryset`: one query."""
    return figures(queryset.order_by().aggregate(**statistics(days, measured=measured)))


def amounts(queryset, amount):
    """{currency: sum of `amount`} over `queryset`: one query."""
    return {currency: total for currency, total in queryset.order_by().values("currency")
            .annotate(total=Sum(amount)).values_list("currency", "total") if total is not None}
