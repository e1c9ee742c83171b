import datetime

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView, TemplateView

import access
from access.mixins import CapabilityRequiredMixin
from cases.models import Case
from victims.flags import with_flags
from victims.models import Victim

from . import coordination, services
from .exports import jobs
from .forms import (
    CoordinationFilterForm, ExportForm, HtcdsExportForm, HtcdsImportForm, MicrodataExportForm, StatisticsExportForm,
    StatisticsForm,
)
from .htcds import importing as htcds_importing
from .htcds.fields import FIELDS as HTCDS_FIELDS
from .statistics import disclosure, exports as statistics_exports, publish
from .models import ExportJob
from .tables import cell_text


class ProsecutorDashboardView(CapabilityRequiredMixin, ListView):
    """A prosecutor's cases, a page at a time (a national prosecutor holds hundreds)."""

    template_name = "reports/prosecutor_dashboard.html"
    capability = "see_prosecutor_dashboard"
    permission_denied_message = _("Only prosecutors have a continuity dashboard.")
    context_object_name = "cases"

    def get_paginate_by(self, queryset):
        return settings.DASHBOARD_ROWS

    def get_queryset(self):
        return services.my_cases_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["cases"] = services.decorate(user, context["page_obj"].object_list)
        # A list shows restricted cases as surely as their pages do: log them.
        access.record_shown(user, context["cases"], purpose="prosecutor dashboard")
        return context


class SupervisorDashboardView(CapabilityRequiredMixin, TemplateView):
    template_name = "reports/supervisor_dashboard.html"
    capability = "see_supervisor_dashboard"
    permission_denied_message = _("Only supervisors see the supervision of a prosecution office.")

    def get_context_data(self, **kwargs):
        user = self.request.user
        late, late_count = services.over_standard(user)
        access.record_shown(user, late, purpose="supervisor dashboard")
        return super().get_context_data(
            office=user.agency, continuity=services.continuity(user), caseload=services.caseload(user),
            over_standard=late, over_standard_count=late_count, **kwargs,
        )


# --- Coordination report (focal points and supervisors) -------------------------------------

class CoordinatorRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Those the access policy lets list cases in a coordination report."""

    permission_denied_message = _("Only focal points and supervisors read coordination reports.")

    def test_func(self):
        return access.may_use(self.request.user, Case, "coordinate")


# Rows the page links to their record, when the reader may open it (the policy's "view").
ROW_LINKS = {"international_cases": "case-detail", "hearings": "hearing-detail",
             "protection_orders": "protection-order-detail"}


def _row_url(table, links):
    link = dict(zip(table.links, links))
    return reverse(ROW_LINKS[table.key], args=[link["pk"]]) if link.get("may_view") and table.key in ROW_LINKS else None


def screen_tables(report):
    """Each table's count and first settings.REPORT_SCREEN_ROWS rows, for the page: one query a
    table, whatever the rows."""
    shown, restricted = [], []
    for section in report.sections:
        tables = []
        for table in section.tables:
            rows, count = table.first_rows(settings.REPORT_SCREEN_ROWS)
            if "is_restricted" in table.links:  # a restricted case shown is logged like its page [PR 1.2.7]
                place = table.links.index("is_restricted")
                restricted += [Case(pk=links[0], reference=cells[0], is_restricted=True)
                               for cells, links in rows if links[place]]
            tables.append({"table": table, "count": count, "rows": [
                {"cells": [cell_text(value) for value in cells], "url": _row_url(table, links)} for cells, links in rows]})
        shown.append({"title": section.title, "tables": tables})
    return shown, restricted


class CoordinationReportView(CoordinatorRequiredMixin, TemplateView):
    """The coordination report on screen, with its export form [SPEC 2.8]."""

    template_name = "reports/coordination.html"

    def get(self, request, *args, **kwargs):
        return self.render(CoordinationFilterForm(request.GET, user=request.user))

    def render(self, form, export_form=None, status=200):
        user = self.request.user
        context = self.get_context_data(form=form, recent_exports=ExportJob.objects.filter(
            requested_by=user, created_at__gte=timezone.now() - datetime.timedelta(hours=settings.EXPORT_FILE_HOURS))
            .order_by("-created_at")[:5])
        if form.is_bound and not form.is_valid():
            status, period = 400, None
        else:
            period = form.period()
        if period is not None:
            report = coordination.build(user, period)
            sections, restricted = screen_tables(report)
            access.record_shown(user, restricted, purpose="coordination report")
            context.update(report=report, sections=sections)
        context["export_form"] = export_form or ExportForm(user=user, initial=form.visible_values())
        return self.render_to_response(context, status=status)


class CoordinationExportView(CoordinationReportView):
    """POST: start an export job of the report with the filters given, or show why not."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        export_form = ExportForm(request.POST, user=request.user)
        if not export_form.is_valid():
            filters = CoordinationFilterForm(request.POST, user=request.user)
            return self.render(filters, export_form=export_form, status=400)
        try:
            job = jobs.request_export(user=request.user, period=export_form.period(),
                                      format=export_form.cleaned_data["format"])
        except jobs.ExportRefused as refusal:
            raise PermissionDenied(str(refusal)) from None
        return redirect(job)


# --- Statistics (focal points and supervisors) ----------------------------------------------

class StatisticsView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """National statistics [SPEC 2.8]: every indicator as a protected table with its chart,
    counted over the access policy's aggregate right, public or (for the coordination office)
    classified."""

    template_name = "reports/statistics.html"
    permission_denied_message = _("Only focal points and supervisors compile statistics.")

    def test_func(self):
        return access.may_compile_statistics(self.request.user)

    def get(self, request, *args, **kwargs):
        user = request.user
        form = StatisticsForm(request.GET, user=user, dimensions=publish.dimension_choices())
        context = {"form": form, "k": settings.STATISTICS_K, "legend": disclosure.legend(settings.STATISTICS_K)}
        if form.is_bound and not form.is_valid():
            return self.render_to_response(self.get_context_data(**context), status=400)
        date_from, date_to, jurisdiction, by, version = form.choices()
        # The page's choices, for the export forms to send as they are.
        context["export_choices"] = statistics_exports.form_data(statistics_exports.as_filters(form)).items()
        context.update(version=version, by=by, sections=publish.sections_for(
            user, date_from=date_from, date_to=date_to, jurisdiction=jurisdiction, by=by, version=version,
            k=settings.STATISTICS_K))
        return self.render_to_response(self.get_context_data(**context))


class StatisticsExportView(StatisticsView):
    """POST: an export job of what the page shows (the statistics), or of the anonymised release."""

    http_method_names = ["post"]
    form_class, report = StatisticsExportForm, ExportJob.Report.STATISTICS

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, user=request.user, dimensions=publish.dimension_choices())
        if not form.is_valid():
            context = {"form": StatisticsForm(user=request.user, dimensions=publish.dimension_choices()),
                       "export_errors": form.errors, "k": settings.STATISTICS_K,
                       "legend": disclosure.legend(settings.STATISTICS_K)}
            return self.render_to_response(self.get_context_data(**context), status=400)
        try:
            job = jobs.request_export(user=request.user, report=self.report, format=form.cleaned_data["format"],
                                      filters=statistics_exports.as_filters(form))
        except jobs.ExportRefused as refusal:
            raise PermissionDenied(str(refusal)) from None
        return redirect(job)


class MicrodataExportView(StatisticsExportView):
    form_class, report = MicrodataExportForm, ExportJob.Report.MICRODATA


# --- HTCDS exchange (investigators, prosecutors, caseworkers) -------------------------------

class HtcdsExchangeView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """Victim records in and out as HTCDS 2.0 files [SPEC 2.3, SPEC 3]: the export of every
    victim whose identity the user may see, and the all-or-nothing import."""

    template_name = "reports/htcds.html"
    permission_denied_message = _("Only investigators, prosecutors and caseworkers, who may see victims' "
                                  "identities, exchange HTCDS files.")

    def test_func(self):
        return access.may_use(self.request.user, Victim, "view_identity")

    def render(self, export_form=None, import_form=None, status=200):
        user = self.request.user
        context = self.get_context_data(
            export_form=export_form or HtcdsExportForm(), import_form=import_form or HtcdsImportForm(),
            may_import=htcds_importing.may_import(user), fields=HTCDS_FIELDS,
            recent_jobs=ExportJob.objects.filter(
                requested_by=user, report__in=[ExportJob.Report.HTCDS, ExportJob.Report.HTCDS_IMPORT],
                created_at__gte=timezone.now() - datetime.timedelta(hours=settings.EXPORT_FILE_HOURS),
            ).order_by("-created_at")[:5])
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render()


class HtcdsExportView(HtcdsExchangeView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = HtcdsExportForm(request.POST)
        if not form.is_valid():
            return self.render(export_form=form, status=400)
        try:
            job = jobs.request_export(user=request.user, report=ExportJob.Report.HTCDS,
                                      format=form.cleaned_data["format"])
        except jobs.ExportRefused as refusal:
            raise PermissionDenied(str(refusal)) from None
        return redirect(job)


class HtcdsImportView(HtcdsExchangeView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = HtcdsImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = jobs.request_import(user=request.user, upload=form.cleaned_data["file"])
            except jobs.ExportRefused as refusal:
                form.add_error("file", str(refusal))
            else:
                return redirect(job)
        return self.render(import_form=form, status=400)


class ExportStatusView(LoginRequiredMixin, TemplateView):
    """An export's progress (polled by htmx without a full reload), then its download link."""

    template_name = "reports/export_status.html"
    fragment_template = "reports/_export_progress.html"

    def get(self, request, *args, **kwargs):
        job = access.get_object(request.user, ExportJob, pk=kwargs["pk"])
        if job is None:
            raise Http404(_("No such export, or you are not allowed to see it."))
        access.require(request.user, "view", job)
        template = self.fragment_template if request.headers.get("HX-Request") or "fragment" in request.GET \
            else self.template_name
        return self.response_class(request=request, template=[template], context={"job": job},
                                   using=self.template_engine)


class ExportDownloadView(LoginRequiredMixin, View):
    def get(self, request, *args, **kwargs):
        job = access.get_object(request.user, ExportJob, pk=kwargs["pk"])
        if job is None:
            raise Http404(_("No such export, or you are not allowed to see it."))
        try:
            stream = jobs.open_download(request.user, job)
        except jobs.ExportRefused as refusal:
            return render(request, "reports/export_status.html", {"job": job, "gone": str(refusal)}, status=410)
        response = FileResponse(stream, as_attachment=True, filename=job.download_name)
        response["Cache-Control"] = "no-store"
        return response


HOME_ROWS = 10


class HomeView(LoginRequiredMixin, TemplateView):
    """What this user may see, at a glance."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        if access.may_use(user, Case):
            cases = access.visible(user, Case).select_related("jurisdiction")
            context["cases"] = list(cases[:HOME_ROWS])
            context["case_count"] = cases.count()
            access.record_shown(user, context["cases"], purpose="home")
        if access.may_use(user, Victim):
            victims = with_flags(access.visible(user, Victim))
            context["victims"] = victims[:HOME_ROWS]
            context["victim_count"] = victims.count()
        context["is_auditor"] = access.may(user, "read_access_log")
        return context
