from celery import shared_task

from .exports import jobs
from .exports.jobs import run_export  # noqa: F401 (defined beside the job it runs; found here by Celery)


@shared_task(ignore_result=True)
def purge_expired_exports():
    """Beat runs this every minute: exported files past settings.EXPORT_FILE_HOURS are deleted."""
    return jobs.purge_expired()
