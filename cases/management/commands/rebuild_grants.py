import time

from django.core.management.base import BaseCommand
from django.db import transaction

from access.grants import rebuild_all


class Command(BaseCommand):
    """Every grant registered with access.grants (cases' and victims' own, and the sources other
    apps add to them), with the agency memberships they are held through."""

    help = "Recompute every group membership and guardian grant from the case and victim facts (safe to repeat)."

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            changes = rebuild_all()
        for what, (removed, added) in changes.items():
            self.stdout.write(f"  {what:<22} {removed:>8} removed {added:>8} added")
        self.stdout.write(self.style.SUCCESS(f"Grants rebuilt in {time.monotonic() - started:.1f} s."))
