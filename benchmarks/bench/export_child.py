"""The coordination export measured in a process of its own (`python -m
benchmarks.bench.export_child --user focalpoint --format xlsx`): the report of the focal point's
busiest jurisdiction over the longest period a report may cover, asked for and written as the
worker does (reports.exports.jobs.request_export, then run), inside a transaction rolled back at
the end, the file deleted. Prints one JSON line: seconds, rows, size, and the peak resident
memory of this process (VmHWM, or ru_maxrss where /proc is missing)."""

import argparse
import json
import os
import resource
import sys
import time


def memory_mb(field):
    """VmHWM (peak) or VmRSS (now) of this process in MB, from /proc."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux, bytes on macOS
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def whole_period(user):
    """The jurisdiction with the most cases among those the user reports on, from the earliest
    case (at most REPORT_MAX_YEARS back) to today."""
    from django.conf import settings
    from django.db.models import Count, Min
    from django.utils import timezone

    import access
    from cases.models import Case
    from reports.coordination import Period
    from reports.forms import years_after

    jurisdiction = (access.coordinated_jurisdictions(user).annotate(case_count=Count("cases"))
                    .order_by("-case_count", "pk").first())
    if jurisdiction is None:
        raise SystemExit(f"{user} reports on no jurisdiction")
    today = timezone.localdate()
    earliest = Case.objects.filter(jurisdiction=jurisdiction).aggregate(on=Min("opened_on"))["on"] or today
    start = max(earliest, years_after(today, -settings.REPORT_MAX_YEARS))
    return Period(date_from=start, date_to=today, jurisdiction=jurisdiction)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="focalpoint")
    parser.add_argument("--format", default="xlsx")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import transaction

    from accounts.models import User
    from reports.exports import jobs

    start_rss = memory_mb("VmRSS")
    user = User.objects.select_related("agency").get(username=args.user)
    with transaction.atomic():
        period = whole_period(user)
        started = time.perf_counter()
        job = jobs.request_export(user=user, period=period, format=args.format)
        job = jobs.run(job.pk)
        seconds = time.perf_counter() - started
        path = jobs.file_path(job)
        result = {
            "seconds": round(seconds, 3), "job_status": job.status, "job_error": job.error,
            "rows": job.rows_done, "rows_total": job.rows_total, "size_bytes": job.size or 0,
            "period": period.as_json(), "jurisdiction": str(period.jurisdiction),
        }
        if path is not None:
            path.unlink(missing_ok=True)
        transaction.set_rollback(True)
    result.update(start_rss_mb=round(start_rss, 1), peak_rss_mb=round(memory_mb("VmHWM"), 1))
    print(json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
