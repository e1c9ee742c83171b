"""Statistics and the anonymised microdata release as files, through the export jobs
(reports/exports/jobs.py) [SPEC 2.8, NA I.B, NA VII.A].

A job keeps only the choices (period, jurisdiction, breakdowns, version); the worker checks
them again through the page's form, against the rights the user holds then, and computes the
numbers anew. The statistics file holds the version the page shows: public (suppressed, what
anyone may publish) unless the user holds the classified right and asked for it. Neither file
holds a row of a record: statistics are protected counts, the release is k-anonymous rows
without code, reference or identity.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

import access

from ..exports.refusal import ExportRefused
from ..forms import StatisticsForm
from ..tables import Column, ListTable, Report, Section
from . import disclosure, indicators, microdata, publish

RAW = lambda value: value  # noqa: E731 (a protected cell is already an int or its mark)


def form_data(filters):
    """A job's filters as the statistics form's data."""
    by = list(filters.get("by") or []) + ["", ""]
    return {"date_from": filters.get("from"), "date_to": filters.get("to"),
            "jurisdiction": filters.get("jurisdiction") or "", "by": by[0], "and_by": by[1],
            "version": filters.get("version") or publish.PUBLIC}


def as_filters(form):
    """The statistics form's valid choices as a job's filters (JSON)."""
    date_from, date_to, jurisdiction, by, version = form.choices()
    return {"from": date_from.isoformat(), "to": date_to.isoformat(),
            "jurisdiction": jurisdiction.pk if jurisdiction else None, "by": list(by), "version": version}


def _checked(user, filters):
    form = StatisticsForm(form_data(filters), user=user, dimensions=publish.dimension_choices())
    if not form.is_valid():
        raise ExportRefused(" ".join(str(error) for errors in form.errors.values() for error in errors))
    return form.choices()


def _described(date_from, date_to, jurisdiction, by):
    labels = dict(publish.dimension_choices())
    return [(_("Period"), f"{date_from:%Y-%m-%d} – {date_to:%Y-%m-%d}"),
            (_("Jurisdiction"), str(jurisdiction) if jurisdiction else _("All you may count")),
            (_("Broken down by"), ", ".join(str(labels[key]) for key in by) or _("nothing (totals)"))]


def _figure_table(number, figure):
    table = figure.rendering
    header = [Column("category", _("Category"))]
    if table.column_labels is not None:
        header += [Column(f"c{n}", str(label), format=RAW) for n, label in enumerate(table.column_labels)]
    header.append(Column("total", _("Total") if table.column_labels is not None else _("Count"), format=RAW))
    data = []
    for label, cells, total in figure.rows:
        data.append([str(label), *[cell.value if cell.value is not None else cell.text for cell in cells],
                     *([total.value if total.value is not None else total.text] if total else [])])
    if not figure.single:
        total = table.total
        data.append([_("Total"), *[cell.value if cell.value is not None else cell.text for cell in table.column_totals],
                     total.value if total.value is not None else total.text])
    return ListTable(key=f"t{number:02d}", title=figure.title, columns=header, data=data,
                     note=table.withheld or str(table.marking))


def build_statistics(user, filters):
    """The statistics as a report: a section per indicator, a table per count, one of facts."""
    date_from, date_to, jurisdiction, by, version = _checked(user, filters)
    k = settings.STATISTICS_K
    sections, number = [], 0
    for section in publish.sections_for(user, date_from=date_from, date_to=date_to, jurisdiction=jurisdiction,
                                        by=by, version=version, k=k):
        tables = []
        for figure in section.figures:
            number += 1
            tables.append(_figure_table(number, figure))
        if section.facts:
            number += 1
            tables.append(ListTable(key=f"t{number:02d}", title=f"{section.indicator.label}: {_('figures')}",
                                    columns=[Column("figure", _("Figure")), Column("value", _("Value"), format=RAW)],
                                    data=[[fact.label, fact.shown.value if fact.shown.value is not None
                                           else fact.shown.text] for fact in section.facts]))
        sections.append(Section(str(section.indicator.label), tables))
    legend = [(mark, meaning) for mark, meaning in disclosure.legend(k)]
    return Report(
        key="statistics", title=_("Statistics"),
        classification=disclosure.CLASSIFIED_MARKING if version == publish.CLASSIFIED else
        _("Public: counts from 1 to %(most)d suppressed (“<%(k)d”), and others with them (“x”)")
        % {"most": k - 1, "k": k},
        filters=_described(date_from, date_to, jurisdiction, by) + legend,
        generated_by=user.get_full_name() or user.username, generated_at=timezone.now(), sections=sections)


def build_microdata(user, filters):
    """The anonymised release as a report of one table, in CTDC's column layout."""
    date_from, date_to, jurisdiction, _by, _version = _checked(user, {**filters, "by": [], "version": "public"})
    k = settings.STATISTICS_K
    result = microdata.release(scope=access.aggregate_scope(user, jurisdiction=jurisdiction),
                               period=indicators.Period(date_from, date_to), k=k)
    report = result.report
    table = ListTable(key="microdata", title=_("Anonymised victim records (CTDC layout)"),
                      columns=[Column(name, name, format=RAW) for name in result.columns], data=list(result.rows))
    done = [(_("k-anonymity"), _("every combination of gender, age band, citizenship, country and type of "
                                 "exploitation occurs at least %(k)d times") % {"k": k}),
            (_("Records"), _("%(in)d in the period, %(generalised)d generalised, %(suppressed)d suppressed, "
                             "%(released)d released") % {"in": report.records_in,
                                                         "generalised": report.records_generalised,
                                                         "suppressed": report.records_suppressed,
                                                         "released": report.records_released}),
            (_("Generalised"), "; ".join(report.steps) or _("nothing"))]
    return Report(
        key="microdata", title=_("Anonymised microdata release"),
        classification=_("Public: k-anonymous, no code, reference or identity"),
        filters=_described(date_from, date_to, jurisdiction, ()) + done,
        generated_by=user.get_full_name() or user.username, generated_at=timezone.now(),
        sections=[Section(_("Victims"), [table])], interchange=True)
