import time

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.policy.grants import rebuild_all


class Command(BaseCommand):
    help = "Recompute every group membership and guardian grant from the case and victim facts (safe to repeat)."

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            changes = rebuild_all()
        for what, (removed, added) in changes.items():
            self.stdout.write(f"  {what:<22} {removed:>8} removed {added:>8} added")
        self.stdout.write(self.style.SUCCESS(f"Grants rebuilt in {time.monotonic() - started:.1f} s."))
