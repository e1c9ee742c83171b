from celery import shared_task

from .exports import jobs


@shared_task(ignore_result=True)
def run_export(job_id):
    """Write one export's file (reports/exports/jobs.py). A redelivered or doubled task finds
    the job already claimed and does nothing."""
    job = jobs.run(job_id)
    return None if job is None else job.status


@shared_task(ignore_result=True)
def purge_expired_exports():
    """Beat runs this every minute: exported files past settings.EXPORT_FILE_HOURS are deleted."""
    return jobs.purge_expired()
