"""Indicators as they are shown: each count as a protected table beside its chart, each share,
median and amount protected with it [SPEC 2.8, NA I.B, NA VII.A].

    section = publish(indicator, result, by=("sex",), k=5, version=PUBLIC)

Every count goes through disclosure.py before anyone sees it, and the chart is drawn from the
protected values only, so a suppressed cell has no bar. The classified version shows the true
counts, marked "do not publish". A share, a median or an amount over fewer than k persons
(or cases, or assets) reads "x" in the public version.

Each table is protected on its own: the tables of one page are not protected against each
other (a person counted in two of them links them). The totals a reader can set side by side
are the indicators' own, which the public version suppresses below k like any cell.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _, gettext_lazy
from django_countries import countries

import access

from . import disclosure, indicators
from .disclosure import PRIMARY, PUBLISHED, SECONDARY, SECONDARY_MARK, CountTable, Shown
from .indicators import NONE, Tally

PUBLIC, CLASSIFIED = "public", "classified"
# What a measure of an indicator's result is called on the page.
MEASURES = {
    "persons": gettext_lazy("persons"), "cases": gettext_lazy("cases"), "presumed": gettext_lazy("presumed"), "identified": gettext_lazy("identified"),
    "assisted": gettext_lazy("assisted"), "not_cooperating": gettext_lazy("assisted without cooperating"),
    "not_punished": gettext_lazy("not punished"), "suspended": gettext_lazy("suspended sentences"), "fined": gettext_lazy("fined"),
    "frozen": gettext_lazy("frozen"), "confiscated": gettext_lazy("confiscated"), "returned": gettext_lazy("returned"),
    "custodial": gettext_lazy("longest custodial term"),
}
BANDS = {"none": gettext_lazy("no custodial term"), "under_1y": gettext_lazy("under 1 year"), "1_3y": gettext_lazy("1 to 3 years"),
         "3_5y": gettext_lazy("3 to 5 years"), "5_10y": gettext_lazy("5 to 10 years"), "10y_plus": gettext_lazy("10 years or more")}
# Which count stands behind an amount: an amount of fewer than k persons' or assets' reads "x".
BEHIND = {"awarded": "persons", "paid": "persons", "fines": "fined", "frozen_value": "frozen",
          "confiscated_value": "confiscated", "returned_value": "returned"}


@dataclass(frozen=True)
class Figure:
    """One protected table and the chart drawn from it."""

    title: str
    rendering: disclosure.Rendering
    chart: str  # SVG markup, "" when there is nothing to draw

    @property
    def rows(self):
        """(label, cells, row total or None) per row, as a page or a sheet lays them out."""
        table = self.rendering
        totals = table.row_totals or [None] * len(table.row_labels)
        return [(label, cells, total) for label, cells, total in zip(table.row_labels, table.cells, totals)]

    @property
    def single(self):
        """A count without breakdown: one row, no total row."""
        return self.rendering.column_labels is None and len(self.rendering.row_labels) == 1


@dataclass(frozen=True)
class Fact:
    """A share, a duration or an amount, as shown."""

    label: str
    shown: Shown


@dataclass
class Section:
    indicator: object
    version: str
    by: tuple
    figures: list = field(default_factory=list)
    facts: list = field(default_factory=list)


def _category_label(dimension, value):
    if value == NONE:
        return _("not recorded")
    if dimension.key == "nationality":
        return str(countries.name(value)) or value
    return str(dimension.labels.get(value, value))


def _categories(dimension, tallies):
    """A dimension's categories in the vocabulary's order; all of a fixed vocabulary (a zero is
    published like any count), only those found for countries."""
    found = {value for tally in tallies for value in list(tally.rows) + [key[0] for key in tally.cells]}
    if dimension.values:
        fixed = list(dimension.values)
    elif dimension.labels:
        fixed = list(dimension.labels)
    else:
        fixed = sorted(value for value in found if value != NONE)
    return fixed + ([NONE] if NONE in found or dimension.values else [])


def _columns(dimension, tallies):
    found = {key[1] for tally in tallies for key in tally.cells}
    if dimension.values:
        return list(dimension.values) + [NONE]
    if dimension.labels:
        return list(dimension.labels) + ([NONE] if NONE in found else [])
    return sorted(value for value in found if value != NONE) + ([NONE] if NONE in found else [])


def _render(table, k, version):
    return disclosure.classified(table, k) if version == CLASSIFIED else disclosure.public(table, k)


def _tally_table(title, tally, dimensions):
    if not dimensions:
        return CountTable.one_way(title, [_("all")], [tally.total])
    rows = _categories(dimensions[0], [tally])
    labels = [_category_label(dimensions[0], value) for value in rows]
    if len(dimensions) == 1:
        return CountTable.one_way(title, labels, [tally.rows.get(value, 0) for value in rows])
    columns = _columns(dimensions[1], [tally])
    return CountTable.two_way(title, labels, [_category_label(dimensions[1], value) for value in columns],
                              [[tally.cells.get((row, column), 0) for column in columns] for row in rows])


def _bands_table(title, bands, dimension):
    """Sentences: a row per custodial band, by one dimension's categories if asked."""
    labels = [str(BANDS.get(band, band)) for band in bands]
    if dimension is None:
        return CountTable.one_way(title, labels, [bands[band].total for band in bands])
    columns = _categories(dimension, list(bands.values()))
    return CountTable.two_way(title, labels, [_category_label(dimension, value) for value in columns],
                              [[bands[band].rows.get(value, 0) for value in columns] for band in bands])


def _count_shown(n, k, version):
    if version == PUBLIC and 0 < n < k:
        return Shown(disclosure.primary_mark(k), None, PRIMARY)
    return Shown(str(n), n)


def _days(label, figures, k, version):
    n = figures.get("n") or 0
    facts = [Fact(_("%(what)s: persons or cases measured") % {"what": label}, _count_shown(n, k, version))]
    for key, name in (("median", _("median (days)")), ("p90", _("90th percentile (days)"))):
        value = figures.get(key)
        if value is None:
            shown = Shown("—", None)
        elif version == PUBLIC and n < k:  # the median of three durations is one person's
            shown = Shown(SECONDARY_MARK, None, SECONDARY)
        else:
            shown = Shown(f"{value:.1f}", round(float(value), 1))
        facts.append(Fact(f"{label}: {name}", shown))
    return facts


def publish(indicator, result, *, by, k, version):
    """The indicator's `result` (indicators.compute) as protected tables, charts and facts."""
    dimensions = tuple(indicator.dimensions[key] for key in by)
    section = Section(indicator=indicator, version=version, by=by)
    counts = {name: value for name, value in result.items() if isinstance(value, Tally)}
    for name, tally in counts.items():
        title = f"{indicator.label}: {MEASURES.get(name, name)}"
        rendering = _render(_tally_table(title, tally, dimensions), k, version)
        section.figures.append(Figure(title, rendering, bar_chart(rendering)))
    for name, value in result.items():
        if name in counts:
            continue
        if isinstance(value, dict) and value and all(isinstance(v, Tally) for v in value.values()):
            title = f"{indicator.label}: {MEASURES.get(name, name)}"
            rendering = _render(_bands_table(title, value, dimensions[0] if dimensions else None), k, version)
            section.figures.append(Figure(title, rendering, bar_chart(rendering)))
        elif name == "share":
            part, whole = result["not_cooperating"].total, result["assisted"].total
            shown = Shown(f"{100 * value:.1f}%", round(100 * value, 1)) if version == CLASSIFIED and whole else \
                disclosure.share(part, whole, k) if whole else Shown("—", None)
            section.facts.append(Fact(_("share of the persons assisted who do not cooperate"), shown))
        elif isinstance(value, dict) and {"n", "median"} <= set(value):
            section.facts += _days(_("all"), value, k, version)
        elif isinstance(value, dict) and value and all(isinstance(v, dict) and "n" in v for v in value.values()):
            for stage, figures in value.items():
                section.facts += _days(str(stage), figures, k, version)
        elif isinstance(value, dict):  # amounts per currency
            behind = counts.get(BEHIND.get(name, ""))
            few = behind is None or 0 < behind.total < k
            for currency, amount in sorted(value.items()):
                shown = Shown(SECONDARY_MARK, None, SECONDARY) if version == PUBLIC and few else \
                    Shown(f"{Decimal(amount):,.2f} {currency}", float(amount))
                section.facts.append(Fact(f"{MEASURES.get(name, name.replace('_', ' '))} ({currency})", shown))
    return section


def dimension_choices():
    """Every breakdown some indicator offers, in the registry's order: (key, label)."""
    found = {}
    for indicator in indicators.INDICATORS:
        for key, dimension in indicator.dimensions.items():
            found.setdefault(key, dimension.label)
    return list(found.items())


def sections_for(user, *, date_from, date_to, jurisdiction=None, by=(), version=PUBLIC, k):
    """Every indicator for the user's aggregate right (one jurisdiction or all they may count),
    broken down `by` what each offers, protected in `version` [SPEC 2.8]. A constant number of
    queries: each indicator's own, whatever the data."""
    if version == CLASSIFIED and not access.reads_classified_statistics(user):
        raise PermissionDenied(_("Only the national coordination office sees statistics unsuppressed."))
    scope = access.aggregate_scope(user, jurisdiction=jurisdiction)
    period = indicators.Period(date_from, date_to)
    sections = []
    for indicator in indicators.INDICATORS:
        offered = tuple(key for key in by if key in indicator.dimensions)
        result = indicator.compute(scope=scope, period=period, by=offered)
        sections.append(publish(indicator, result, by=offered, k=k, version=version))
    return sections


# --- Charts --------------------------------------------------------------------------------

BAR, ROW, LABEL, WIDTH = "#1d4f7a", 22, 190, 560


def bar_chart(rendering):
    """Horizontal bars of a table's rows (a two-way table's row totals), drawn from the values
    the version shows: a suppressed row has its mark and no bar. Each bar is labelled with its
    number, so the chart reads without colour; the table beside it holds the same numbers."""
    bars = _bars(rendering)
    if len(bars) < 2 or all(shown.value is None for shown in bars):
        return ""  # one bar, or none to draw (all suppressed, or the table withheld), is no chart
    most = max((shown.value for shown in bars if shown.value is not None), default=0) or 1
    height = ROW * len(bars) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
             f'height="{height}" viewBox="0 0 {WIDTH} {height}" aria-label="{escape(rendering.title)}">',
             f"<title>{escape(rendering.title)}</title>"]
    for place, (label, shown) in enumerate(zip(rendering.row_labels, bars)):
        y = 4 + place * ROW
        parts.append(f'<text x="{LABEL - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
                     f"{escape(str(label)[:30])}</text>")
        length = 0 if shown.value is None else round((WIDTH - LABEL - 60) * shown.value / most)
        if length:
            parts.append(f'<rect x="{LABEL}" y="{y + 3}" width="{length}" height="{ROW - 8}" fill="{BAR}"/>')
        parts.append(f'<text x="{LABEL + length + 4}" y="{y + 14}" font-size="12"'
                     f'{" font-style=" + chr(34) + "italic" + chr(34) if shown.value is None else ""}>'
                     f"{escape(shown.text)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _bars(rendering):
    if rendering.column_labels is not None:
        return list(rendering.row_totals)
    return [row[0] for row in rendering.cells]


__all__ = ["CLASSIFIED", "PUBLIC", "PUBLISHED", "Fact", "Figure", "Section", "bar_chart", "publish"]
