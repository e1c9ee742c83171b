"""The background work measured: the deadline sweep (a quiet moment, ~10,000 due, right after a
sweep), a rebuild of every grant, each in a transaction rolled back at the end; and the
coordination export, in a subprocess whose peak resident memory is read."""

import datetime
import json
import os
import subprocess
import sys
import time
import traceback

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import Min
from django.test.utils import override_settings
from django.utils import timezone

ROOT = settings.BASE_DIR


def _row(name, target, **fields):
    return {"kind": "job", "name": name, "status": None, "seconds": None, "target": target, "note": "",
            "error": None, **fields}


def _failed(row, error, out):
    row["status"], row["error"] = "error", f"{type(error).__name__}: {error}"
    out.write(f"    FAILED: {row['error']}\n{traceback.format_exc()}\n")
    return row


def quiet_moment():
    """A moment when the sweep has nothing to do: a day before the first reminder of every
    pending deadline and scheduled hearing and before any order in force expires."""
    from deadlines.models import Deadline
    from hearings.models import Hearing

    now = timezone.now()
    furthest_deadline = max(max(days) for days in settings.DEADLINE_REMINDER_DAYS.values())
    first_due = Deadline.objects.filter(status__in=Deadline.PENDING).aggregate(at=Min("due_at"))["at"] or now
    first_hearing = (Hearing.objects.filter(status=Hearing.Status.SCHEDULED).aggregate(at=Min("starts_at"))["at"]
                     or now)
    candidates = [now, first_due - datetime.timedelta(days=furthest_deadline),
                  first_hearing - datetime.timedelta(days=max(settings.HEARING_REMINDER_DAYS))]
    try:
        from protection.models import ProtectionOrder

        expiry = ProtectionOrder.objects.filter(status__in=ProtectionOrder.IN_FORCE).aggregate(on=Min("expires_on"))["on"]
        if expiry is not None:
            candidates.append(timezone.make_aware(datetime.datetime.combine(expiry, datetime.time.min)))
    except (ImportError, AttributeError):
        pass
    return min(candidates) - datetime.timedelta(days=1)


def _due_now(now):
    """Pending deadlines inside the sweep's reach at `now` (its furthest reminder threshold)."""
    from deadlines.models import Deadline

    furthest = max(max(days) for days in settings.DEADLINE_REMINDER_DAYS.values())
    return Deadline.objects.filter(status__in=Deadline.PENDING,
                                   due_at__lte=now + datetime.timedelta(days=furthest)).count()


def _one_sweep(row, now, out):
    from deadlines import sweep

    try:
        with transaction.atomic():  # a savepoint: a failing sweep leaves the next ones their data
            started = time.perf_counter()
            record = sweep.run(now=now)
            row["seconds"] = round(time.perf_counter() - started, 3)
        row["status"], row["counts"] = "ok", dict(getattr(record, "counts", {}) or {})
        row["note"] = ", ".join(f"{key} {value}" for key, value in sorted(row["counts"].items()) if value)
    except Exception as error:
        _failed(row, error, out)
    return row


def _mailing(row, out):
    from deadlines import mailing

    try:
        with transaction.atomic():
            started = time.perf_counter()
            counts = mailing.email_notifications()
            row["seconds"] = round(time.perf_counter() - started, 3)
        row["status"], row["counts"] = "ok", dict(counts)
        row["note"] = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()) if value) + (
            " (to memory; a mail server adds its own time)")
    except Exception as error:
        _failed(row, error, out)
    return row


def sweeps(out):
    """Three sweeps in one transaction rolled back at the end: at a quiet moment, now (every due
    deadline and hearing handled), and again a second later (right after a sweep, as beat does);
    then the e-mail task over what they recorded, to memory, never to a mail server."""
    rows = [_row("sweep: nothing due (quiet moment)", {"max_seconds": 1}),
            _row("sweep: everything due now", {"max_seconds": 30}),
            _row("sweep: right after a sweep", {"max_seconds": 1}),
            _row("e-mail of those notifications (its own task)", {})]
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
            quiet, now = quiet_moment(), timezone.now()
            rows[0]["now"], rows[1]["now"] = quiet.isoformat(), now.isoformat()
            rows[1]["due_deadlines"] = _due_now(now)
            out.write(f"  sweep at a quiet moment ({quiet:%Y-%m-%d %H:%M})\n")
            _one_sweep(rows[0], quiet, out)
            out.write(f"  sweep now: {rows[1]['due_deadlines']} pending deadlines within reach\n")
            _one_sweep(rows[1], now, out)
            rows[1]["note"] = f"{rows[1]['due_deadlines']} deadlines in reach; " + rows[1]["note"]
            out.write("  sweep again, right after\n")
            _one_sweep(rows[2], now + datetime.timedelta(seconds=1), out)
            out.write("  e-mail what the sweeps recorded (deadlines.mailing)\n")
            _mailing(rows[3], out)
            transaction.set_rollback(True)
    except Exception as error:
        for row in rows:
            if row["status"] is None:
                _failed(row, error, out)
    finally:
        mail.outbox = []
    return rows


def grants(out):
    """access.grants.rebuild_all(), rolled back."""
    from access import grants as policy_grants
    from cases.models import CaseGroupObjectPermission
    from victims.models import VictimGroupObjectPermission

    row = _row("grants rebuild (all)", {"max_seconds": 60})
    try:
        with transaction.atomic():
            before = CaseGroupObjectPermission.objects.count() + VictimGroupObjectPermission.objects.count()
            started = time.perf_counter()
            policy_grants.rebuild_all()
            row["seconds"] = round(time.perf_counter() - started, 3)
            after = CaseGroupObjectPermission.objects.count() + VictimGroupObjectPermission.objects.count()
            row["status"], row["grants"] = "ok", after
            row["note"] = f"{after} grants" + ("" if after == before else f" (were {before})")
            transaction.set_rollback(True)
    except Exception as error:
        _failed(row, error, out)
    return row


def database_url():
    """The URL of the database this process uses (under pytest, the test database)."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def export(out, fmt, username="focalpoint", timeout=3600):
    """The coordination export of the whole dataset in a subprocess: its seconds and peak RSS."""
    row = _row(f"coordination export ({fmt})", {"max_peak_rss_mb": 300}, user=username, format=fmt)
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    command = [sys.executable, "-m", "benchmarks.bench.export_child", "--user", username, "--format", fmt]
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"the export subprocess exited {done.returncode}: {done.stderr.strip()[-2000:]}")
        result = json.loads(lines[-1])
        row.update(result)
        if result.get("job_status") != "done":
            raise RuntimeError(f"the export job ended {result.get('job_status')}: {result.get('job_error')}")
        row["status"] = "ok"
        row["note"] = (f"peak RSS {result['peak_rss_mb']:.0f} MB (at start {result['start_rss_mb']:.0f} MB), "
                       f"{result['rows']} rows, {result['size_bytes'] / 1e6:.1f} MB file")
    except Exception as error:
        _failed(row, error, out)
    return row
