from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.policy.grants import rebuild_all


class Command(BaseCommand):
    help = "Recompute every guardian grant from the case and victim facts (safe to repeat)."

    @transaction.atomic
    def handle(self, *args, **options):
        rebuild_all()
        self.stdout.write(self.style.SUCCESS("Grants rebuilt."))
