"""Exports as Celery jobs [SPEC 2.8]: asked for on a page, written by a worker while the page
shows its progress, kept for settings.EXPORT_FILE_HOURS for the person who asked, then deleted
by beat. Every file made is logged in the access log with its filters, row count and SHA-256.

A job runs once: the worker claims it with SELECT ... FOR UPDATE SKIP LOCKED while it is queued,
so a redelivered or doubled task finds nothing to do. A file is written under a temporary
name and renamed when complete, so a failed job leaves no file.
"""

import datetime
import hashlib
import logging
import os
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import access
from accounts.audit import log_access
from accounts.models import AccessLog
from cases.models import Case
from victims.models import Victim

from .. import coordination
from ..forms import CoordinationFilterForm
from ..htcds import export as htcds_export, importing as htcds_importing
from ..statistics import exports as statistics_exports
from ..models import ExportJob
from .refusal import ExportRefused
from .storage import export_dir, file_path, upload_path
from .writers import WRITERS

logger = logging.getLogger(__name__)
S = ExportJob.Status
# A job still running after this long lost its worker: it is failed and its partial file removed.
STALE_AFTER = datetime.timedelta(hours=2)


def request_export(*, user, format, period=None, filters=None, report=ExportJob.Report.COORDINATION):
    """Queue an export of `report` (for `period`, or with `filters` as JSON, if the report has
    them); the worker starts once this transaction commits."""
    if report not in REPORTS or not REPORTS[report].allowed(user):
        raise ExportRefused(REPORTS[report].refusal if report in REPORTS else _("There is no such report."))
    if format not in REPORTS[report].formats:
        raise ExportRefused(_("This report is not made as %(format)s.") % {"format": format})
    job = ExportJob.objects.create(report=report, requested_by=user, format=format,
                                   filters=period.as_json() if period else filters or {})
    queue(job)
    return job


def request_import(*, user, upload):
    """Queue the import of an uploaded HTCDS file (CSV or Excel): kept under the job's random
    id, readable by this process alone, until the worker has read it."""
    if not htcds_importing.may_import(user):
        raise ExportRefused(_("Only those of an agency who record victims and may see their identities import them."))
    extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    if extension not in (ExportJob.Format.CSV, ExportJob.Format.XLSX):
        raise ExportRefused(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."))
    if upload.size > settings.HTCDS_IMPORT_MAX_BYTES:
        raise ExportRefused(_("The file is larger than %(size)d MB. Split it.")
                            % {"size": settings.HTCDS_IMPORT_MAX_BYTES // (1024 * 1024)})
    job = ExportJob.objects.create(report=ExportJob.Report.HTCDS_IMPORT, requested_by=user, format=extension)
    descriptor = os.open(upload_path(job), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        for chunk in upload.chunks():
            stream.write(chunk)
    queue(job)
    return job


def queue(job):
    """Hand the job to a worker once the transaction that made it commits."""
    transaction.on_commit(lambda: run_export.delay(str(job.pk)))


@shared_task(name="reports.tasks.run_export", ignore_result=True)
def run_export(job_id):
    """Write one export's file (run). A redelivered or doubled task finds the job already
    claimed and does nothing. Named for reports.tasks, which Celery's autodiscovery reads."""
    job = run(job_id)
    return None if job is None else job.status


def _claim(job_id):
    with transaction.atomic():
        job = (ExportJob.objects.select_for_update(skip_locked=True, of=("self",)).select_related("requested_by__agency")
               .filter(pk=job_id, status=S.QUEUED).first())
        if job is None:
            return None
        job.status, job.started_at = S.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def _coordination(user, filters):
    # The filters are checked again, against the rights the user holds now.
    form = CoordinationFilterForm.from_period_json(filters, user=user)
    if not form.is_valid():
        raise ExportRefused(" ".join(str(error) for errors in form.errors.values() for error in errors))
    return coordination.build(user, form.period())


@dataclass(frozen=True)
class Exportable:
    """A report that can be exported: who may ask for it (the access policy's answer), how it is
    built from a job's filters, and in which formats."""

    allowed: object  # user -> bool
    build: object  # (user, the job's filters) -> tables.Report, refusing filters no longer allowed
    refusal: str
    formats: tuple = tuple(ExportJob.Format.values)


# Each exportable report by its key. Another report plugs in here.
REPORTS = {
    ExportJob.Report.COORDINATION: Exportable(
        lambda user: access.may_use(user, Case, "coordinate"), _coordination,
        _("Only focal points and supervisors export coordination reports.")),
    # Identities leave in it: only for those whose function lets them see identities at all
    # (the rows are then the victims whose identity each may see).
    ExportJob.Report.HTCDS: Exportable(
        lambda user: access.may_use(user, Victim, "view_identity"), htcds_export.build,
        _("Only those who may see victims' identities export HTCDS files."),
        formats=(ExportJob.Format.CSV, ExportJob.Format.XLSX)),
    # Counts only, public unless the user holds the classified right and asked for it.
    ExportJob.Report.STATISTICS: Exportable(
        access.may_compile_statistics, statistics_exports.build_statistics,
        _("Only focal points and supervisors export statistics.")),
    ExportJob.Report.MICRODATA: Exportable(
        access.may_compile_statistics, statistics_exports.build_microdata,
        _("Only focal points and supervisors export the anonymised release."),
        formats=(ExportJob.Format.CSV, ExportJob.Format.XLSX)),
}


def _build(job):
    if job.report not in REPORTS:
        raise ExportRefused(_("There is no such report."))
    if not REPORTS[job.report].allowed(job.requested_by):
        raise ExportRefused(_("You may no longer export this report."))
    return REPORTS[job.report].build(job.requested_by, job.filters)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(job_id):
    """Write the job's file (the Celery task's body). Returns the job, or None if it was not
    waiting to run."""
    job = _claim(job_id)
    if job is None:
        return None
    if job.is_import:
        return htcds_importing.run(job)
    final = export_dir() / f"{job.pk}.{job.extension}"
    partial = final.with_suffix(final.suffix + ".part")
    jobs = ExportJob.objects.filter(pk=job.pk)
    try:
        report = _build(job)
        total = sum(table.count() for table in report.tables)
        jobs.update(rows_total=total)
        rows = WRITERS[job.format](report, partial, lambda done: jobs.update(rows_done=done), total)
        os.replace(partial, final)
        finished = timezone.now()
        job.status, job.rows_total, job.rows_done = S.DONE, total, rows
        job.file_name, job.size, job.sha256 = final.name, final.stat().st_size, _sha256(final)
        job.finished_at, job.expires_at = finished, finished + datetime.timedelta(hours=settings.EXPORT_FILE_HOURS)
        with transaction.atomic():
            # Still ours? The purge fails a job it believes lost; then this file must not stay.
            if not jobs.select_for_update().filter(status=S.RUNNING).exists():
                final.unlink(missing_ok=True)
                job.refresh_from_db()
                return job
            job.save()
            log_access(job.requested_by, AccessLog.Action.EXPORT, [job], requested=f"{job.report} {job.format}",
                       purpose=str(report.title), details=export_details(job, report))
            if report.reveals_identity_of is not None:
                log_access(job.requested_by, AccessLog.Action.VIEW_IDENTITY,
                           [Victim(pk=pk, code=code) for pk, code in report.reveals_identity_of],
                           requested="export", purpose=f"{report.title} ({job.download_name})")
    except Exception as error:
        for leftover in (partial, final):
            leftover.unlink(missing_ok=True)
        if isinstance(error, ExportRefused):
            message = str(error)
        else:
            logger.exception("Export %s failed", job.pk)
            message = _("The export could not be written (%(error)s). Nothing was kept; try again, and tell your "
                        "administrator if it fails again.") % {"error": type(error).__name__}
        job.status, job.error, job.finished_at = S.FAILED, message, timezone.now()
        job.file_name, job.size, job.sha256 = "", None, ""
        # Not the progress fields: this copy of the job never saw the writer's updates.
        job.save(update_fields=["status", "error", "finished_at", "file_name", "size", "sha256"])
    return job


def export_details(job, report):
    """What the access log keeps of an export: never a row, only what was asked and what came out."""
    return {
        "report": job.report, "format": job.format, "rows": job.rows_done, "sha256": job.sha256,
        "filters": job.filters, "filters_shown": [[str(label), str(value)] for label, value in report.filters],
        "classification": str(report.classification), "file": job.download_name,
    }


def open_download(user, job):
    """The file of a finished export for its owner, logged; raises Http404/PermissionDenied
    through the policy, and ExportRefused when the file is gone."""
    access.require(user, "download", job)
    if job.report in REPORTS and not REPORTS[job.report].allowed(user):
        raise PermissionDenied(REPORTS[job.report].refusal)
    path = file_path(job)
    if job.status != S.DONE or job.expires_at is None or job.expires_at <= timezone.now() or not path.exists():
        raise ExportRefused(_("This export is no longer kept: files are deleted %(hours)s hour(s) after they are made. "
                              "Run the export again.") % {"hours": f"{settings.EXPORT_FILE_HOURS:g}"})
    log_access(user, AccessLog.Action.EXPORT, [job], requested="download", purpose=job.get_report_display(),
               details={"report": job.report, "format": job.format, "rows": job.rows_done, "sha256": job.sha256,
                        "filters": job.filters, "downloaded": True})
    return open(path, "rb")


def purge_expired(now=None):
    """Delete the files of exports past their time, and fail jobs whose worker vanished.
    Returns how many files were removed."""
    now = now or timezone.now()
    removed = 0
    with transaction.atomic():
        for job in ExportJob.objects.select_for_update(skip_locked=True).filter(status=S.DONE, expires_at__lte=now):
            path = file_path(job)
            if path is not None:
                path.unlink(missing_ok=True)
                removed += 1
            job.status, job.file_name = S.EXPIRED, ""
            job.save(update_fields=["status", "file_name"])
        # Stale: running for STALE_AFTER since a worker claimed it, or never claimed in that
        # time. A job that waited in the queue and started a minute ago is still being written.
        stale = (Q(status=S.RUNNING, started_at__lte=now - STALE_AFTER)
                 | Q(status=S.RUNNING, started_at__isnull=True, created_at__lte=now - STALE_AFTER)
                 | Q(status=S.QUEUED, created_at__lte=now - STALE_AFTER))
        for job in ExportJob.objects.select_for_update(skip_locked=True).filter(stale):
            for leftover in export_dir().glob(f"{job.pk}.*"):
                leftover.unlink(missing_ok=True)
            job.status, job.finished_at = S.FAILED, now
            job.error = _("The export was not finished: the worker stopped. Run it again.")
            job.save(update_fields=["status", "finished_at", "error"])
    return removed
