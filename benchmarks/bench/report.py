"""Targets, the markdown table, the JSON file, and the facts of the machine and the dataset."""

import datetime
import json
import os
import platform

import django
from django.conf import settings
from django.db import connection

PAGE_TARGETS = {"max_median_ms": 150, "max_p95_ms": 300, "max_ratio": 4, "same_queries_p1_p50": True}
COLUMNS = ["page", "user", "median ms", "p95 ms", "queries p1", "queries p50", "SQL floor ms", "ratio",
           "target met?", "notes"]


def page_verdict(row):
    """(met: True/False/None, the reasons it is missed)."""
    if row["status"] == "n/a":
        return None, []
    if row["status"] != 200:
        return False, [f"status {row['status']}"]
    missed = []
    if row["median_ms"] > PAGE_TARGETS["max_median_ms"]:
        missed.append("median > 150 ms")
    if row["ratio"] is not None and row["ratio"] > PAGE_TARGETS["max_ratio"]:
        missed.append("median > 4x floor")
    if row["p95_ms"] > PAGE_TARGETS["max_p95_ms"]:
        missed.append("p95 > 300 ms")
    if row["paged"] and row["queries_p50"] != row["queries_p1"]:
        missed.append("queries differ on p1 and p50")
    return not missed, missed


def job_verdict(row):
    if row["status"] != "ok":
        return False, [row["status"] or "not run"]
    target, missed = row["target"], []
    if not target:
        return None, []  # measured for the record, no target
    if "max_seconds" in target and row["seconds"] > target["max_seconds"]:
        missed.append(f"> {target['max_seconds']} s")
    if "max_peak_rss_mb" in target and row.get("peak_rss_mb", 0) >= target["max_peak_rss_mb"]:
        missed.append(f"peak RSS >= {target['max_peak_rss_mb']} MB")
    return not missed, missed


def judge(pages, jobs):
    for row in pages:
        row["target_met"], row["missed"] = page_verdict(row)
    for row in jobs:
        row["target_met"], row["missed"] = job_verdict(row)


def _cell(value, digits=1):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value).replace("|", "/")


def _verdict(row, goal=""):
    if row["target_met"] is None:
        return "n/a"
    if row["target_met"]:
        return f"yes{goal}"
    return "**no**: " + ", ".join(row["missed"])


def _job_goal(target):
    if not target:
        return ""
    if "max_seconds" in target:
        return f" (≤ {target['max_seconds']} s)"
    return f" (< {target['max_peak_rss_mb']} MB)"


def markdown(pages, jobs):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in pages:
        p50 = row["queries_p50"] if row["paged"] else None
        if row["paged"] and row["p50_page"] not in (None, 50):
            p50 = f"{p50} (last page)"
        note = row["error"] or row["note"]
        lines.append("| " + " | ".join(_cell(v) for v in [
            row["name"], row["user"], row.get("median_ms"), row.get("p95_ms"), row["queries_p1"], p50,
            row["floor_ms"], row["ratio"] if row["ratio"] is None else f"{row['ratio']:.2f}x", _verdict(row), note,
        ]) + " |")
    for row in jobs:
        seconds = None if row["seconds"] is None else f"{row['seconds']:.2f} s"
        lines.append("| " + " | ".join(_cell(v) for v in [
            row["name"], row.get("user"), seconds, None, None, None, None, None,
            _verdict(row, _job_goal(row["target"])), row["error"] or row["note"],
        ]) + " |")
    return "\n".join(lines) + "\n"


def _scalar(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def machine():
    return {
        "cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
        "django": django.get_version(), "postgresql": _scalar("SHOW server_version"), "jit": _scalar("SHOW jit"),
        "database": connection.settings_dict["NAME"], "debug": settings.DEBUG,
        "memory_mb": _memory_total_mb(),
    }


def _memory_total_mb():
    try:
        with open("/proc/meminfo") as info:
            return int(info.readline().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None


def dataset():
    """Row counts of what the pages read (estimates are not enough: the numbers are compared)."""
    from accounts.models import Agency, User
    from cases.models import Case, CaseGroupObjectPermission
    from deadlines.models import Deadline
    from hearings.models import Hearing
    from referrals.models import Referral
    from victims.models import Victim, VictimGroupObjectPermission

    return {
        "cases": Case.objects.count(), "victims": Victim.objects.count(), "users": User.objects.count(),
        "agencies": Agency.objects.count(), "referrals": Referral.objects.count(),
        "hearings": Hearing.objects.count(), "deadlines": Deadline.objects.count(),
        "pending_deadlines": Deadline.objects.filter(status__in=Deadline.PENDING).count(),
        "case_grants": CaseGroupObjectPermission.objects.count(),
        "victim_grants": VictimGroupObjectPermission.objects.count(),
    }


def write(directory, *, pages, jobs, options, facts, data, started):
    directory.mkdir(parents=True, exist_ok=True)
    table = markdown(pages, jobs)
    summary = {
        "met": sum(1 for row in pages + jobs if row["target_met"] is True),
        "missed": sum(1 for row in pages + jobs if row["target_met"] is False),
        "not_available": sum(1 for row in pages + jobs if row["target_met"] is None),
        "failed": sum(1 for row in pages if row["status"] not in (200, "n/a"))
        + sum(1 for row in jobs if row["status"] != "ok"),
    }
    document = {
        "date": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.datetime.now(datetime.timezone.utc) - started).total_seconds(), 1),
        "machine": facts, "dataset": data, "options": options,
        "targets": {"pages": PAGE_TARGETS, "sweep_nothing_due_s": 1, "sweep_10k_due_s": 30,
                    "grants_rebuild_s": 60, "export_peak_rss_mb": 300},
        "summary": summary, "pages": pages, "jobs": jobs,
    }
    (directory / "latest.json").write_text(json.dumps(document, indent=2, default=str) + "\n")
    heading = (f"# Benchmark {document['date']}\n\n"
               f"Database {facts['database']}: {data.get('cases', '?')} cases, {data.get('victims', '?')} victims, "
               f"{data.get('pending_deadlines', '?')} pending deadlines; PostgreSQL {facts['postgresql']} "
               f"(JIT {facts['jit']}), {facts['cpu_count']} CPUs, {options['repeat']} timed requests per page "
               f"after one warm-up. Targets: median ≤ 150 ms and ≤ 4x the SQL floor, p95 ≤ 300 ms, the same "
               f"queries on page 1 and page 50; sweep with nothing due ≤ 1 s, with ~10k due ≤ 30 s; grants "
               f"rebuild ≤ 60 s; export peak RSS < 300 MB.\n\n")
    (directory / "latest.md").write_text(heading + table)
    return table, summary
