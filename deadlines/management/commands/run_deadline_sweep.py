import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from deadlines import mailing, sweep


class Command(BaseCommand):
    help = ("Run the deadline sweep once (reminders, escalations, expiries), as beat does every few minutes, "
            "then e-mail the notifications it recorded.")

    def add_arguments(self, parser):
        parser.add_argument("--at", help="Sweep as if it were this time (ISO 8601), for rehearsals and tests.")

    def handle(self, *args, at=None, **options):
        now = None
        if at:
            try:
                now = datetime.datetime.fromisoformat(at)
            except ValueError as exc:
                raise CommandError(f"--at: {exc}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        record = sweep.run(now=now, trigger="command")
        counts = ", ".join(f"{key} {value}" for key, value in sorted(record.counts.items())) or "nothing due"
        self.stdout.write(f"Deadline sweep done in {record.duration.total_seconds():.2f} s: {counts}.")
        mailed = mailing.email_notifications()
        self.stdout.write(f"E-mailed {mailed['emailed']} notifications"
                          + (f", {mailed['email_failures']} failed (left for the next run)." if mailed["email_failures"]
                             else "."))
