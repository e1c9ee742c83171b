from django.core.management.base import BaseCommand, CommandError

from benchmarks.national import DEFAULT_SEED, generate


class Command(BaseCommand):
    help = ("Generate the national-scale data set (about 40 agencies, 600 users and, in proportion to --cases, "
            "victims, charges, hearings, deadlines, referrals and notifications) on top of the demo data. "
            "Does nothing when the national data is present already.")

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=50_000, help="Number of cases (default 50,000).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="Random seed: the same seed and workers give the same data "
                                 f"(default {DEFAULT_SEED}).")
        parser.add_argument("--workers", type=int, default=2,
                            help="Processes writing the case load at the same time, one per core (default 2).")

    def handle(self, *args, cases, seed, workers, **options):
        if cases < 1 or workers < 1:
            raise CommandError("--cases and --workers must be at least 1.")
        generate(cases_wanted=cases, seed=seed, workers=workers, out=self.stdout)
