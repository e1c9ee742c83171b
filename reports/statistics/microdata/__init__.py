"""The anonymised microdata release: one row per victim, in the column layout of the Counter
Trafficking Data Collaborative's (CTDC) global dataset, k-anonymous over its quasi-identifiers
[SPEC 2.8, NA I.B, VS 18(e)].

    result = release(scope=policy.aggregate_scope(user), period=Period(...), k=5)
    result.columns  -> codebook.COLUMNS
    result.rows     -> tuples of cell values, sorted by value (never by record)
    result.report   -> records in, generalised, suppressed, released, the steps taken, k

The source is one query of named columns (values_list) over the victims of the aggregate
scope recorded in the period: never the victim code, a case reference or an identity field.
The one thing read from the identity is an age band at registration, worked out in SQL from
the date of birth (or the estimated age), so the date itself never reaches Python.

Quasi-identifiers (QUASI_IDENTIFIERS): gender, age band, citizenship, country of exploitation,
type of exploitation. Each has a generalisation ladder (LADDERS); `anonymise.anonymise` climbs
them for the whole release until few records stand out, then suppresses those that still do.
The mapping from the HTCDS vocabularies and its sources: the README, "Anonymised microdata release".
"""

from dataclasses import dataclass

from django.db.models import Case, CharField, F, Func, IntegerField, Value, When
from django.db.models.functions import Coalesce, ExtractYear, TruncDate

from access.aggregates import AggregateScope
from victims.models import Victim

from . import codebook
from .anonymise import Ladder, anonymise
from .codebook import COLUMNS, MISSING
from .regions import region_of

__all__ = ["COLUMNS", "LADDERS", "QUASI_IDENTIFIERS", "Release", "ReleaseReport", "release"]

# In the order ties between steps are settled (anonymise): the age band first, gender last.
LADDERS = (
    Ladder("age", ("broad band (minor / adult)", "unknown")),
    Ladder("citizenship", ("UN M49 region", "unknown")),
    Ladder("exploitation_country", ("UN M49 region", "unknown")),
    Ladder("exploitation", ("broad type (forced labour / sexual / other)", "unknown")),
    # Only a rare gender is generalised: releasing nobody's gender would empty the column.
    Ladder("gender", ("unknown",), last_step=1),
)
QUASI_IDENTIFIERS = tuple(ladder.name for ladder in LADDERS)
# The source columns, by the name anonymise and codebook.row read them under.
SOURCE = ("year", "sex", "band", "age_group", "nationality", "exploitation_country", "forms", "sex_types",
          "industries", "methods_of_control", "recruitment", "lures")


@dataclass(frozen=True)
class ReleaseReport:
    """What the release did, to publish beside it."""

    k: int
    records_in: int
    records_generalised: int  # released records with some quasi-identifier coarser than recorded
    records_suppressed: int
    steps: tuple  # the generalisation steps applied to the whole release, in words

    @property
    def records_released(self):
        return self.records_in - self.records_suppressed


@dataclass(frozen=True)
class Release:
    columns: tuple
    rows: tuple
    report: ReleaseReport


class _YearsBetween(Func):
    """Whole years from the second date to the first (PostgreSQL's AGE)."""

    template = "EXTRACT(YEAR FROM AGE(%(expressions)s))::integer"
    output_field = IntegerField()


def _age_band():
    """The CTDC age band at registration, in SQL: from the date of birth where there is one,
    else the estimated age; unknown where neither is, or where the age is in doubt (a
    disputed age is not published as fact)."""
    age = Coalesce(_YearsBetween(TruncDate("created_at"), F("identity__date_of_birth")), F("estimated_age"),
                   output_field=IntegerField())
    bands = [When(**{"age_years__lte": high} if high is not None else {"age_years__gte": low}, then=Value(label))
             for low, high, label in codebook.AGE_BANDS]
    return age, Case(When(age_group=Victim.AgeGroup.IN_DOUBT, then=Value(str(MISSING))),
                     When(age_years__isnull=True, then=Value(str(MISSING))), *bands,
                     default=Value(str(MISSING)), output_field=CharField())


def source(*, scope, period):
    """The per-victim source rows ({name: value}, SOURCE): one query of named columns."""
    if not isinstance(scope, AggregateScope):
        raise TypeError("A microdata release covers policy.aggregate_scope(user), nothing else.")
    age, band = _age_band()
    queryset = (Victim.objects.filter(scope.victims(), period.at("created_at"))
                .alias(age_years=age).annotate(band=band, year=ExtractYear("created_at"))
                .order_by())
    fields = ("year", "sex", "band", "age_group", "nationality", "exploitation_country", "exploitation_forms",
              "sex_exploitation_types", "forced_labour_industries", "methods_of_control", "recruitment",
              "recruitment_lures")
    return [dict(zip(SOURCE, values)) for values in queryset.values_list(*fields)]


def _country(code):
    code = code or ""
    region = region_of(code=code)
    return (code or MISSING, region or MISSING, MISSING)


def _ladders(record):
    """Every quasi-identifier's values, most detailed first, as anonymise reads them."""
    band = MISSING if record["band"] == str(MISSING) else record["band"]
    age = codebook.age_key(band=band, age_group=record["age_group"])
    broad = codebook.age_key(band=MISSING, age_group={codebook.MINOR: "child", codebook.ADULT: "adult"}.get(age[1]))
    return {
        "age": (age, broad, (MISSING, MISSING)),
        "citizenship": _country(record["nationality"]),
        "exploitation_country": _country(record["exploitation_country"]),
        "exploitation": codebook.exploitation(forms=record["forms"]),
        "gender": (codebook.GENDER.get(record["sex"], MISSING), MISSING),
    }


def _order(row):
    return tuple((isinstance(value, str), str(value) if isinstance(value, str) else value) for value in row)


def release_rows(*, records, k, max_suppressed=0.05):
    """The pure half of a release: source records in, (rows, report) out."""
    result = anonymise(records=[_ladders(record) for record in records], k=k, ladders=LADDERS,
                       max_suppressed=max_suppressed)
    rows = sorted((codebook.row(source=records[index], released=values) for index, values in result.released),
                  key=_order)
    report = ReleaseReport(k=k, records_in=len(records), records_generalised=result.generalised,
                           records_suppressed=len(result.suppressed), steps=result.applied)
    return tuple(rows), report


def release(*, scope, period, k, max_suppressed=0.05):
    """The microdata release of the victims of `scope` recorded in `period`, k-anonymous over
    QUASI_IDENTIFIERS: generalised globally, then the records that still stand out suppressed
    (at most `max_suppressed` of them before a further step is tried)."""
    rows, report = release_rows(records=source(scope=scope, period=period), k=k, max_suppressed=max_suppressed)
    return Release(columns=COLUMNS, rows=rows, report=report)
