"""Where export files and uploaded import files are kept: one private folder (mode 0700),
each file named by its job's random id."""

from django.conf import settings


def export_dir():
    directory = settings.EXPORT_ROOT
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def file_path(job):
    return export_dir() / job.file_name if job.file_name else None


def upload_path(job):
    """An import's uploaded file, kept only while its job runs."""
    return export_dir() / f"{job.pk}.upload"
