"""The coordination report as JSON [SPEC 2.8, 3 interoperability]: the same tables, filters and
access policy as the page and the exports."""

import math

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy
from cases.models import Case

from . import coordination
from .forms import CoordinationFilterForm

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
        if not policy.may_use(user, Case, "coordinate"):
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
