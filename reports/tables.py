"""Report tables: what every report (on screen, in the API, in each export format) is made of.

A table is a queryset that selects named columns only (`values_list(*fields)`): a report never
loads model instances, so no field it does not name (a victim's identity above all) can reach
its code, its pages or its files. Each column says what kind of value it holds, so every
export writes typed cells (dates as dates, numbers as numbers) from the same rows.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.db.models import Aggregate, Count, FloatField, Window
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy as _
from django_countries import countries

TEXT, CHOICE, INT, NUMBER, DATE, DATETIME, BOOL, COUNTRIES, LIST = (
    "text", "choice", "int", "number", "date", "datetime", "bool", "countries", "list")


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the fraction's percentile with linear interpolation
    between rows (the median is Percentile(x, 0.5)); NULLs are left out."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile's fraction lies between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class Percentiles(Aggregate):
    """PostgreSQL's percentile_cont over an array of fractions: each fraction's percentile with
    linear interpolation between rows (the median is fraction 0.5), NULLs left out, as a list.
    One ordered-set aggregate reads its expression once, whatever the number of fractions."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(ARRAY[%(fractions)s]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = ArrayField(FloatField())

    def __init__(self, expression, fractions, **extra):
        if not fractions or not all(0 <= fraction <= 1 for fraction in fractions):
            raise ValueError("A percentile's fraction lies between 0 and 1.")
        super().__init__(expression, fractions=", ".join(repr(float(f)) for f in fractions), **extra)


_COUNTRY_NAMES = {}  # (language, code) -> name: a report of thousands of rows names the same few


def country_names(value):
    codes = value.split(",") if isinstance(value, str) else list(value or ())
    language = get_language()
    names = []
    for code in codes:
        if code:
            if (language, code) not in _COUNTRY_NAMES:
                _COUNTRY_NAMES[(language, code)] = str(countries.name(code))
            names.append(_COUNTRY_NAMES[(language, code)])
    return "; ".join(names)


@dataclass(frozen=True)
class Column:
    key: str  # the name the table's query selects
    label: str
    kind: str = TEXT
    choices: dict | None = None  # stored value -> label, for CHOICE
    format: object = None  # raw value -> shown text, for values that need more than a kind
    # (language, stored value) -> its label as text: translating a lazy label costs more than
    # the rest of a cell, and a column repeats a handful of values over thousands of rows.
    _labels: dict = field(default_factory=dict, compare=False, repr=False)

    def cell(self, raw):
        """The typed value an export writes: str, int, float, date, naive local datetime or None."""
        if self.format is not None:
            return self.format(raw)
        if raw is None:
            return None
        if self.kind == CHOICE:
            return "" if raw == "" else self._label(raw, lambda: (self.choices or {}).get(raw, raw))
        if self.kind == INT:
            return int(raw)
        if self.kind == NUMBER:
            return round(float(raw), 1)
        if self.kind == DATETIME:
            return timezone.localtime(raw).replace(tzinfo=None, microsecond=0)
        if self.kind == DATE:
            return raw
        if self.kind == BOOL:
            return self._label(bool(raw), lambda: _("yes") if raw else _("no"))
        if self.kind == COUNTRIES:
            return country_names(raw)
        if self.kind == LIST:
            return "; ".join(str(item) for item in raw if item not in (None, ""))
        return str(raw)

    def _label(self, value, label):
        """`label()` as text, worked out once per stored value and language."""
        key = (get_language(), value)
        if key not in self._labels:
            self._labels[key] = str(label())
        return self._labels[key]


@dataclass
class Table:
    """One table of a report. `queryset` is unevaluated; `links` are further named columns a
    page uses to link rows (an id and whether the reader may open it), never exported."""

    key: str
    title: str
    columns: list
    queryset: object
    note: str = ""
    links: tuple = ()
    _count: int | None = field(default=None, repr=False, compare=False)

    @property
    def fields(self):
        """Every column the table's query selects, in order."""
        return [column.key for column in self.columns] + list(self.links)

    def query(self):
        return self.queryset.values_list(*self.fields)

    def count(self):
        """The table's row count (one COUNT query, asked once)."""
        if self._count is None:
            self._count = self.queryset.order_by().count()
        return self._count

    def first_rows(self, limit):
        """The first `limit` typed rows and the table's row count, in one query: the count rides
        along as COUNT(*) OVER (), which PostgreSQL works out over the rows it reads for the
        sort anyway, where a COUNT of its own read them all again (half a 4-second report)."""
        query = self.queryset.annotate(table_rows=Window(Count("*"))).values_list(*self.fields, "table_rows")[:limit]
        width, rows, count = len(self.columns), [], 0
        for raw in query:
            count = raw[-1]
            rows.append(([column.cell(value) for column, value in zip(self.columns, raw[:width])], raw[width:-1]))
        if not rows:
            self._count = 0
            return rows, 0
        self._count = count
        return rows, count

    def rows(self, limit=None, offset=0, chunk_size=2000):
        """Typed rows, streamed from a server-side cursor: memory stays bounded however many."""
        query = self.query()
        if limit is not None or offset:
            query = query[offset:None if limit is None else offset + limit]
        width = len(self.columns)
        for raw in query.iterator(chunk_size=chunk_size):
            yield [column.cell(value) for column, value in zip(self.columns, raw[:width])], raw[width:]


@dataclass
class ListTable:
    """A table whose rows are already worked out and protected (statistics, an anonymised
    release): the shape of a Table to the writers, with no query behind it."""

    key: str
    title: str
    columns: list
    data: list  # rows of raw values, each Column's `cell` makes the typed cell
    note: str = ""
    links: tuple = ()

    def count(self):
        return len(self.data)

    def rows(self, limit=None, offset=0, chunk_size=2000):
        for raw in self.data[offset:None if limit is None else offset + limit]:
            yield [column.cell(value) for column, value in zip(self.columns, raw)], ()

    def first_rows(self, limit):
        return list(self.rows(limit=limit)), self.count()


@dataclass
class Section:
    title: str
    tables: list


@dataclass
class Report:
    """What a report is, whatever it is shown or written in."""

    key: str
    title: str
    classification: str
    filters: list  # [(label, shown value)] for title pages and headers
    generated_by: str
    generated_at: datetime.datetime
    sections: list = field(default_factory=list)
    # A file for another system to read (HTCDS): its table comes first and alone, headers in
    # row 1, with the lines about the file after it (Excel) or not at all (CSV).
    interchange: bool = False
    # (pk, code) of the victims whose identity the file holds, for the access log; None: none.
    reveals_identity_of: object = None

    @property
    def tables(self):
        return [table for section in self.sections for table in section.tables]


def cell_text(value):
    """A typed cell as plain text (CSV, PDF, the API)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
