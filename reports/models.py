import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """One export of a report, run by a Celery worker: its filters, its progress, and the file
    it left (kept for settings.EXPORT_FILE_HOURS, for the person who asked alone).

    Not domain data, so no simple-history: the job's progress is rewritten many times a second,
    and what matters for oversight, who exported what with which filters, how many rows and the
    file's SHA-256, goes to the append-only access log when the file is made [SPEC 2.9]."""

    class Report(models.TextChoices):
        COORDINATION = "coordination", _("Coordination report")
        HTCDS = "htcds", _("HTCDS victim records")
        STATISTICS = "statistics", _("Statistics")
        MICRODATA = "microdata", _("Anonymised microdata release")
        # An import runs as a job too: the same worker, progress, owner-only page and access log.
        HTCDS_IMPORT = "htcds_import", _("HTCDS import")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV (one file per table, zipped)")
        XLSX = "xlsx", _("Excel (one sheet per table)")
        PDF = "pdf", _("PDF")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired (file deleted)")

    # A random id: the job's address reveals nothing and cannot be guessed from another's.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.CharField(_("report"), max_length=20, choices=Report.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.CASCADE, related_name="export_jobs")
    filters = models.JSONField(_("filters"), default=dict)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    error = models.TextField(_("why it failed"), blank=True)
    # What refused an import: [{"row", "field", "message"}], never a value from the file (nor
    # its name, which may be a victim's).
    problems = models.JSONField(_("problems found"), default=list, blank=True)
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        constraints = [
            # An export that is done has its file; an import leaves none (its rows are the result).
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(report="htcds_import")
                | (~models.Q(file_name="") & ~models.Q(sha256="") & models.Q(expires_at__isnull=False)),
                name="export_done_has_file",
            ),
            models.CheckConstraint(condition=~models.Q(status="failed") | models.Q(file_name=""),
                                   name="export_failed_leaves_no_file"),
        ]

    def __str__(self):
        return f"{self.get_report_display()} ({self.format}, {self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("export-status", args=[self.pk])

    @property
    def is_import(self):
        return self.report == self.Report.HTCDS_IMPORT

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))

    @property
    def download_name(self):
        # Local time, as the file's own "Exported at" line and the pages show it.
        stamp = timezone.localtime(self.finished_at or self.created_at).strftime("%Y%m%d-%H%M")
        name = "htcds-victims" if self.report == self.Report.HTCDS else f"{self.report}-report"
        return f"{name}-{stamp}.{self.extension}"

    @property
    def status_shown(self):
        if self.is_import and self.status == self.Status.DONE:
            return _("Imported")
        if self.is_import and self.status == self.Status.FAILED:
            return _("Refused: nothing imported")
        return self.get_status_display()

    @property
    def format_shown(self):
        if self.format == self.Format.CSV and self.extension == "csv":
            return _("CSV (one table)")
        return self.get_format_display()

    @property
    def extension(self):
        """The file's extension: a coordination report's CSV is a zip of one file per table; the
        HTCDS exchange file is one plain table, as another HTCDS system reads it."""
        if self.format == self.Format.CSV and self.report in (self.Report.COORDINATION, self.Report.STATISTICS):
            return "zip"
        return self.format
