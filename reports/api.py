"""The coordination report as JSON [SPEC 2.8, 3 interoperability]: the same tables, filters and
access policy as the page and the exports."""

import math

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

import access
from cases.models import Case

from . import coordination
from .forms import CoordinationFilterForm, StatisticsForm
from .statistics import disclosure, indicators, microdata, publish

PAGE_SIZE = 500
TABLE_KEYS = ["international_cases", "cooperation_requests", "referrals", "referral_timings", "hearings",
              "protection_orders", "violations", "meetings", "deadlines_by_kind", "deadlines_by_agency"]
# The API's parameter names for the form's fields.
PARAMETERS = {"from": "date_from", "to": "date_to", "jurisdiction": "jurisdiction", "agency": "agency"}

COLUMN = inline_serializer("ReportColumn", {
    "key": serializers.CharField(), "label": serializers.CharField(),
    "type": serializers.ChoiceField(choices=["text", "choice", "int", "number", "date", "datetime", "bool",
                                             "countries", "list"]),
})
TABLE = inline_serializer("ReportTable", {
    "key": serializers.ChoiceField(choices=TABLE_KEYS), "section": serializers.CharField(),
    "title": serializers.CharField(), "note": serializers.CharField(), "count": serializers.IntegerField(),
    "page": serializers.IntegerField(), "pages": serializers.IntegerField(),
    "columns": COLUMN.__class__(many=True),
    "rows": serializers.ListField(child=serializers.ListField(child=serializers.JSONField()),
                                  help_text=_("Typed cells in the columns' order: ISO dates and times, numbers, "
                                              "text; null when empty.")),
})
REPORT = inline_serializer("CoordinationReport", {
    "title": serializers.CharField(), "classification": serializers.CharField(),
    "generated_at": serializers.DateTimeField(),
    "filters": inline_serializer("CoordinationFilters", {
        "from": serializers.DateField(), "to": serializers.DateField(), "jurisdiction": serializers.IntegerField(),
        "agency": serializers.IntegerField(allow_null=True)}),
    "tables": TABLE.__class__(many=True),
})


class CoordinationReportAPIView(APIView):
    """The coordination report: cases with international elements and their cooperation requests,
    referrals and their timings, upcoming hearings that need coordination, protection orders and
    violations, meetings, missed and extended deadlines. Victims by pseudonymous code only."""

    @extend_schema(
        operation_id="coordination_report",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description=_("First day (default: three months ago).")),
            OpenApiParameter("to", OpenApiTypes.DATE, description=_("Last day, inclusive (default: today).")),
            OpenApiParameter("jurisdiction", OpenApiTypes.INT,
                             description=_("A jurisdiction you may report on (default: your agency's).")),
            OpenApiParameter("agency", OpenApiTypes.INT, description=_("Only what concerns this agency.")),
            OpenApiParameter("table", OpenApiTypes.STR, enum=TABLE_KEYS, description=_("Only this table.")),
            OpenApiParameter("page", OpenApiTypes.INT,
                             description=_("Page of each table's rows, %(size)d a page.") % {"size": PAGE_SIZE}),
        ],
        responses={200: REPORT},
    )
    def get(self, request):
        user = request.user
        if not access.may_use(user, Case, "coordinate"):
            raise exceptions.PermissionDenied(_("Only focal points and supervisors read coordination reports."))
        query = request.query_params
        data = {field: query.get(name, "") for name, field in PARAMETERS.items()}
        if any(data.values()) and not data["jurisdiction"]:  # the user's own, as on the page
            default = CoordinationFilterForm(user=user)["jurisdiction"].initial
            data["jurisdiction"] = default.pk if default else ""
        form = CoordinationFilterForm(data, user=user)
        if form.is_bound and not form.is_valid():
            names = {field: name for name, field in PARAMETERS.items()}
            raise exceptions.ValidationError({names.get(field, field): errors for field, errors in form.errors.items()})
        period = form.period()
        if period is None:
            raise exceptions.ValidationError({"jurisdiction": [_("Choose the jurisdiction the report covers.")]})
        table_key, page = query.get("table"), query.get("page", "1")
        if table_key is not None and table_key not in TABLE_KEYS:
            raise exceptions.ValidationError({"table": [_("There is no table “%(key)s”.") % {"key": table_key}]})
        if not page.isdigit() or int(page) < 1:
            raise exceptions.ValidationError({"page": [_("A page is a whole number from 1.")]})
        page = int(page)
        report = coordination.build(user, period)
        tables = []
        for section in report.sections:
            for table in section.tables:
                if table_key and table.key != table_key:
                    continue
                count = table.count()
                tables.append({
                    "key": table.key, "section": str(section.title), "title": str(table.title),
                    "note": str(table.note), "count": count, "page": page,
                    "pages": max(1, math.ceil(count / PAGE_SIZE)),
                    "columns": [{"key": c.key, "label": str(c.label), "type": c.kind} for c in table.columns],
                    "rows": [cells for cells, _links in table.rows(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)],
                })
        return Response({"title": str(report.title), "classification": str(report.classification),
                         "generated_at": report.generated_at, "filters": period.as_json(), "tables": tables})


# --- Statistics and the anonymised release [SPEC 2.8, NA I.B] -------------------------------

SHOWN = inline_serializer("ShownCount", {
    "text": serializers.CharField(help_text=_("As shown: a number, or “<5” / “x” where suppressed.")),
    "value": serializers.FloatField(allow_null=True, help_text=_("The number, null where suppressed.")),
    "status": serializers.ChoiceField(choices=["published", "primary", "secondary"]),
})
STATISTICS_TABLE = inline_serializer("StatisticsTable", {
    "title": serializers.CharField(), "publishable": serializers.BooleanField(),
    "withheld": serializers.CharField(help_text=_("Why the table is withheld whole, if it is.")),
    "row_labels": serializers.ListField(child=serializers.CharField()),
    "column_labels": serializers.ListField(child=serializers.CharField(), allow_null=True),
    "cells": serializers.ListField(child=SHOWN.__class__(many=True)),
    "row_totals": SHOWN.__class__(many=True), "column_totals": SHOWN.__class__(many=True), "total": SHOWN,
})
STATISTICS = inline_serializer("Statistics", {
    "version": serializers.ChoiceField(choices=["public", "classified"]),
    "classification": serializers.CharField(), "k": serializers.IntegerField(),
    "indicators": inline_serializer("StatisticsIndicator", {
        "key": serializers.CharField(), "label": serializers.CharField(), "unit": serializers.CharField(),
        "spec": serializers.CharField(), "definition": serializers.CharField(),
        "by": serializers.ListField(child=serializers.CharField()),
        "tables": STATISTICS_TABLE.__class__(many=True),
        "facts": inline_serializer("StatisticsFact", {"label": serializers.CharField(), "shown": SHOWN},
                                   many=True),
    }, many=True),
})
RELEASE = inline_serializer("MicrodataRelease", {
    "columns": serializers.ListField(child=serializers.CharField(), help_text=_("CTDC's global dataset layout.")),
    "rows": serializers.ListField(child=serializers.ListField(child=serializers.JSONField())),
    "report": inline_serializer("MicrodataReport", {
        "k": serializers.IntegerField(), "records_in": serializers.IntegerField(),
        "records_generalised": serializers.IntegerField(), "records_suppressed": serializers.IntegerField(),
        "records_released": serializers.IntegerField(), "steps": serializers.ListField(child=serializers.CharField()),
    }),
})
STATISTICS_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description=_("First day (default: 1 January).")),
    OpenApiParameter("to", OpenApiTypes.DATE, description=_("Last day, inclusive (default: today).")),
    OpenApiParameter("jurisdiction", OpenApiTypes.INT, description=_("One you may count (default: all of them).")),
]


def _statistics_form(request):
    user = request.user
    if not access.may_compile_statistics(user):
        raise exceptions.PermissionDenied(_("Only focal points and supervisors compile statistics."))
    query = request.query_params
    data = {"date_from": query.get("from", ""), "date_to": query.get("to", ""),
            "jurisdiction": query.get("jurisdiction", ""), "by": query.get("by", ""),
            "and_by": query.get("and_by", ""), "version": query.get("version", "")}
    today = timezone.localdate()  # a period not given is the year so far, as on the page
    data["date_from"] = data["date_from"] or today.replace(month=1, day=1).isoformat()
    data["date_to"] = data["date_to"] or today.isoformat()
    form = StatisticsForm(data, user=user, dimensions=publish.dimension_choices())
    if not form.is_valid():
        names = {"date_from": "from", "date_to": "to"}
        raise exceptions.ValidationError({names.get(field, field): errors for field, errors in form.errors.items()})
    return form


def _shown(shown):
    return {"text": shown.text, "value": shown.value, "status": shown.status}


class StatisticsAPIView(APIView):
    """National statistics: every indicator's protected tables and figures, counted over the
    aggregate right, public (small counts suppressed) unless `version=classified` and you hold
    that right. The same numbers and suppression as the page and its exports."""

    @extend_schema(
        operation_id="statistics",
        parameters=STATISTICS_PARAMETERS + [
            OpenApiParameter("by", OpenApiTypes.STR, enum=[key for key, _l in publish.dimension_choices()],
                             description=_("First breakdown.")),
            OpenApiParameter("and_by", OpenApiTypes.STR, enum=[key for key, _l in publish.dimension_choices()],
                             description=_("Second breakdown (a cross-tabulation).")),
            OpenApiParameter("version", OpenApiTypes.STR, enum=["public", "classified"],
                             description=_("classified: the national coordination office only.")),
        ],
        responses={200: STATISTICS},
    )
    def get(self, request):
        form = _statistics_form(request)
        date_from, date_to, jurisdiction, by, version = form.choices()
        k = settings.STATISTICS_K
        sections = publish.sections_for(request.user, date_from=date_from, date_to=date_to,
                                        jurisdiction=jurisdiction, by=by, version=version, k=k)
        return Response({
            "version": version, "k": k,
            "classification": disclosure.CLASSIFIED_MARKING if version == publish.CLASSIFIED
            else disclosure.PUBLIC_MARKING,
            "indicators": [{
                "key": section.indicator.key, "label": str(section.indicator.label), "unit": section.indicator.unit,
                "spec": section.indicator.spec, "definition": section.indicator.definition, "by": list(section.by),
                "tables": [{
                    "title": figure.title, "publishable": figure.rendering.publishable,
                    "withheld": figure.rendering.withheld,
                    "row_labels": [str(label) for label in figure.rendering.row_labels],
                    "column_labels": None if figure.rendering.column_labels is None
                    else [str(label) for label in figure.rendering.column_labels],
                    "cells": [[_shown(cell) for cell in row] for row in figure.rendering.cells],
                    "row_totals": [_shown(cell) for cell in figure.rendering.row_totals],
                    "column_totals": [_shown(cell) for cell in figure.rendering.column_totals],
                    "total": _shown(figure.rendering.total),
                } for figure in section.figures],
                "facts": [{"label": str(fact.label), "shown": _shown(fact.shown)} for fact in section.facts],
            } for section in sections],
        })


class MicrodataAPIView(APIView):
    """The anonymised microdata release: one row per victim in CTDC's layout, k-anonymous over
    gender, age band, citizenship, country and type of exploitation; never a code, a case
    reference or an identity value. Says how many records were generalised and suppressed."""

    @extend_schema(operation_id="statistics_microdata", parameters=STATISTICS_PARAMETERS, responses={200: RELEASE})
    def get(self, request):
        form = _statistics_form(request)
        date_from, date_to, jurisdiction, _by, _version = form.choices()
        k = settings.STATISTICS_K
        result = microdata.release(scope=access.aggregate_scope(request.user, jurisdiction=jurisdiction),
                                   period=indicators.Period(date_from, date_to), k=k)
        report = result.report
        return Response({"columns": list(result.columns), "rows": [list(row) for row in result.rows],
                         "report": {"k": report.k, "records_in": report.records_in,
                                    "records_generalised": report.records_generalised,
                                    "records_suppressed": report.records_suppressed,
                                    "records_released": report.records_released, "steps": list(report.steps)}})
